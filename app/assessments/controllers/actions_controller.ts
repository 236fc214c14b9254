import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { useCase, done } from '#app/platform/http/use_case'
import { CorrectiveActions } from '#app/assessments/services/corrective_actions'
import { presenter } from '#app/assessments/services/assessment_presenter'
import {
  actionTarget,
  mayManageAssessments,
  mayViewAssessments,
  seesAllClinics,
} from '#app/assessments/assessments_access'
import {
  actionValidator,
  followUpValidator,
} from '#app/assessments/validators/assessment_validators'

/** C 9.2.1 闭环: corrective actions with an owner, a due date and follow-ups. */
@inject()
export default class ActionsController {
  constructor(protected actions: CorrectiveActions) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.actions.list',
      allow: mayViewAssessments,
      run: ({ user }) =>
        this.actions.list({ institutionId: seesAllClinics(user) ? undefined : user.institutionId }),
      json: (actions) => ({ data: actions }),
      page: (actions, { user }) =>
        ctx.view.render('pages/assessments/actions', {
          actions,
          manage: seesAllClinics(user),
          p: presenter(ctx.i18n),
        }),
    })
  }

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.actions.open',
      allow: mayManageAssessments,
      input: actionValidator,
      run: ({ user, input }) => this.actions.open(user, input),
      audit: {
        target: (id) => ({ type: 'corrective_action', id }),
        details: (_, { input }) => ({ institutionId: input.institutionId, quarter: input.quarter }),
      },
      json: async (id) => ({ data: await this.actions.find(id) }),
      page: (_, { input }) =>
        done(
          ctx,
          'assessments.actions.saved',
          {},
          `/assessments/clinics/${input.institutionId}?quarter=${input.quarter}`
        ),
    })
  }

  followUp(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.actions.follow_up',
      allow: mayViewAssessments,
      target: actionTarget,
      input: followUpValidator,
      run: ({ user, target, input }) =>
        this.actions.followUp(user, target.id, input.followUp, input.close ?? false),
      audit: { details: (action) => ({ status: action.status }) },
      json: (action) => ({ data: action }),
      page: () => done(ctx, 'assessments.actions.followed', {}, '/assessments/actions'),
    })
  }
}
