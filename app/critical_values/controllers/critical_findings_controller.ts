import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { CriticalFindingList } from '#app/critical_values/services/critical_finding_list'
import { FINDING_CATEGORIES } from '#app/critical_values/default_findings'
import {
  findingValidator,
  policyValidator,
} from '#app/critical_values/validators/critical_value_validators'
import {
  criticalFindingTarget,
  mayManageCriticalValues,
} from '#app/critical_values/critical_value_access'
import { useCase, done } from '#app/platform/http/use_case'

/** Administrators maintain the list of critical findings and the two-person-check switch. */
@inject()
export default class CriticalFindingsController {
  constructor(protected list: CriticalFindingList) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.critical_finding.list',
      allow: mayManageCriticalValues,
      run: async () => ({
        findings: await this.list.all(),
        twoPersonCheck: await this.list.twoPersonCheck(),
      }),
      page: (state) =>
        ctx.view.render('pages/critical_values/findings', {
          ...state,
          categories: FINDING_CATEGORIES,
        }),
    })
  }

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.critical_finding.create',
      allow: mayManageCriticalValues,
      input: findingValidator,
      run: ({ input }) => this.list.create(input),
      audit: {
        target: (f) => ({ type: 'critical_finding', id: f.id }),
        details: (f) => ({ code: f.code, ackMinutes: f.ackMinutes }),
      },
      page: () => done(ctx, 'common.saved', {}, '/admin/critical-findings'),
    })
  }

  update(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.critical_finding.update',
      allow: mayManageCriticalValues,
      target: criticalFindingTarget,
      input: findingValidator,
      run: ({ target, input }) =>
        this.list.update(target, { ...input, active: input.active ?? false }),
      audit: { details: (f) => ({ ackMinutes: f.ackMinutes, active: f.active }) },
      page: () => done(ctx, 'common.saved', {}, '/admin/critical-findings'),
    })
  }

  policy(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.critical_policy.update',
      allow: mayManageCriticalValues,
      input: policyValidator,
      run: async ({ user, input }) => {
        const on = input.twoPersonCheck ?? false
        await this.list.setTwoPersonCheck(on, user)
        return on
      },
      audit: {
        target: () => ({ type: 'critical_finding', id: null }),
        details: (on) => ({ twoPersonCheck: on }),
      },
      page: (on) =>
        done(
          ctx,
          on ? 'critical_values.findings.two_person_on' : 'critical_values.findings.two_person_off',
          {},
          '/admin/critical-findings'
        ),
    })
  }
}
