import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { DateTime } from 'luxon'
import Equipment, { EQUIPMENT_KINDS, EQUIPMENT_STATUSES } from '#models/equipment'
import Institution from '#models/institution'
import { equipmentValidator } from '#app/equipment/validators/equipment_validators'
import { EquipmentRegister } from '#app/equipment/services/equipment_register'
import { standardFor, QC_INTERVAL_MONTHS } from '#app/equipment/services/equipment_rules'
import { can } from '#app/platform/http/can'
import {
  useCase,
  done,
  numericParam,
  recordById,
  type RecordLoader,
} from '#app/platform/http/use_case'

const day = (value: Date | undefined) =>
  value ? DateTime.fromJSDate(value, { zone: 'utc' }) : null
const options = {
  kinds: EQUIPMENT_KINDS,
  statuses: EQUIPMENT_STATUSES,
  qcMonths: QC_INTERVAL_MONTHS,
}
const mayManageEquipment = can('EquipmentPolicy', 'manage')

/** An institution that keeps an equipment register (C 6.1 lead hospital, C 6.2 members). */
const registerInstitution: RecordLoader<Institution> = {
  type: 'institution',
  requested: (ctx) => ctx.params.institutionId,
  find: async (ctx) => {
    const id = numericParam(ctx, 'institutionId')
    const institution = id ? await Institution.find(id) : null
    return institution && standardFor(institution.kind) ? institution : null
  },
}
const deviceTarget = recordById('equipment', (id) =>
  Equipment.query().where('id', id).preload('institution').first()
)

/** The equipment register per institution and the C 6.1 / C 6.2 check of what is missing. */
@inject()
export default class EquipmentController {
  constructor(protected register: EquipmentRegister) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'equipment.overview',
      allow: mayManageEquipment,
      run: () => this.register.overview(),
      page: (overview) => ctx.view.render('pages/equipment/index', { overview }),
    })
  }

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'equipment.register.view',
      allow: mayManageEquipment,
      target: registerInstitution,
      run: ({ target }) => this.register.ofInstitution(target),
      page: (register, { target: institution }) =>
        ctx.view.render('pages/equipment/register', {
          institution,
          device: null,
          ...register,
          standard: standardFor(institution.kind),
          ...options,
        }),
    })
  }

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'equipment.create',
      allow: mayManageEquipment,
      input: equipmentValidator,
      run: ({ input }) =>
        this.register.add({
          ...input,
          installedOn: day(input.installedOn),
          lastQcOn: day(input.lastQcOn),
        }),
      audit: {
        target: (device) => ({ type: 'equipment', id: device.id }),
        details: (_, { input }) => ({
          institutionId: input.institutionId,
          kind: input.kind,
          assetNo: input.assetNo,
        }),
      },
      page: (device) =>
        done(ctx, 'common.saved', {}, `/admin/equipment/institutions/${device.institutionId}`),
    })
  }

  edit(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'equipment.view',
      allow: mayManageEquipment,
      target: deviceTarget,
      run: async ({ target }) => target,
      page: (device) => ctx.view.render('pages/equipment/edit', { device, ...options }),
    })
  }

  update(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'equipment.update',
      allow: mayManageEquipment,
      target: deviceTarget,
      input: equipmentValidator,
      run: ({ target, input }) =>
        this.register.update(target, {
          ...input,
          installedOn: day(input.installedOn),
          lastQcOn: day(input.lastQcOn),
        }),
      audit: { details: (_, { input }) => ({ status: input.status }) },
      page: (_, { target }) =>
        done(ctx, 'common.saved', {}, `/admin/equipment/institutions/${target.institutionId}`),
    })
  }
}
