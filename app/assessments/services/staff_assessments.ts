import db from '@adonisjs/lucid/services/db'
import { inject } from '@adonisjs/core'
import type User from '#models/user'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { sqlTime } from '#app/platform/db_helpers'

/*
| Staff assessment rounds (C 7.3.2, C 9.3: at least every half year): a written or
| practical test with a scale (0 … max) and a pass mark; one score per person.
*/

export interface RoundInput {
  title: string
  heldOn: string
  kind: 'written' | 'practical'
  maxScore: number
  passMark: number
}

@inject()
export class StaffAssessments {
  constructor(protected clock: Clock) {}

  async createRound(user: User, input: RoundInput) {
    if (!(input.maxScore > 0) || input.passMark < 0 || input.passMark > input.maxScore) {
      throw new DomainRefusal(
        'pass_mark_outside_scale',
        'assessments.refusals.pass_mark_outside_scale',
        { max: input.maxScore }
      )
    }
    const [id] = await db.table('assessment_rounds').insert({
      title: input.title,
      held_on: input.heldOn,
      kind: input.kind,
      max_score: input.maxScore,
      pass_mark: input.passMark,
      created_by_id: user.id,
      created_at: sqlTime(this.clock.now()),
    })
    return Number(id)
  }

  round(id: number) {
    return db.from('assessment_rounds').where('id', id).first()
  }

  rounds() {
    return db
      .from('assessment_rounds as r')
      .orderBy('r.held_on', 'desc')
      .limit(200)
      .select(
        'r.*',
        db.raw(
          '(SELECT COUNT(*) FROM assessment_scores s WHERE s.assessment_round_id = r.id) AS scored'
        ),
        db.raw(
          '(SELECT SUM(s.passed) FROM assessment_scores s WHERE s.assessment_round_id = r.id) AS passed_count'
        )
      )
  }

  /**
   * Records (or corrects) scores of one round. Refused as a whole, changing
   * nothing, when a score is outside 0 … the round's maximum or names someone not
   * on a roster.
   */
  async recordScores(roundId: number, scores: Array<{ staffMemberId: number; score: number }>) {
    const round = await this.round(roundId)
    if (!round) throw DomainRefusal.notFound('assessment_round')
    const max = Number(round.max_score)
    for (const entry of scores) {
      if (!Number.isFinite(entry.score) || entry.score < 0 || entry.score > max) {
        throw new DomainRefusal('score_outside_scale', 'assessments.refusals.score_outside_scale', {
          max,
        })
      }
    }
    const ids = [...new Set(scores.map((s) => s.staffMemberId))]
    const people = ids.length
      ? await db.from('staff_members').whereIn('id', ids).select('id', 'institution_id')
      : []
    if (people.length !== ids.length)
      throw new DomainRefusal('unknown_attendee', 'assessments.refusals.unknown_attendee')
    const clinicOf = new Map(people.map((p: any) => [Number(p.id), Number(p.institution_id)]))
    const now = sqlTime(this.clock.now())
    await db.transaction(async (trx) => {
      for (const entry of scores) {
        await trx
          .knexQuery()
          .table('assessment_scores')
          .insert({
            assessment_round_id: roundId,
            staff_member_id: entry.staffMemberId,
            institution_id: clinicOf.get(entry.staffMemberId),
            score: entry.score,
            passed: entry.score >= Number(round.pass_mark),
            created_at: now,
          })
          .onConflict(['assessment_round_id', 'staff_member_id'])
          .merge(['score', 'passed'])
      }
    })
    return scores.length
  }

  /** A round's scores by clinic: who passed, who did not. */
  async results(roundId: number, institutionId?: number) {
    const q = db
      .from('assessment_scores as s')
      .join('staff_members as m', 'm.id', 's.staff_member_id')
      .join('institutions as i', 'i.id', 's.institution_id')
      .where('s.assessment_round_id', roundId)
      .orderBy('i.name')
      .orderBy('m.full_name')
      .select('s.*', 'm.full_name', 'm.staff_no', 'i.name as clinic_name')
    if (institutionId) q.where('s.institution_id', institutionId)
    return q
  }
}
