import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { Clock } from '#app/platform/clock'
import { retryPoisonNow } from '#app/orthanc/change_feed'
import { audit } from '#app/platform/audit/audit_log'
import { DomainRefusal } from '#app/platform/domain_refusal'

/** For the centre's administrators: arrivals the feed could not process, and series held apart from their study. */
@inject()
export default class ArrivalProblemsController {
  constructor(protected clock: Clock) {}

  async index({ view }: HttpContext) {
    const poison = await db.from('feed_poison_changes').whereIn('status', ['retrying', 'parked']).orderBy('last_failed_at', 'desc').limit(200)
    const held = await db
      .from('held_series')
      .join('exams', 'exams.id', 'held_series.exam_id')
      .leftJoin('institutions', 'institutions.id', 'held_series.sender_institution_id')
      .where('held_series.status', 'held')
      .select('held_series.*', 'exams.accession_number', 'institutions.name as sender_name')
      .orderBy('held_series.received_at', 'desc')
      .limit(200)
    return view.render('pages/intake/arrival_problems', { poison, held })
  }

  async retry(ctx: HttpContext) {
    const id = Number(ctx.params.id)
    if (!Number.isInteger(id) || !(await retryPoisonNow(id, this.clock.now()))) throw DomainRefusal.notFound('change')
    await audit.fromContext(ctx, { action: 'intake.feed.retry', targetType: 'feed_poison_change', targetId: id })
    if (ctx.request.accepts(['html', 'json']) === 'json') return { retrying: true }
    ctx.session.flash('success', ctx.i18n.t('intake.feed.retried'))
    return ctx.response.redirect('/admin/arrival-problems')
  }
}
