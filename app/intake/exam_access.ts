import type { HttpContext } from '@adonisjs/core/http'
import Exam from '#models/exam'
import { audit } from '#app/audit/audit_log'
import { DomainRefusal } from '#app/platform/domain_refusal'

/**
 * The exam a request names, if this user may see it. Another clinic's exam
 * answers 404 exactly like a missing one (its existence is not revealed) and
 * the attempt is audited. Seeing but not being allowed the action is a 403.
 */
export async function examForRequest(
  ctx: HttpContext,
  lookup: { id: number | string } | { accession: string },
  ability: 'view' | 'upload' = 'view'
): Promise<Exam> {
  const exam =
    'id' in lookup
      ? /^\d+$/.test(String(lookup.id))
        ? await Exam.find(Number(lookup.id))
        : null
      : await Exam.findBy('accession_number', lookup.accession)
  if (!exam) throw DomainRefusal.notFound('exam')

  if (await ctx.bouncer.with('ExamPolicy').denies('view', exam)) {
    await audit.fromContext(ctx, {
      action: 'exam.access',
      outcome: 'denied',
      targetType: 'exam',
      targetId: exam.id,
      details: { url: ctx.request.url(), examInstitutionId: exam.institutionId },
    })
    throw DomainRefusal.notFound('exam')
  }
  if (ability !== 'view' && (await ctx.bouncer.with('ExamPolicy').denies(ability, exam))) {
    await audit.fromContext(ctx, { action: `exam.${ability}`, outcome: 'denied', targetType: 'exam', targetId: exam.id })
    throw new DomainRefusal('forbidden', 'common.errors.forbidden', {}, 403)
  }
  return exam
}
