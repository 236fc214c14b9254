import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type Exam from '#models/exam'
import type User from '#models/user'
import type { DateTime } from 'luxon'
import { Clock } from '#app/platform/clock'
import { sqlTime } from '#app/platform/db_helpers'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { realtime, rooms } from '#app/realtime/realtime'
import {
  checklistById,
  currentChecklists,
  roleItems,
  type Checklist,
} from '#app/quality/services/checklists'
import {
  IMAGE_ITEMS,
  QC_ITEMS,
  parseRule,
  scoreItem,
  type QcItem,
} from '#app/quality/services/scoring'

/*
| Scoring one QC item of one exam (Q 4.1, Q 7.1). Who is scored follows the
| item: the image items the technologist who acquired the study (picked from
| the clinic's roster at upload, else DICOM Operators' Name matched to the
| roster) and the clinic; the
| application form the clinic (who registered it); the report its author; the
| review its signer. Nobody scores their own work.
*/

export const QC_MODES = ['random', 'active', 'centralised', 'gold', 'arbitration'] as const
export type QcMode = (typeof QC_MODES)[number]

export interface ScoreInput {
  item: QcItem
  checklistId: number
  /** ids of ticked findings (application form) and severe findings */
  findings: number[]
  /** ids of the criteria met */
  criteria: number[]
  note?: string | null
  mode: QcMode
  sessionId?: number | null
  goldCaseId?: number | null
}

export interface Scored {
  userId: number | null
  staffId: number | null
  name: string | null
}

/** Who an item of this exam scores. */
export async function scoredFor(exam: Exam, item: QcItem): Promise<Scored> {
  if (IMAGE_ITEMS.includes(item)) {
    // The technologist the clinic picked at upload comes first (checked against its roster then).
    const picked = exam.technologistStaffId
      ? await db
          .from('staff_members')
          .where('id', exam.technologistStaffId)
          .where('institution_id', exam.institutionId)
          .select('id', 'full_name', 'user_id')
          .first()
      : null
    if (picked)
      return { userId: picked.user_id ?? null, staffId: Number(picked.id), name: picked.full_name }
    const tech = await db.from('qc_exam_technologists').where('exam_id', exam.id).first()
    return {
      userId: tech?.user_id ?? null,
      staffId: tech?.staff_member_id ?? null,
      name: tech?.operator_name ?? null,
    }
  }
  if (item === 'application_form') {
    const by = exam.registeredById
      ? await db.from('users').where('id', exam.registeredById).select('id', 'full_name').first()
      : null
    return { userId: by?.id ?? null, staffId: null, name: by?.full_name ?? null }
  }
  const versions = await db
    .from('report_versions')
    .where('exam_id', exam.id)
    .orderBy('version_no', 'desc')
  const signed = versions.find((v: any) => v.status === 'signed')
  if (item === 'review_quality') {
    if (!signed?.signer_id)
      throw new DomainRefusal('not_signed_yet', 'quality.refusals.not_signed_yet', {}, 409)
    return personOf(signed.signer_id)
  }
  const version = signed ?? versions.find((v: any) => v.submitted_at)
  if (!version) throw new DomainRefusal('no_report_yet', 'quality.refusals.no_report_yet', {}, 409)
  return personOf(version.author_id)
}

async function personOf(userId: number): Promise<Scored> {
  const user = await db.from('users').where('id', userId).select('id', 'full_name').first()
  return { userId: user?.id ?? null, staffId: null, name: user?.full_name ?? null }
}

/** The rule-level check of ticked entries: they belong to this checklist version and the right kinds. */
export function tickedOn(checklist: Checklist, input: Pick<ScoreInput, 'findings' | 'criteria'>) {
  const byId = new Map(checklist.entries.map((e) => [e.id, e]))
  const findings = [...new Set(input.findings)]
  const criteria = [...new Set(input.criteria)]
  for (const id of findings) {
    const entry = byId.get(id)
    if (!entry || entry.kind === 'criterion')
      throw new DomainRefusal('foreign_entry', 'quality.refusals.foreign_entry', {}, 422)
  }
  for (const id of criteria) {
    const entry = byId.get(id)
    if (!entry || entry.kind !== 'criterion')
      throw new DomainRefusal('foreign_entry', 'quality.refusals.foreign_entry', {}, 422)
  }
  return {
    findings,
    criteria,
    counts: {
      severe: findings.filter((id) => byId.get(id)!.kind === 'severe').length,
      findings: findings.filter((id) => byId.get(id)!.kind === 'finding').length,
      met: criteria.length,
    },
  }
}

/** May this person score this item at all (graded QC, Q 7.2.2)? */
export async function mayScoreItem(user: User, item: QcItem, now: DateTime) {
  return Boolean((await roleItems(now)).get(user.role)?.has(item))
}

@inject()
export class QcScoring {
  constructor(protected clock: Clock) {}

  async itemsFor(user: User) {
    return [...((await roleItems(this.clock.now())).get(user.role) ?? [])].sort(
      (a, b) => QC_ITEMS.indexOf(a) - QC_ITEMS.indexOf(b)
    )
  }

