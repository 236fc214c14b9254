import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type Exam from '#models/exam'
import type User from '#models/user'
import { Clock } from '#app/platform/clock'
import { currentChecklists, roleItems } from '#app/quality/services/checklists'
import { markFor, missingForcedItems } from '#app/quality/services/forced_qc'
import { scoredFor } from '#app/quality/services/qc_scoring'
import { FORCED_ITEMS, QC_ITEMS, type QcItem } from '#app/quality/services/scoring'

/*
| What the QC form of one exam shows: the items this person may score, each
| with its current checklist and who it scores, the scores already given, the
| random-QC mark, and the automatic checks' findings.
*/

@inject()
export class QcForms {
  constructor(protected clock: Clock) {}

  async forExam(user: User, exam: Exam) {
    const now = this.clock.now()
    const [checklists, grants, scores, findings, followups] = await Promise.all([
      currentChecklists(now),
      roleItems(now),
      db
        .from('qc_scores')
        .leftJoin('users', 'users.id', 'qc_scores.scorer_id')
        .leftJoin('qc_checklists', 'qc_checklists.id', 'qc_scores.checklist_id')
        .where('exam_id', exam.id)
        .whereNotIn('mode', ['gold', 'arbitration'])
        .orderBy('qc_scores.id')
        .select(
          'qc_scores.*',
          'users.full_name as scorer_name',
          'qc_checklists.version as checklist_version'
        ),
      examFindings(exam.id),
      db.from('qc_followups').where('exam_id', exam.id).orderBy('id'),
    ])
    const allowed = grants.get(user.role) ?? new Set<QcItem>()
    const items = []
    for (const item of QC_ITEMS) {
      if (!allowed.has(item)) continue
      const who = await scoredFor(exam, item).catch(() => null)
      items.push({
        item,
        checklist: checklists.get(item)!,
        scored: who,
        own: who?.userId === user.id,
        scorable: Boolean(who) || item === 'application_form',
      })
    }
    const working = await db
      .from('report_versions')
      .where('exam_id', exam.id)
      .orderBy('version_no', 'desc')
      .first()
    const mark = working ? await markFor(exam, working.author_id, now) : null
    const missing = mark?.marked ? await missingForcedItems(exam.id) : []
    return {
      exam,
      items,
      forcedItems: FORCED_ITEMS,
      mark,
      missing,
      scores: scores.map((s: any) => ({
        id: Number(s.id),
        item: s.item,
        score: Number(s.score),
        band: s.band,
        passed: Boolean(s.passed),
        note: s.note,
        mode: s.mode,
        scorerName: s.scorer_name,
        scoredName: s.scored_name,
        checklistVersion: Number(s.checklist_version),
        scoredAt: s.scored_at,
      })),
      findings,
      followups: followups.map((f: any) => ({
        source: f.source,
        outcome: f.outcome,
        agreed: Boolean(f.agreed),
        recordedAt: f.recorded_at,
      })),
    }
  }

  /** The small panel on the reading page: the mark and what forced QC still needs. */
  async readingPanel(user: User, exam: Exam) {
    const form = await this.forExam(user, exam)
    return {
      ...form,
      items: form.items.filter((i) => FORCED_ITEMS.includes(i.item) || form.mark?.marked === false),
    }
  }
}

export async function examFindings(examId: number) {
  const rows = await db.from('qc_findings').where('exam_id', examId).orderBy('id')
  return rows.map((r: any) => ({
    id: Number(r.id),
    stage: r.stage,
    code: r.code,
    details: r.details ? JSON.parse(r.details) : {},
    overrideReason: r.override_reason,
    foundAt: r.found_at,
  }))
}
