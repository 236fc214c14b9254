import db from '@adonisjs/lucid/services/db'
import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import { QcSessions } from '#app/quality/services/qc_sessions'
import { sampleOf } from '#app/quality/services/sampling'
import type User from '#models/user'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { sqlTime } from '#app/platform/db_helpers'

/*
| C 9.3 定期开展质量抽查: a spot check draws a random sample of a clinic's recent
| exams (those with images). The draw is seeded, so the same seed over the same
| exams draws the same sample (an auditor can repeat it). The sample becomes a
| centralised QC session of the quality-control capability (openQcSessionForSpotCheck).
*/

/** `size` of `ids` drawn with the seed, in id order: quality control's reproducible draw, so an auditor can repeat it. */
export function drawSample(ids: number[], size: number, seed: number) {
  return sampleOf(ids, size, `spot-check:${seed}`)
}

export const MAX_SAMPLE = 100

/**
 * C 9.3: the sample becomes a centralised QC session of the quality-control
 * capability (app/quality), worked through by the QC officers like any other;
 * its scores then count in the clinic's quarter (assessments.spot_check_pass_rate).
 */
export async function openQcSessionForSpotCheck(spotCheck: {
  id: number
  institutionId: number
  examIds: number[]
  openedBy: User
}): Promise<number | null> {
  if (spotCheck.examIds.length === 0) return null
  const clinic = await db
    .from('institutions')
    .where('id', spotCheck.institutionId)
    .select('name')
    .first()
  const sessions = await app.container.make(QcSessions)
  const session = await sessions.open({
    title: `${clinic?.name ?? ''} 质量抽查 #${spotCheck.id}`,
    purpose: 'spot_check',
    examIds: spotCheck.examIds,
    openedBy: spotCheck.openedBy.id,
  })
  return session.id
}

@inject()
export class SpotChecks {
  constructor(protected clock: Clock) {}

  async draw(
    user: User,
    input: { institutionId: number; days: number; size: number; seed?: number }
  ) {
    const clinic = await db
      .from('institutions')
      .where('id', input.institutionId)
      .where('kind', 'member_clinic')
      .first()
    if (!clinic) throw new DomainRefusal('unknown_clinic', 'assessments.refusals.unknown_clinic')
    if (!(input.size >= 1 && input.size <= MAX_SAMPLE))
      throw new DomainRefusal(
        'sample_size_out_of_range',
        'assessments.refusals.sample_size_out_of_range',
        { max: MAX_SAMPLE }
      )
    const to = this.clock.now()
    const from = to.minus({ days: input.days })
    const ids = (
      await db
        .from('exams')
        .where('institution_id', input.institutionId)
        .whereNotNull('images_received_at')
        .where('images_received_at', '>=', sqlTime(from))
        .where('images_received_at', '<', sqlTime(to))
        .orderBy('id')
        .select('id')
    ).map((r: any) => Number(r.id))
    if (ids.length === 0)
      throw new DomainRefusal('no_recent_exams', 'assessments.refusals.no_recent_exams')
    const seed = input.seed ?? Math.floor(Math.random() * 2 ** 31)
    const sample = drawSample(ids, input.size, seed)
    const id = await db.transaction(async (trx) => {
      const [spotCheckId] = await trx.table('spot_checks').insert({
        institution_id: input.institutionId,
        seed,
        sample_size: sample.length,
        window_from: sqlTime(from),
        window_to: sqlTime(to),
        created_by_id: user.id,
        created_at: sqlTime(to),
      })
      await trx
        .table('spot_check_exams')
        .multiInsert(sample.map((examId) => ({ spot_check_id: spotCheckId, exam_id: examId })))
      return Number(spotCheckId)
    })
    const sessionId = await openQcSessionForSpotCheck({
      id,
      institutionId: input.institutionId,
      examIds: sample,
      openedBy: user,
    })
    if (sessionId !== null)
      await db.from('spot_checks').where('id', id).update({ qc_session_id: sessionId })
    return { id, seed, examIds: sample, qcSessionId: sessionId }
  }

  async list(institutionId?: number) {
    const q = db
      .from('spot_checks as c')
      .join('institutions as i', 'i.id', 'c.institution_id')
      .orderBy('c.created_at', 'desc')
      .limit(100)
      .select('c.*', 'i.name as clinic_name')
    if (institutionId) q.where('c.institution_id', institutionId)
    return q
  }

  async exams(spotCheckId: number) {
    return db
      .from('spot_check_exams as s')
      .join('exams as e', 'e.id', 's.exam_id')
      .where('s.spot_check_id', spotCheckId)
      .orderBy('e.id')
      .select('e.id', 'e.accession_number', 'e.modality', 'e.status', 'e.images_received_at')
  }
}
