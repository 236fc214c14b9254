import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { useCase, done } from '#app/platform/http/use_case'
import { StaffAssessments } from '#app/assessments/services/staff_assessments'
import { presenter } from '#app/assessments/services/assessment_presenter'
import {
  mayManageAssessments,
  mayViewAssessments,
  roundTarget,
  seesAllClinics,
} from '#app/assessments/assessments_access'
import { roundValidator, scoresValidator } from '#app/assessments/validators/assessment_validators'

/** C 9.3 staff assessment rounds: at least every half year, a score per person and a pass mark. */
@inject()
export default class RoundsController {
  constructor(protected assessments: StaffAssessments) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.rounds.list',
      allow: mayViewAssessments,
      run: () => this.assessments.rounds(),
      json: (rounds) => ({ data: rounds }),
      page: (rounds, { user }) =>
        ctx.view.render('pages/assessments/rounds', {
          rounds,
          manage: seesAllClinics(user),
          p: presenter(ctx.i18n),
        }),
    })
  }

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.rounds.create',
      allow: mayManageAssessments,
      input: roundValidator,
      run: ({ user, input }) => this.assessments.createRound(user, input),
      audit: { target: (id) => ({ type: 'assessment_round', id }) },
      json: async (id) => ({ data: await this.assessments.round(id) }),
      page: (id) => done(ctx, 'assessments.rounds.saved', {}, `/assessments/rounds/${id}`),
    })
  }

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.rounds.view',
      allow: mayViewAssessments,
      target: roundTarget,
      run: async ({ user, target }) => ({
        round: target,
        results: await this.assessments.results(
          target.id,
          seesAllClinics(user) ? undefined : user.institutionId
        ),
        roster: seesAllClinics(user)
          ? await db
              .from('staff_members as m')
              .join('institutions as i', 'i.id', 'm.institution_id')
              .where('m.active', true)
              .where('i.kind', 'member_clinic')
              .orderBy('i.name')
              .orderBy('m.full_name')
              .select('m.id', 'm.full_name', 'm.staff_no', 'i.name as clinic_name')
          : [],
      }),
      json: ({ round, results }) => ({ data: { round, results } }),
      page: (result, { user }) =>
        ctx.view.render('pages/assessments/round', {
          ...result,
          manage: seesAllClinics(user),
          p: presenter(ctx.i18n),
        }),
    })
  }

  scores(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.rounds.scores',
      allow: mayManageAssessments,
      target: roundTarget,
      input: scoresValidator,
      run: ({ target, input }) =>
        this.assessments.recordScores(
          target.id,
          Object.entries(input.scores)
            .filter(([, score]) => score !== undefined && score !== null)
            .map(([staffMemberId, score]) => ({
              staffMemberId: Number(staffMemberId),
              score: score as number,
            }))
        ),
      audit: { details: (count) => ({ scores: count }) },
      json: async (_, { target }) => ({ data: await this.assessments.results(target.id) }),
      page: (count, { target }) =>
        done(ctx, 'assessments.rounds.scores_saved', { count }, `/assessments/rounds/${target.id}`),
    })
  }
}
