import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import Institution, { INSTITUTION_KINDS, INSTITUTION_LEVELS, SPECIALTIES } from '#models/institution'
import { institutionValidator } from '#app/administration/validators/administration_validators'
import { InstitutionRegistry } from '#app/administration/services/institution_registry'
import { audit } from '#app/audit/audit_log'
import { DomainRefusal } from '#app/platform/domain_refusal'

@inject()
export default class InstitutionsController {
  constructor(protected registry: InstitutionRegistry) {}

  protected options() {
    return { kinds: INSTITUTION_KINDS, levels: INSTITUTION_LEVELS, specialties: SPECIALTIES }
  }

  async index({ view, bouncer }: HttpContext) {
    await bouncer.with('AdministrationPolicy').authorize('manage')
    const institutions = await Institution.query().withCount('users').orderByRaw("CASE kind WHEN 'lead_hospital' THEN 0 WHEN 'member_clinic' THEN 1 ELSE 2 END").orderBy('code')
    return view.render('pages/administration/institutions/index', { institutions })
  }

  async create({ view, bouncer }: HttpContext) {
    await bouncer.with('AdministrationPolicy').authorize('manage')
    return view.render('pages/administration/institutions/form', { institution: null, ...this.options() })
  }

  async edit({ view, bouncer, params }: HttpContext) {
    await bouncer.with('AdministrationPolicy').authorize('manage')
    const institution = await Institution.findOrFail(params.id)
    return view.render('pages/administration/institutions/form', { institution, ...this.options() })
  }

  async store(ctx: HttpContext) {
    await ctx.bouncer.with('AdministrationPolicy').authorize('manage')
    const data = await ctx.request.validateUsing(institutionValidator)
    return this.save(ctx, () => this.registry.create({ ...data, active: data.active ?? true }), 'admin.institution.create')
  }

  async update(ctx: HttpContext) {
    await ctx.bouncer.with('AdministrationPolicy').authorize('manage')
    const institution = await Institution.findOrFail(ctx.params.id)
    const data = await ctx.request.validateUsing(institutionValidator)
    return this.save(ctx, () => this.registry.update(institution, { ...data, active: data.active ?? false }), 'admin.institution.update')
  }

  protected async save(ctx: HttpContext, work: () => Promise<Institution>, action: string) {
    try {
      const institution = await work()
      await audit.fromContext(ctx, { action, targetType: 'institution', targetId: institution.id })
      ctx.session.flash('success', ctx.i18n.t('common.saved'))
      return ctx.response.redirect('/admin/institutions')
    } catch (error) {
      if (!(error instanceof DomainRefusal)) throw error
      await audit.fromContext(ctx, { action, outcome: 'refused', details: { code: error.code } })
      ctx.session.flashAll()
      ctx.session.flash('error', ctx.i18n.t(error.messageKey, error.messageData))
      return ctx.response.redirect().back()
    }
  }
}
