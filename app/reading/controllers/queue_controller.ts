import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import Institution from '#models/institution'
import { PRIORITIES } from '#models/exam'
import { MODALITIES } from '#models/exam_item'
import { ReadingQueue, QUEUE_STATUSES, queueRowJson } from '#app/reading/services/reading_queue'
import { queueFilterValidator } from '#app/reading/validators/reading_validators'
import { authorizeReading } from '#app/reading/controllers/reading_access'
import { timeLabel } from '#app/reading/controllers/time_label'

/** The reading queue: a page that refreshes itself live, and its /api/v1 form. */
@inject()
export default class QueueController {
  constructor(protected queue: ReadingQueue) {}

  async index(ctx: HttpContext) {
    await authorizeReading(ctx)
    const filters = await queueFilterValidator.validate(ctx.request.qs())
    const user = ctx.auth.user!
    const [page, counts] = await Promise.all([this.queue.list(user, filters), this.queue.counts(user, filters)])
    const state = { page, counts, filters, timeLabel: (minutes: number) => timeLabel(ctx.i18n, minutes) }
    // The page's script asks for the rows alone when the queue changes (websocket).
    if (ctx.request.header('x-queue-partial')) return ctx.view.render('pages/reading/_queue_rows', state)
    const institutions = await Institution.query().where('kind', 'member_clinic').where('active', true).orderBy('code')
    return ctx.view.render('pages/reading/queue', { ...state, institutions, statuses: QUEUE_STATUSES, priorities: PRIORITIES, modalities: MODALITIES })
  }

  async api(ctx: HttpContext) {
    await authorizeReading(ctx)
    const filters = await queueFilterValidator.validate(ctx.request.qs())
    const user = ctx.auth.user!
    const [page, counts] = await Promise.all([this.queue.list(user, filters), this.queue.counts(user, filters)])
    return { data: page.rows.map(queueRowJson), meta: { ...counts, next: page.next, now: page.now.toISO() } }
  }
}
