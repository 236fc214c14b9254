import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import type User from '#models/user'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { HiddenRecord } from '#app/platform/http/use_case'
import { sqlTime } from '#app/platform/db_helpers'
import { OTHER_REASON, isRepeatReason } from '#app/recognition/services/repeat_reasons'
import { seesAllClinicsFigures } from '#app/recognition/recognition_access'

/*
| A receiving institution (upper-level or peer) that refuses one of our
| results records why, with the same codes as a re-examination (R 6.7,
| H 三(五)); the refusals count against the item's QC (recognition.refusals).
*/
export interface RefusalInput {
  accessionNumber: string
  reasonCode: string
  reasonText?: string | null
  /** the centre recording on a receiving institution's word names it; a clinic refuses as itself */
  refusingInstitutionId?: number | null
}

@inject()
export class RecognitionRefusals {
  constructor(protected clock: Clock) {}

  async record(user: User, input: RefusalInput) {
    if (!isRepeatReason(input.reasonCode))
      throw new DomainRefusal('reason_missing', 'recognition.refusals.reason_missing')
    if (input.reasonCode === OTHER_REASON && !(input.reasonText ?? '').trim())
      throw new DomainRefusal('reason_text_missing', 'recognition.refusals.reason_text_missing')
    const exam = await db.from('exams').where('accession_number', input.accessionNumber).first()
    if (!exam) throw DomainRefusal.notFound('exam')
    let refusingId = user.institutionId
    if (seesAllClinicsFigures(user)) {
      if (!input.refusingInstitutionId)
        throw new DomainRefusal(
          'refusing_institution_missing',
          'recognition.refusals.refusing_institution_missing'
        )
      const refusing = await db
        .from('institutions')
        .where('id', input.refusingInstitutionId)
        .first()
      if (!refusing) throw DomainRefusal.notFound('institution')
      refusingId = Number(refusing.id)
    } else {
      // A clinic refuses a result it was offered: one of its own patients', from another institution.
      const ours = await db
        .from('clinic_patients')
        .where('patient_id', exam.patient_id)
        .where('institution_id', user.institutionId)
        .first()
      if (!ours) throw new HiddenRecord('exam', Number(exam.id))
      if (Number(exam.institution_id) === user.institutionId)
        throw new DomainRefusal('own_result', 'recognition.refusals.own_result')
    }
    if (refusingId === Number(exam.institution_id))
      throw new DomainRefusal('own_result', 'recognition.refusals.own_result')
    const item = await db.from('exam_exam_items').where('exam_id', exam.id).first()
    const [id] = await db.table('recognition_refusals').insert({
      exam_id: exam.id,
      institution_id: exam.institution_id,
      exam_item_id: item?.exam_item_id ?? null,
      refusing_institution_id: refusingId,
      reason_code: input.reasonCode,
      reason_text: input.reasonText?.trim() || null,
      recorded_by_id: user.id,
      refused_at: sqlTime(this.clock.now()),
    })
    return { id: Number(id), examId: Number(exam.id) }
  }

  /** Refusals per clinic whose result was refused, over [from, to). */
  async countsByClinic(from: DateTime, to: DateTime, clinicIds: number[]) {
    if (!clinicIds.length) return new Map<number, number>()
    const rows = await db
      .from('recognition_refusals')
      .whereIn('institution_id', clinicIds)
      .where('refused_at', '>=', sqlTime(from))
      .where('refused_at', '<', sqlTime(to))
      .groupBy('institution_id')
      .select('institution_id')
      .count('* as n')
    return new Map(rows.map((r) => [Number(r.institution_id), Number(r.n)]))
  }

  list(user: User, institutionId?: number) {
    return db
      .from('recognition_refusals')
      .join('exams', 'exams.id', 'recognition_refusals.exam_id')
      .join(
        'institutions as refusing',
        'refusing.id',
        'recognition_refusals.refusing_institution_id'
      )
      .join('institutions as performer', 'performer.id', 'recognition_refusals.institution_id')
      .if(!seesAllClinicsFigures(user), (q) =>
        q.where((w) =>
          w
            .where('recognition_refusals.institution_id', user.institutionId)
            .orWhere('recognition_refusals.refusing_institution_id', user.institutionId)
        )
      )
      .if(institutionId, (q) => q.where('recognition_refusals.institution_id', institutionId!))
      .select(
        'recognition_refusals.*',
        'exams.accession_number',
        'refusing.name as refusing_name',
        'performer.name as performer_name'
      )
      .orderBy('recognition_refusals.refused_at', 'desc')
      .limit(200)
  }
}

