import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { useCase, done } from '#app/platform/http/use_case'
import { clinicIndicators } from '#app/platform/clinic_indicators'
import { AssessmentWeights, weighableKeys } from '#app/assessments/services/assessment_weights'
import { mayManageAssessments } from '#app/assessments/assessments_access'
import { weightsValidator } from '#app/assessments/validators/assessment_validators'

/** The weights of the quarterly total, versioned (C 9.3 performance by workload and quality). */
@inject()
export default class WeightsController {
  constructor(protected weights: AssessmentWeights) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.weights.view',
      allow: mayManageAssessments,
      run: async () => ({
        current: await this.weights.current(),
        history: await this.weights.history(),
      }),
      json: ({ current, history }) => ({ data: { current, history } }),
      page: ({ current, history }) =>
        ctx.view.render('pages/assessments/weights', {
          current,
          history,
          keys: weighableKeys().map((key) => ({
            key,
            labelKey:
              clinicIndicators.get(key)?.labelKey ??
              `assessments.indicators.${key.replace('.', '_')}`,
            registered: Boolean(clinicIndicators.get(key)),
          })),
        }),
    })
  }

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.weights.revise',
      allow: mayManageAssessments,
      input: weightsValidator,
      run: ({ user, input }) =>
        this.weights.revise(user, input.baseVersion, input.note, input.weights),
      audit: {
        target: (set) => ({ type: 'assessment_weight_set', id: set.id }),
        details: (set) => ({ version: set.version }),
      },
      json: (set) => ({ data: set }),
      page: (set) =>
        done(ctx, 'assessments.weights.saved', { version: set.version }, '/assessments/weights'),
    })
  }
}
