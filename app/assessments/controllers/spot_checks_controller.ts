import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { useCase, done } from '#app/platform/http/use_case'
import { SpotChecks } from '#app/assessments/services/spot_checks'
import { mayManageAssessments, spotCheckTarget } from '#app/assessments/assessments_access'
import { spotCheckValidator } from '#app/assessments/validators/assessment_validators'

/** C 9.3 定期开展质量抽查: seeded random samples of a clinic's recent exams. */
@inject()
export default class SpotChecksController {
  constructor(protected spotChecks: SpotChecks) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.spot_checks.list',
      allow: mayManageAssessments,
      run: async () => ({
        checks: await this.spotChecks.list(),
        clinics: await db
          .from('institutions')
          .where('kind', 'member_clinic')
          .where('active', true)
          .orderBy('name')
          .select('id', 'name'),
      }),
      json: ({ checks }) => ({ data: checks }),
      page: (result) => ctx.view.render('pages/assessments/spot_checks', result),
    })
  }

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.spot_checks.draw',
      allow: mayManageAssessments,
      input: spotCheckValidator,
      run: ({ user, input }) => this.spotChecks.draw(user, input),
      audit: {
        target: (drawn) => ({ type: 'spot_check', id: drawn.id }),
        details: (drawn) => ({ seed: drawn.seed, exams: drawn.examIds.length }),
      },
      json: (drawn) => ({ data: drawn }),
      page: (drawn) =>
        done(
          ctx,
          'assessments.spot_checks.drawn',
          { count: drawn.examIds.length },
          `/assessments/spot-checks/${drawn.id}`
        ),
    })
  }

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.spot_checks.view',
      allow: mayManageAssessments,
      target: spotCheckTarget,
      run: async ({ target }) => ({ check: target, exams: await this.spotChecks.exams(target.id) }),
      json: (result) => ({ data: result }),
      page: (result) => ctx.view.render('pages/assessments/spot_check', result),
    })
  }
}