export interface RefusalCount {
  institutionId: number
  institution: string
  examItemId: number | null
  item: string | null
  catalogue: string | null
  modality: string | null
  /** refusals the receiving side recorded (RecognitionRefusals.record) */
  refused: number
  /** re-examinations decided instead of accepting one of this institution's exams at a reminder (R 6.6) */
  reExamined: number
  total: number
  /** reason code (R 6.7, H 三(五)) → count, both kinds together */
  reasons: Record<string, number>
}

/**
 * What counts against an institution × catalogue item in the QC reports (issue 13 point 6): the recorded refusals
 * of its results and the re-examinations decided instead of accepting its exam, by reason, over [from, to). A
 * re-examination is counted under the requested item (the same normalised item as the refused exam's, R 7.2);
 * results from outside the alliance (recognition_external_results) are not ours and are not counted.
 */
export async function refusalCounts(
  from: DateTime,
  to: DateTime,
  filter: { institutionId?: number; modality?: string } = {}
): Promise<RefusalCount[]> {
  const refusals = db
    .from('recognition_refusals')
    .leftJoin('exam_items', 'exam_items.id', 'recognition_refusals.exam_item_id')
    .where('recognition_refusals.refused_at', '>=', sqlTime(from))
    .where('recognition_refusals.refused_at', '<', sqlTime(to))
    .if(filter.institutionId, (q) =>
      q.where('recognition_refusals.institution_id', filter.institutionId!)
    )
    .if(filter.modality, (q) => q.where('exam_items.modality', filter.modality!))
    .groupBy(
      'recognition_refusals.institution_id',
      'recognition_refusals.exam_item_id',
      'recognition_refusals.reason_code'
    )
    .select(
      'recognition_refusals.institution_id',
      'recognition_refusals.exam_item_id',
      'recognition_refusals.reason_code'
    )
    .count('* as n')
  const reExaminations = db
    .from('recognition_decisions')
    .join('exam_items', 'exam_items.id', 'recognition_decisions.exam_item_id')
    .where('recognition_decisions.decision', 're_examined')
    .whereNotNull('recognition_decisions.earlier_exam_id')
    .where('recognition_decisions.decided_at', '>=', sqlTime(from))
    .where('recognition_decisions.decided_at', '<', sqlTime(to))
    .if(filter.institutionId, (q) =>
      q.where('recognition_decisions.earlier_institution_id', filter.institutionId!)
    )
    .if(filter.modality, (q) => q.where('exam_items.modality', filter.modality!))
    .groupBy(
      'recognition_decisions.earlier_institution_id',
      'recognition_decisions.exam_item_id',
      'recognition_decisions.reason_code'
    )
    .select(
      'recognition_decisions.earlier_institution_id as institution_id',
      'recognition_decisions.exam_item_id',
      'recognition_decisions.reason_code'
    )
    .count('* as n')
  const [refusedRows, reExaminedRows] = await Promise.all([refusals, reExaminations])
  const counts = new Map<string, RefusalCount>()
  const add = (row: any, kind: 'refused' | 'reExamined') => {
    const key = `${row.institution_id}|${row.exam_item_id ?? ''}`
    const entry = counts.get(key) ?? {
      institutionId: Number(row.institution_id),
      institution: '',
      examItemId: row.exam_item_id === null ? null : Number(row.exam_item_id),
      item: null,
      catalogue: null,
      modality: null,
      refused: 0,
      reExamined: 0,
      total: 0,
      reasons: {},
    }
    const n = Number(row.n)
    entry[kind] += n
    entry.total += n
    const reason = String(row.reason_code ?? '')
    entry.reasons[reason] = (entry.reasons[reason] ?? 0) + n
    counts.set(key, entry)
  }
  for (const row of refusedRows) add(row, 'refused')
  for (const row of reExaminedRows) add(row, 'reExamined')
  if (!counts.size) return []
  const entries = [...counts.values()]
  const [institutions, items] = await Promise.all([
    db
      .from('institutions')
      .whereIn('id', [...new Set(entries.map((e) => e.institutionId))])
      .select('id', 'name'),
    db
      .from('exam_items')
      .whereIn('id', [
        ...new Set(entries.flatMap((e) => (e.examItemId === null ? [] : [e.examItemId]))),
      ])
      .select('id', 'name', 'catalogue', 'modality'),
  ])
  const institutionName = new Map(institutions.map((i) => [Number(i.id), i.name as string]))
  const itemById = new Map(items.map((i) => [Number(i.id), i]))
  for (const entry of entries) {
    entry.institution = institutionName.get(entry.institutionId) ?? ''
    const item = entry.examItemId === null ? null : itemById.get(entry.examItemId)
    entry.item = item?.name ?? null
    entry.catalogue = item?.catalogue ?? null
    entry.modality = item?.modality ?? null
  }
  return entries.sort(
    (a, b) =>
      b.total - a.total ||
      a.institution.localeCompare(b.institution) ||
      (a.item ?? '').localeCompare(b.item ?? '')
  )
}
