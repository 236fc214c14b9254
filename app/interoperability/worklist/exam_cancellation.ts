import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import Exam from '#models/exam'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'

/**
 * A clinic withdraws an exam request before any image arrived (the patient did
 * not come, the request was a mistake). It leaves the modality worklist at
 * the next C-FIND; the request itself stays, marked cancelled, for the record.
 */
@inject()
export class ExamCancellation {
  constructor(protected clock: Clock) {}

  async cancel(exam: Exam) {
    if (exam.cancelledAt)
      throw new DomainRefusal(
        'already_cancelled',
        'interoperability.cancel.already_cancelled',
        {},
        409
      )
    if (exam.status !== 'registered')
      throw new DomainRefusal('not_cancellable', 'interoperability.cancel.not_cancellable', {}, 409)
    const now = this.clock.now()
    // Only while still waiting for images: an arrival in between wins.
    const updated = await db
      .from('exams')
      .where('id', exam.id)
      .where('status', 'registered')
      .whereNull('cancelled_at')
      .update({
        cancelled_at: now.toUTC().toSQL({ includeOffset: false }),
        updated_at: now.toUTC().toSQL({ includeOffset: false }),
      })
    if (!updated)
      throw new DomainRefusal('not_cancellable', 'interoperability.cancel.not_cancellable', {}, 409)
    return Exam.findOrFail(exam.id)
  }
}
