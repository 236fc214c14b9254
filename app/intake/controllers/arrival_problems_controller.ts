import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { Clock } from '#app/platform/clock'
import { can } from '#app/platform/http/can'
import { useCase, done, numericParam } from '#app/platform/http/use_case'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { ArrivalProblems } from '#app/intake/services/arrival_problems'

const mayManageArrivals = can('AdministrationPolicy', 'manage')

/** For the centre's administrators: arrivals the feed could not process, and series held apart from their study. */
@inject()
export default class ArrivalProblemsController {
  constructor(
    protected problems: ArrivalProblems,
    protected clock: Clock
  ) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'intake.feed.problems',
      allow: mayManageArrivals,
      run: () => this.problems.overview(),
      page: (state) => ctx.view.render('pages/intake/arrival_problems', state),
    })
  }

  retry(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'intake.feed.retry',
      allow: mayManageArrivals,
      run: () => {
        const id = numericParam(ctx)
        if (!id) throw DomainRefusal.notFound('change')
        return this.problems.retryNow(id, this.clock.now())
      },
      audit: { target: (id) => ({ type: 'feed_poison_change', id }) },
      json: () => ({ retrying: true }),
      page: () => done(ctx, 'intake.feed.retried', {}, '/admin/arrival-problems'),
    })
  }
}
