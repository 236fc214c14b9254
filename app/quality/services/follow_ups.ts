import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import type Exam from '#models/exam'
import type User from '#models/user'
import { Clock } from '#app/platform/clock'
import { sqlTime } from '#app/platform/db_helpers'
import { DomainRefusal } from '#app/platform/domain_refusal'

/*
| Follow-up outcomes (B appendix B): the surgical, pathology or clinical
| outcome of an exam and whether the report's diagnosis agreed with it. The
| diagnostic agreement rate (B asks > 90 %) is computed from them.
*/
@inject()
export class FollowUps {
  constructor(protected clock: Clock) {}

  async record(
    user: User,
    exam: Exam,
    input: { source: 'surgery' | 'pathology' | 'clinical'; outcome: string; agreed: boolean }
  ) {
    if (!exam.reportSignedAt)
      throw new DomainRefusal('not_signed_yet', 'quality.refusals.not_signed_yet', {}, 409)
    const now = this.clock.now()
    const [id] = await db.table('qc_followups').insert({
      exam_id: exam.id,
      source: input.source,
      outcome: input.outcome.trim(),
      agreed: input.agreed,
      recorded_by_id: user.id,
      recorded_at: sqlTime(now),
    })
    return { id: Number(id), examId: exam.id, source: input.source, agreed: input.agreed }
  }
}

/** Agreed / all follow-ups of reports signed in [from, to), optionally for some clinics and a modality. */
export async function agreementRate(
  from: DateTime,
  to: DateTime,
  filter: { institutionId?: number; modality?: string } = {}
) {
  const q = db
    .from('qc_followups')
    .join('exams', 'exams.id', 'qc_followups.exam_id')
    .where('qc_followups.recorded_at', '>=', sqlTime(from))
    .where('qc_followups.recorded_at', '<', sqlTime(to))
    .count('* as total')
    .select(db.raw('SUM(CASE WHEN qc_followups.agreed THEN 1 ELSE 0 END) as agreed'))
  if (filter.institutionId) q.where('exams.institution_id', filter.institutionId)
  if (filter.modality) q.where('exams.modality', filter.modality)
  const row: any = await q.first()
  const total = Number(row?.total ?? 0)
  const agreed = Number(row?.agreed ?? 0)
  return { total, agreed, rate: total ? agreed / total : null }
}
