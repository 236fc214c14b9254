import type { HttpContext } from '@adonisjs/core/http'
import app from '@adonisjs/core/services/app'
import { useCase, done } from '#app/platform/http/use_case'
import { can } from '#app/platform/http/can'
import { examTarget } from '#app/access/exam_access'
import { ExamCancellation } from '#app/interoperability/worklist/exam_cancellation'

/** The requesting clinic withdraws an exam that has no images yet (it leaves the devices' worklist). */
export default class ExamCancellationController {
  cancel(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'exam.cancel',
      allow: can('ExamPolicy', 'register'),
      target: examTarget,
      allowOn: can('ExamPolicy', 'upload'),
      run: async ({ target }) => (await app.container.make(ExamCancellation)).cancel(target),
      audit: { details: (exam) => ({ accession: exam.accessionNumber }) },
      page: (exam) => done(ctx, 'interoperability.cancel.done', {}, `/exams/${exam.id}`),
      json: (exam) => ({
        data: {
          accessionNumber: exam.accessionNumber,
          status: exam.status,
          cancelledAt: exam.cancelledAt?.toISO() ?? null,
        },
      }),
    })
  }
}