  async checklists() {
    return currentChecklists(this.clock.now())
  }

  /** Scores one item; the score is computed here from what was ticked. */
  async score(user: User, exam: Exam, input: ScoreInput) {
    const now = this.clock.now()
    if (!QC_ITEMS.includes(input.item))
      throw new DomainRefusal('unknown_item', 'quality.refusals.unknown_item')
    const allowed = (await roleItems(now)).get(user.role)
    if (!allowed?.has(input.item) && input.mode !== 'gold' && input.mode !== 'arbitration') {
      throw new DomainRefusal('item_not_yours', 'quality.refusals.item_not_yours', {}, 403)
    }
    const checklist = await checklistById(input.checklistId)
    if (!checklist || checklist.item !== input.item)
      throw new DomainRefusal('foreign_entry', 'quality.refusals.foreign_entry', {}, 422)
    if (!checklist.active)
      throw new DomainRefusal('checklist_outdated', 'quality.refusals.checklist_outdated', {}, 409)
    const ticked = tickedOn(checklist, input)
    const scored = await scoredFor(exam, input.item)
    await ownWorkRefusal(user, exam, input.item, scored)
    const result = scoreItem(parseRule(checklist.rule), ticked.counts)
    const flags = imageFlags(checklist, ticked)
    const [id] = await db.table('qc_scores').insert({
      exam_id: exam.id,
      item: input.item,
      checklist_id: checklist.id,
      score: result.score,
      band: result.band,
      passed: result.passed,
      findings: JSON.stringify(ticked.findings),
      criteria: JSON.stringify(ticked.criteria),
      note: input.note?.trim() || null,
      artefact: flags.artefact,
      waste_film: flags.wasteFilm,
      scored_user_id: scored.userId,
      scored_staff_id: scored.staffId,
      scored_name: scored.name,
      institution_id: exam.institutionId,
      modality: exam.modality,
      scorer_id: user.id,
      mode: input.mode,
      session_id: input.sessionId ?? null,
      gold_case_id: input.goldCaseId ?? null,
      scored_at: sqlTime(now),
    })
    if (input.sessionId) {
      await db
        .from('qc_session_exams')
        .where('session_id', input.sessionId)
        .where('exam_id', exam.id)
        .whereNull('done_at')
        .update({ done_at: sqlTime(now) })
    }
    const saved = {
      id: Number(id),
      examId: exam.id,
      item: input.item,
      checklistId: checklist.id,
      checklistVersion: checklist.version,
      ...result,
      scored,
    }
    if (!result.passed && input.mode !== 'gold') notifyFailure(exam, saved)
    return saved
  }
}

/**
 * C 9.2.2 asks for waste-film and artefact rates: an image-quality score whose
 * artefact criterion (伪影) is not met counts as an artefact; one with a severe
 * finding that makes the images unusable (无诊断价值, 需要重复检查) as waste.
 * Read from the entries' texts, so a QC administrator's edited version keeps them.
 */
export function imageFlags(
  checklist: Checklist,
  ticked: { findings: number[]; criteria: number[] }
) {
  if (checklist.item !== 'image_quality') return { artefact: false, wasteFilm: false }
  const artefactCriterion = checklist.entries.find(
    (e) => e.kind === 'criterion' && e.text.startsWith('伪影')
  )
  const wasteIds = checklist.entries
    .filter((e) => e.kind === 'severe' && /无诊断价值|重复检查/.test(e.text))
    .map((e) => e.id)
  return {
    artefact: Boolean(artefactCriterion && !ticked.criteria.includes(artefactCriterion.id)),
    wasteFilm: ticked.findings.some((id) => wasteIds.includes(id)),
  }
}

/** Q 7.1: a failed score is news for the person scored and their clinic. */
function notifyFailure(
  exam: Exam,
  saved: { id: number; item: QcItem; score: number; scored: Scored }
) {
  const payload = {
    scoreId: saved.id,
    examId: exam.id,
    accessionNumber: exam.accessionNumber,
    item: saved.item,
    score: saved.score,
  }
  if (saved.scored.userId) realtime.emit(rooms.user(saved.scored.userId), 'quality:failed', payload)
  realtime.emit(rooms.institution(exam.institutionId), 'quality:failed', payload)
}

/** Nobody scores their own work: their report, their signature, the images they acquired. */
export async function ownWorkRefusal(user: User, exam: Exam, item: QcItem, scored?: Scored) {
  const who = scored ?? (await scoredFor(exam, item).catch(() => null))
  if (who?.userId === user.id)
    throw new DomainRefusal('own_work', 'quality.refusals.own_work', {}, 403)
  // The image items also belong to the clinic: its own staff do not score them.
  if (
    IMAGE_ITEMS.includes(item) &&
    user.role === 'clinic_staff' &&
    user.institutionId === exam.institutionId
  ) {
    throw new DomainRefusal('own_work', 'quality.refusals.own_work', {}, 403)
  }
}
