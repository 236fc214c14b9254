import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import Institution from '#models/institution'
import { PRIORITIES } from '#models/exam'
import { MODALITIES } from '#models/exam_item'
import { ReadingQueue, QUEUE_STATUSES, queueRowJson } from '#app/reading/services/reading_queue'
import { queueFilterValidator } from '#app/reading/validators/reading_validators'
import { mayRead } from '#app/reading/reading_access'
import { timeLabel } from '#app/reading/controllers/time_label'
import { useCase } from '#app/platform/http/use_case'

/** The reading queue: a page that refreshes itself live, and its /api/v1 form. */
@inject()
export default class QueueController {
  constructor(protected queue: ReadingQueue) {}

  index(ctx: HttpContext) {
    // The page's script asks for the rows alone when the queue changes (websocket): one audit line per filter and session.
    const partial = Boolean(ctx.request.header('x-queue-partial'))
    return useCase(ctx, {
      action: 'reading.queue',
      allow: mayRead,
      input: queueFilterValidator,
      run: async ({ user, input }) => {
        const [page, counts] = await Promise.all([
          this.queue.list(user, input),
          this.queue.counts(user, input),
        ])
        return { page, counts, filters: input }
      },
      audit: partial ? { once: ({ input }) => JSON.stringify(input) } : {},
      json: ({ page, counts }) => ({
        data: page.rows.map(queueRowJson),
        meta: { ...counts, next: page.next, now: page.now.toISO() },
      }),
      page: async (state) => {
        const shown = { ...state, timeLabel: (minutes: number) => timeLabel(ctx.i18n, minutes) }
        if (partial) return ctx.view.render('pages/reading/_queue_rows', shown)
        const institutions = await Institution.query()
          .where('kind', 'member_clinic')
          .where('active', true)
          .orderBy('code')
        return ctx.view.render('pages/reading/queue', {
          ...shown,
          institutions,
          statuses: QUEUE_STATUSES,
          priorities: PRIORITIES,
          modalities: MODALITIES,
        })
      },
    })
  }
}
