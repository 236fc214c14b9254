import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import Exam from '#models/exam'
import User from '#models/user'
import { Clock } from '#app/platform/clock'
import { sqlTime } from '#app/platform/db_helpers'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { readsForAlliance } from '#app/access/visibility'
import { QcScoring, ownWorkRefusal, scoredFor } from '#app/quality/services/qc_scoring'
import type { QcItem } from '#app/quality/services/scoring'

/*
| Gold standard (Q 7.3.1): two senior (高级) radiologists score an exam's item
| independently, blind to each other and to the author's and clinic's names;
| when their scores differ a third senior decides, and the final result is
| recorded with all three. Nobody scores their own work.
*/

export type GoldStatus = 'reviewing' | 'arbitration' | 'decided'

async function senior(id: number) {
  const user = await User.query()
    .where('id', id)
    .where('status', 'active')
    .preload('institution')
    .first()
  if (!user || user.role !== 'radiologist' || user.title !== 'senior' || !readsForAlliance(user)) {
    throw new DomainRefusal('gold_not_senior', 'quality.refusals.gold_not_senior', {}, 422)
  }
  return user
}

@inject()
export class GoldStandard {
  constructor(
    protected clock: Clock,
    protected scoring: QcScoring
  ) {}

  async open(
    by: User,
    exam: Exam,
    input: {
      item: QcItem
      firstReviewerId: number
      secondReviewerId: number
      arbiterId?: number | null
    }
  ) {
    const ids = [input.firstReviewerId, input.secondReviewerId, input.arbiterId].filter(
      Boolean
    ) as number[]
    if (new Set(ids).size !== ids.length)
      throw new DomainRefusal('gold_same_reviewer', 'quality.refusals.gold_same_reviewer')
    const reviewers = await Promise.all(ids.map(senior))
    const scored = await scoredFor(exam, input.item)
    for (const reviewer of reviewers)
      await ownWorkRefusal(reviewer, exam, input.item, scored).catch(() => {
        throw new DomainRefusal('gold_own_work', 'quality.refusals.gold_own_work', {}, 422)
      })
    const open = await db
      .from('qc_gold_cases')
      .where('exam_id', exam.id)
      .where('item', input.item)
      .whereNot('status', 'decided')
      .first()
    if (open)
      throw new DomainRefusal('gold_already_open', 'quality.refusals.gold_already_open', {}, 409)
    const [id] = await db.table('qc_gold_cases').insert({
      exam_id: exam.id,
      item: input.item,
      status: 'reviewing',
      first_reviewer_id: input.firstReviewerId,
      second_reviewer_id: input.secondReviewerId,
      arbiter_id: input.arbiterId ?? null,
      opened_by_id: by.id,
      opened_at: sqlTime(this.clock.now()),
    })
    return this.find(Number(id))
  }

  async find(id: number) {
    const row = await db.from('qc_gold_cases').where('id', id).first()
    if (!row) return null
    return {
      id: Number(row.id),
      examId: Number(row.exam_id),
      item: row.item as QcItem,
      status: row.status as GoldStatus,
      firstReviewerId: Number(row.first_reviewer_id),
      secondReviewerId: Number(row.second_reviewer_id),
      arbiterId: row.arbiter_id ? Number(row.arbiter_id) : null,
      finalScore: row.final_score === null ? null : Number(row.final_score),
      openedById: Number(row.opened_by_id),
    }
  }

  /** The part this person plays in the case, if any. */
  roleIn(user: User, gold: NonNullable<Awaited<ReturnType<GoldStandard['find']>>>) {
    if (gold.firstReviewerId === user.id) return 'first' as const
    if (gold.secondReviewerId === user.id) return 'second' as const
    if (gold.arbiterId === user.id) return 'arbiter' as const
    if (user.role === 'qc_officer') return 'officer' as const
    return null
  }

  /**
   * What this person may see of the case: a reviewer sees only their own score
   * until the case is decided; the arbiter sees both once arbitration is asked;
   * the QC officer sees everything once it is decided (before, only who has
   * scored, so nobody can pass a score on).
   */
  async view(user: User, goldId: number) {
    const gold = await this.find(goldId)
    if (!gold) throw DomainRefusal.notFound('gold_case')
    const role = this.roleIn(user, gold)
    if (!role) throw DomainRefusal.notFound('gold_case')
    const scores = await db.from('qc_scores').where('gold_case_id', gold.id).orderBy('id')
    const mine = scores.find((s: any) => Number(s.scorer_id) === user.id) ?? null
    const decided = gold.status === 'decided'
    const visible = scores.filter(
      (s: any) =>
        decided ||
        Number(s.scorer_id) === user.id ||
        (role === 'arbiter' && gold.status === 'arbitration')
    )
    // Reviewers do not learn who the other reviewer is either.
    const shown =
      role === 'officer' || decided
        ? gold
        : { ...gold, firstReviewerId: 0, secondReviewerId: 0, arbiterId: null, openedById: 0 }
    return {
      gold: shown,
      role,
      mine: mine ? shape(mine) : null,
      scores: visible.map(shape),
      submitted: scores.map((s: any) => ({ scorerId: Number(s.scorer_id), mode: s.mode })),
    }
  }

