import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { ratiosValidator } from '#app/staffing/validators/staffing_validators'
import { StaffingRatios } from '#app/staffing/services/staffing_ratios'
import { WORKLOAD_CATEGORIES } from '#app/staffing/services/staffing_rules'
import { presenter } from '#app/staffing/services/staffing_presenter'
import { mayManageStaffing } from '#app/staffing/staffing_access'
import { useCase, done } from '#app/platform/http/use_case'

/** Table 1 and the other staffing parameters: the version in force, its history, and a new version. */
@inject()
export default class RatiosController {
  constructor(protected ratios: StaffingRatios) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'staffing.ratios.view',
      allow: mayManageStaffing,
      run: async () => ({
        current: await this.ratios.current(),
        history: await this.ratios.history(),
      }),
      json: async () => ({ data: await this.ratios.currentSnapshot() }),
      page: ({ current, history }) =>
        ctx.view.render('pages/staffing/ratios', {
          current: StaffingRatios.snapshot(current),
          history: history.map((set) => ({ set, snapshot: StaffingRatios.snapshot(set) })),
          categories: WORKLOAD_CATEGORIES,
          p: presenter,
        }),
    })
  }

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'staffing.ratios.revise',
      allow: mayManageStaffing,
      input: ratiosValidator,
      run: ({ user, input }) =>
        this.ratios.revise(user, input.baseVersion, {
          note: input.note,
          rows: WORKLOAD_CATEGORIES.map((category) => ({ category, ...input.rows[category] })),
          floor: {
            doctors: input.floorDoctors,
            technologists: input.floorTechnologists,
            nurses: input.floorNurses,
          },
          titleMix: { intermediatePct: input.minIntermediatePct, seniorPct: input.minSeniorPct },
          memberRule: {
            technologistsFirstDevice: input.memberTechnologistsFirstDevice,
            technologistsPerAdditionalDevice: input.memberTechnologistsPerAdditionalDevice,
            nursesPerContrastDevice: input.memberNursesPerContrastDevice,
          },
        }),
      audit: {
        target: (set) => ({ type: 'staffing_ratio_set', id: set.id }),
        details: (_, { input }) => ({ baseVersion: input.baseVersion, note: input.note }),
      },
      page: (set) =>
        done(ctx, 'staffing.ratios.saved', { version: set.version }, '/admin/staffing/ratios'),
    })
  }
}
