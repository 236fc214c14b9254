import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { DateTime } from 'luxon'
import Equipment, { EQUIPMENT_KINDS, EQUIPMENT_STATUSES } from '#models/equipment'
import Institution from '#models/institution'
import { equipmentValidator } from '#app/equipment/validators/equipment_validators'
import { EquipmentRegister } from '#app/equipment/services/equipment_register'
import { standardFor, QC_INTERVAL_MONTHS } from '#app/equipment/services/equipment_rules'
import { auditedWork } from '#app/staffing/audited_work'
import { DomainRefusal } from '#app/platform/domain_refusal'

const day = (value: Date | undefined) => (value ? DateTime.fromJSDate(value, { zone: 'utc' }) : null)

/** The equipment register per institution and the C 6.1 / C 6.2 check of what is missing. */
@inject()
export default class EquipmentController {
  constructor(protected register: EquipmentRegister) {}

  protected options() {
    return { kinds: EQUIPMENT_KINDS, statuses: EQUIPMENT_STATUSES, qcMonths: QC_INTERVAL_MONTHS }
  }

  protected async institution(id: unknown) {
    const institution = await Institution.find(Number(id))
    if (!institution || !standardFor(institution.kind)) throw DomainRefusal.notFound('institution')
    return institution
  }

  async index({ view, bouncer }: HttpContext) {
    await bouncer.with('EquipmentPolicy').authorize('manage')
    return view.render('pages/equipment/index', { overview: await this.register.overview() })
  }

  async show({ view, bouncer, params }: HttpContext) {
    await bouncer.with('EquipmentPolicy').authorize('manage')
    const institution = await this.institution(params.institutionId)
    const register = await this.register.ofInstitution(institution)
    return view.render('pages/equipment/register', { institution, device: null, ...register, standard: standardFor(institution.kind), ...this.options() })
  }

  async store(ctx: HttpContext) {
    await ctx.bouncer.with('EquipmentPolicy').authorize('manage')
    const data = await ctx.request.validateUsing(equipmentValidator)
    const device = await auditedWork(
      ctx,
      { action: 'equipment.create', targetType: 'equipment', details: { institutionId: data.institutionId, kind: data.kind, assetNo: data.assetNo } },
      () => this.register.add({ ...data, installedOn: day(data.installedOn), lastQcOn: day(data.lastQcOn) }),
      (d) => d.id
    )
    ctx.session.flash('success', ctx.i18n.t('common.saved'))
    return ctx.response.redirect(`/admin/equipment/institutions/${device.institutionId}`)
  }

  async edit({ view, bouncer, params }: HttpContext) {
    await bouncer.with('EquipmentPolicy').authorize('manage')
    const device = await Equipment.query().where('id', Number(params.id) || 0).preload('institution').first()
    if (!device) throw DomainRefusal.notFound('equipment')
    return view.render('pages/equipment/edit', { device, ...this.options() })
  }

  async update(ctx: HttpContext) {
    await ctx.bouncer.with('EquipmentPolicy').authorize('manage')
    const device = await Equipment.find(Number(ctx.params.id) || 0)
    if (!device) throw DomainRefusal.notFound('equipment')
    const data = await ctx.request.validateUsing(equipmentValidator)
    await auditedWork(
      ctx,
      { action: 'equipment.update', targetType: 'equipment', targetId: device.id, details: { status: data.status } },
      () => this.register.update(device, { ...data, installedOn: day(data.installedOn), lastQcOn: day(data.lastQcOn) })
    )
    ctx.session.flash('success', ctx.i18n.t('common.saved'))
    return ctx.response.redirect(`/admin/equipment/institutions/${device.institutionId}`)
  }
}