  async review(
    user: User,
    goldId: number,
    input: { checklistId: number; findings: number[]; criteria: number[]; note?: string | null }
  ) {
    const gold = await this.find(goldId)
    if (!gold) throw DomainRefusal.notFound('gold_case')
    const role = this.roleIn(user, gold)
    if (!role || role === 'officer') throw DomainRefusal.notFound('gold_case')
    if (gold.status === 'decided')
      throw new DomainRefusal('gold_decided', 'quality.refusals.gold_decided', {}, 409)
    if (role === 'arbiter' && gold.status !== 'arbitration')
      throw new DomainRefusal(
        'gold_not_arbitration',
        'quality.refusals.gold_not_arbitration',
        {},
        409
      )
    if (role !== 'arbiter' && gold.status !== 'reviewing')
      throw new DomainRefusal('gold_not_reviewing', 'quality.refusals.gold_not_reviewing', {}, 409)
    const already = await db
      .from('qc_scores')
      .where('gold_case_id', gold.id)
      .where('scorer_id', user.id)
      .first()
    if (already)
      throw new DomainRefusal(
        'gold_already_scored',
        'quality.refusals.gold_already_scored',
        {},
        409
      )
    const exam = await Exam.findOrFail(gold.examId)
    const saved = await this.scoring.score(user, exam, {
      ...input,
      item: gold.item,
      mode: role === 'arbiter' ? 'arbitration' : 'gold',
      goldCaseId: gold.id,
    })
    const now = sqlTime(this.clock.now())
    if (role === 'arbiter') {
      await db
        .from('qc_gold_cases')
        .where('id', gold.id)
        .where('status', 'arbitration')
        .update({ status: 'decided', final_score: saved.score, decided_at: now })
    } else {
      const both = await db
        .from('qc_scores')
        .where('gold_case_id', gold.id)
        .whereIn('mode', ['gold'])
      if (both.length >= 2) {
        const [a, b] = both.map((s: any) => Number(s.score))
        if (a === b)
          await db
            .from('qc_gold_cases')
            .where('id', gold.id)
            .where('status', 'reviewing')
            .update({ status: 'decided', final_score: a, decided_at: now })
        else
          await db
            .from('qc_gold_cases')
            .where('id', gold.id)
            .where('status', 'reviewing')
            .update({ status: 'arbitration' })
      }
    }
    return { saved, gold: await this.find(gold.id) }
  }

  /** A third senior for a case in arbitration that has none yet. */
  async assignArbiter(goldId: number, arbiterId: number) {
    const gold = await this.find(goldId)
    if (!gold) throw DomainRefusal.notFound('gold_case')
    if ([gold.firstReviewerId, gold.secondReviewerId].includes(arbiterId))
      throw new DomainRefusal('gold_same_reviewer', 'quality.refusals.gold_same_reviewer')
    const arbiter = await senior(arbiterId)
    const exam = await Exam.findOrFail(gold.examId)
    await ownWorkRefusal(arbiter, exam, gold.item).catch(() => {
      throw new DomainRefusal('gold_own_work', 'quality.refusals.gold_own_work', {}, 422)
    })
    await db
      .from('qc_gold_cases')
      .where('id', gold.id)
      .whereNot('status', 'decided')
      .update({ arbiter_id: arbiterId })
    return this.find(gold.id)
  }

  /** The cases waiting for this person (or, for the QC officer, every open one). */
  async waiting(user: User) {
    const q = db
      .from('qc_gold_cases')
      .join('exams', 'exams.id', 'qc_gold_cases.exam_id')
      .whereNot('qc_gold_cases.status', 'decided')
      .select('qc_gold_cases.*', 'exams.accession_number', 'exams.modality')
      .orderBy('qc_gold_cases.opened_at')
      .limit(100)
    if (user.role !== 'qc_officer') {
      q.where((w) =>
        w
          .where((x) =>
            x
              .where('qc_gold_cases.status', 'reviewing')
              .where((y) =>
                y.where('first_reviewer_id', user.id).orWhere('second_reviewer_id', user.id)
              )
          )
          .orWhere((x) =>
            x.where('qc_gold_cases.status', 'arbitration').where('arbiter_id', user.id)
          )
      )
      q.whereNotExists((s) =>
        s
          .from('qc_scores')
          .whereRaw('qc_scores.gold_case_id = qc_gold_cases.id')
          .where('qc_scores.scorer_id', user.id)
      )
    }
    return (await q).map((r: any) => ({
      id: Number(r.id),
      examId: Number(r.exam_id),
      accessionNumber: r.accession_number,
      modality: r.modality,
      item: r.item,
      status: r.status,
    }))
  }
}

function shape(s: any) {
  return {
    scorerId: Number(s.scorer_id),
    mode: s.mode,
    score: Number(s.score),
    band: s.band,
    note: s.note,
    findings: JSON.parse(s.findings),
    criteria: JSON.parse(s.criteria),
  }
}
