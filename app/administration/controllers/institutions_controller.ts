import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import Institution, {
  INSTITUTION_KINDS,
  INSTITUTION_LEVELS,
  SPECIALTIES,
} from '#models/institution'
import { institutionValidator } from '#app/administration/validators/administration_validators'
import { InstitutionRegistry } from '#app/administration/services/institution_registry'
import { institutionTarget, mayAdminister } from '#app/administration/administration_access'
import { useCase, done } from '#app/platform/http/use_case'

const options = { kinds: INSTITUTION_KINDS, levels: INSTITUTION_LEVELS, specialties: SPECIALTIES }

/** The alliance's institutions: one lead hospital, its member clinics, upper-level hospitals, specialty centres. */
@inject()
export default class InstitutionsController {
  constructor(protected registry: InstitutionRegistry) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.institution.list',
      allow: mayAdminister,
      run: () =>
        Institution.query()
          .withCount('users')
          .orderByRaw(
            "CASE kind WHEN 'lead_hospital' THEN 0 WHEN 'member_clinic' THEN 1 ELSE 2 END"
          )
          .orderBy('code'),
      page: (institutions) =>
        ctx.view.render('pages/administration/institutions/index', { institutions }),
    })
  }

  create(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.institution.new',
      allow: mayAdminister,
      audit: false,
      run: async () => null,
      page: () =>
        ctx.view.render('pages/administration/institutions/form', {
          institution: null,
          ...options,
        }),
    })
  }

  edit(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.institution.view',
      allow: mayAdminister,
      target: institutionTarget,
      run: async ({ target }) => target,
      page: (institution) =>
        ctx.view.render('pages/administration/institutions/form', { institution, ...options }),
    })
  }

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.institution.create',
      allow: mayAdminister,
      input: institutionValidator,
      run: ({ input }) => this.registry.create({ ...input, active: input.active ?? true }),
      audit: { target: (institution) => ({ type: 'institution', id: institution.id }) },
      page: () => done(ctx, 'common.saved', {}, '/admin/institutions'),
    })
  }

  update(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.institution.update',
      allow: mayAdminister,
      target: institutionTarget,
      input: institutionValidator,
      run: ({ target, input }) =>
        this.registry.update(target, { ...input, active: input.active ?? false }),
      page: () => done(ctx, 'common.saved', {}, '/admin/institutions'),
    })
  }
}
