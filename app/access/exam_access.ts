import type { HttpContext } from '@adonisjs/core/http'
import Exam from '#models/exam'
import type User from '#models/user'
import { canSeeExam } from '#app/access/visibility'
import { numericParam, type RecordLoader } from '#app/platform/http/use_case'

/**
 * The exam a request names: pages name it by id (`/exams/:id`), the API by
 * accession number (`/api/v1/exams/:accession`). Another clinic's exam is
 * answered exactly like a missing one (404) and the attempt is audited by the
 * pipeline with the exam's id.
 */
export const examTarget: RecordLoader<Exam> = {
  type: 'exam',
  requested: (ctx) => ctx.params.accession ?? ctx.params.id ?? null,
  find: async (ctx) => {
    if (ctx.params.accession !== undefined) {
      const accession = String(ctx.params.accession)
      return accession.length <= 64 ? Exam.findBy('accession_number', accession) : null
    }
    const id = numericParam(ctx)
    return id ? Exam.find(id) : null
  },
  visible: (ctx, exam) => canSeeExam(ctx.auth.user as User, exam),
}

/** The same exam, read from another parameter (e.g. a form field naming the exam to attach to). */
export function examNamedBy(read: (ctx: HttpContext) => unknown): RecordLoader<Exam> {
  return {
    ...examTarget,
    requested: (ctx) => String(read(ctx) ?? ''),
    find: async (ctx) => {
      const value = read(ctx)
      return /^\d{1,12}$/.test(String(value)) ? Exam.find(Number(value)) : null
    },
  }
}
