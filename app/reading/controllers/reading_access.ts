import type { HttpContext } from '@adonisjs/core/http'
import type Exam from '#models/exam'
import { audit } from '#app/audit/audit_log'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { examForRequest } from '#app/intake/exam_access'

/*
| What every reading controller does around its one service call: find the
| exam the request names (another clinic's answers 404 and is audited), check
| the reader's ability (audited when denied), and audit the outcome, a refusal
| included, before the exception handler tells the person why.
*/

export function isApi(ctx: HttpContext) {
  return ctx.request.url().startsWith('/api/')
}

/** Pages name exams by id, the API by accession number (as the intake API does). */
export function readingExam(ctx: HttpContext) {
  return isApi(ctx) ? examForRequest(ctx, { accession: ctx.params.accession }) : examForRequest(ctx, { id: ctx.params.id })
}

export async function authorizeReading(ctx: HttpContext, ability: 'read' | 'maintainTemplates' | 'configure' = 'read') {
  if (await ctx.bouncer.with('ReadingPolicy').denies(ability)) {
    await audit.fromContext(ctx, { action: `reading.${ability}`, outcome: 'denied', details: { url: ctx.request.url() } })
    throw new DomainRefusal('forbidden', ability === 'read' ? 'reading.refusals.not_a_reader' : 'common.errors.forbidden', {}, 403)
  }
}

/** Runs the service call and audits it: success with its details, a refusal with its code. */
export async function audited<T>(
  ctx: HttpContext,
  entry: { action: string; exam?: Pick<Exam, 'id'> | null; targetType?: string; targetId?: number | string; details?: Record<string, unknown> },
  run: () => Promise<T>,
  successDetails?: (result: T) => Record<string, unknown>
): Promise<T> {
  const target = entry.exam ? { targetType: 'exam', targetId: entry.exam.id } : { targetType: entry.targetType, targetId: entry.targetId }
  const via = isApi(ctx) ? { via: 'api' } : {}
  try {
    const result = await run()
    await audit.fromContext(ctx, { action: entry.action, ...target, details: { ...entry.details, ...via, ...(successDetails ? successDetails(result) : {}) } })
    return result
  } catch (error) {
    if (error instanceof DomainRefusal) {
      await audit.fromContext(ctx, {
        action: entry.action,
        outcome: error.status === 403 ? 'denied' : 'refused',
        ...target,
        details: { ...entry.details, ...via, code: error.code },
      })
      // A refused form comes back with what the doctor typed (the editor reads it with old()).
      if (!isApi(ctx)) ctx.session?.flashAll()
    }
    throw error
  }
}
