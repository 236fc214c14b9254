import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { ratiosValidator } from '#app/staffing/validators/staffing_validators'
import { StaffingRatios } from '#app/staffing/services/staffing_ratios'
import { WORKLOAD_CATEGORIES } from '#app/staffing/services/staffing_rules'
import { auditedWork } from '#app/staffing/audited_work'
import { presenter } from '#app/staffing/services/staffing_presenter'

/** Table 1 and the other staffing parameters: the version in force, its history, and a new version. */
@inject()
export default class RatiosController {
  constructor(protected ratios: StaffingRatios) {}

  async index({ view, bouncer }: HttpContext) {
    await bouncer.with('StaffingPolicy').authorize('manage')
    const current = await this.ratios.current()
    const history = await this.ratios.history()
    return view.render('pages/staffing/ratios', {
      current: StaffingRatios.snapshot(current),
      history: history.map((set) => ({ set, snapshot: StaffingRatios.snapshot(set) })),
      categories: WORKLOAD_CATEGORIES,
      p: presenter,
    })
  }

  async store(ctx: HttpContext) {
    await ctx.bouncer.with('StaffingPolicy').authorize('manage')
    const data = await ctx.request.validateUsing(ratiosValidator)
    const set = await auditedWork(
      ctx,
      { action: 'staffing.ratios.revise', targetType: 'staffing_ratio_set', details: { baseVersion: data.baseVersion, note: data.note } },
      () =>
        this.ratios.revise(ctx.auth.user!, data.baseVersion, {
          note: data.note,
          rows: WORKLOAD_CATEGORIES.map((category) => ({ category, ...data.rows[category] })),
          floor: { doctors: data.floorDoctors, technologists: data.floorTechnologists, nurses: data.floorNurses },
          titleMix: { intermediatePct: data.minIntermediatePct, seniorPct: data.minSeniorPct },
          memberRule: {
            technologistsFirstDevice: data.memberTechnologistsFirstDevice,
            technologistsPerAdditionalDevice: data.memberTechnologistsPerAdditionalDevice,
            nursesPerContrastDevice: data.memberNursesPerContrastDevice,
          },
        }),
      (s) => s.id
    )
    ctx.session.flash('success', ctx.i18n.t('staffing.ratios.saved', { version: set.version }))
    return ctx.response.redirect('/admin/staffing/ratios')
  }
}
