import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { DatabaseQueryBuilderContract } from '@adonisjs/lucid/types/querybuilder'
import { DateTime } from 'luxon'
import type User from '#models/user'
import type Exam from '#models/exam'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { HiddenRecord } from '#app/platform/http/use_case'
import { sqlTime } from '#app/platform/db_helpers'
import {
  EligibilityFacts,
  type ResultToJudge,
  toDateTime,
} from '#app/recognition/services/eligibility'
import { itemKey, withinWindow } from '#app/recognition/services/recognition_rules'
import {
  MAX_WINDOW_DAYS,
  recognitionSettings,
} from '#app/recognition/services/recognition_settings'
import { OTHER_REASON, isRepeatReason } from '#app/recognition/services/repeat_reasons'

/*
| The repeat-exam reminder (R 6.5, R 6.6, H 三(四)): when a clinic registers an
| exam request, the same patient's results of the same normalised item (R 7.2)
| from the last month at an institution this clinic recognises are shown
| before anything is saved; the clinician accepts one (recorded, no new exam)
| or re-examines with a listed reason, having told the patient why.
| Intake's registration calls `check` before it saves and `record` in its
| transaction; the page and the API therefore run the same rule.
*/

export interface EarlierResult {
  kind: 'exam' | 'external'
  id: number
  institutionId: number
  institutionName: string
  performedAt: DateTime
  /** the accession number, or the external reference */
  reference: string
  itemId: number
  itemName: string
  findings: string | null
  impression: string | null
  /** the mark it carries for this clinic (the catalogue it is recognised under) */
  mark: string
}

export interface Reminder {
  /** the requested item */
  itemId: number
  itemName: string
  modality: string
  earlier: EarlierResult[]
  reminderId?: number
}

export interface RepeatDecisionInput {
  itemId: number
  decision: 'accept' | 're_examine'
  earlierExamId?: number
  earlierExternalId?: number
  reasonCode?: string
  reasonText?: string
  patientInformed?: boolean
}

export interface CheckInput {
  clinicPatientId: number
  itemIds: number[]
  decisions?: RepeatDecisionInput[]
  requestingDoctor: string
  purpose?: string | null
}

interface PlannedDecision {
  reminder: Reminder
  input: RepeatDecisionInput
  earlier: EarlierResult
}

export interface CheckOutcome {
  /** the items still to be registered as exams (the re-examined and the unreminded) */
  itemIds: number[]
  planned: PlannedDecision[]
  patientId: number
  clinicPatientId: number
  requestingDoctor: string
  purpose: string | null
}

/** A reminder the clinician has not answered yet: nothing was saved; answer it and send again. */
export class RepeatExamReminder extends DomainRefusal {
  constructor(public reminders: Reminder[]) {
    super('repeat_exam_reminder', 'recognition.reminder.pending', { count: reminders.length }, 409)
  }
}

const RESULT_STATUSES = ['signed', 'amended']

@inject()
export class RepeatExamCheck {
  constructor(protected clock: Clock) {}

  /** The clinic's patient: another clinic's is answered like a missing one. */
  protected async clinicPatient(user: User, clinicPatientId: number) {
    const row = await db
      .from('clinic_patients')
      .where('id', clinicPatientId)
      .where('institution_id', user.institutionId)
      .first()
    if (!row) throw DomainRefusal.notFound('patient')
    return { id: Number(row.id), patientId: Number(row.patient_id) }
  }

  /** Earlier results of these items for the clinic's patient, within the window, that this clinic recognises. */
  async remindersFor(user: User, clinicPatientId: number, itemIds: number[]): Promise<Reminder[]> {
    const patient = await this.clinicPatient(user, clinicPatientId)
    return this.find(user, patient.patientId, [...new Set(itemIds)])
  }

  protected async find(user: User, patientId: number, itemIds: number[]): Promise<Reminder[]> {
    if (!itemIds.length) return []
    const now = this.clock.now()
    /*
    | One round trip when nothing is found (every registration but a few): the patient's exams and the outside
    | results are read as one UNION ALL, each joined to the requested items (`wanted`) on modality and body
    | part, so nothing but candidates of the requested items comes back; the settings are read only when there
    | is a candidate. The reads are therefore bounded by the longest window the settings allow (R 6.5: a month by
    | default, at most LIMITS.window_days) and the configured one is applied below, with itemKey (R 7.2) the
    | judge of the same item. The exams are one range of an index on (patient_id, registered_at): one patient's
    | exams in that time, whatever the number of exams in the database (bench/recognition.ts).
    */
    // Images arrive after registration: a result performed inside the window was registered at most a little before it.
    const since = now.minus({ days: MAX_WINDOW_DAYS + 7 })
    const { candidatesQuery, externalQuery } = candidateQueries(patientId, itemIds, since)
    const rows = await candidatesQuery.unionAll(externalQuery, true)
    // nothing to remind (every registration but a few): one round trip, the settings are not needed
    if (!rows.length) return []
    const { window_days: windowDays } = await recognitionSettings()
    const requested = new Map<number, { id: number; name: string; modality: string }>()

    type Candidate = {
      earlier: Omit<EarlierResult, 'mark'>
      result: ResultToJudge
      requestedId: number
    }
    const found: Candidate[] = []
    for (const row of rows) {
      const kind = row.kind === 'external' ? ('external' as const) : ('exam' as const)
      const key = itemKey({
        modality: row.item_modality,
        bodyPart: row.body_part,
        method: row.method,
        position: row.position,
      })
      const wantedKey = itemKey({
        modality: row.wanted_modality,
        bodyPart: row.wanted_body_part,
        method: row.wanted_method,
        position: row.wanted_position,
      })
      if (key !== wantedKey) continue
      const wanted = {
        id: Number(row.wanted_id),
        name: row.wanted_name,
        modality: row.wanted_modality,
      }
      requested.set(wanted.id, wanted)
      const performedAt =
        kind === 'exam'
          ? toDateTime(row.images_received_at ?? row.registered_at)
          : toDateTime(row.performed_at)
      if (!withinWindow(performedAt, now, windowDays)) continue
      found.push({
        requestedId: Number(wanted.id),
        result: {
          performerId: Number(row.institution_id),
          modality: row.item_modality,
          performedAt,
          itemIds: [Number(row.item_id)],
        },
        earlier: {
          kind,
          id: Number(row.id),
          institutionId: Number(row.institution_id),
          institutionName: row.institution_name,
          performedAt,
          reference: row.reference,
          itemId: Number(row.item_id),
          itemName: row.item_name,
          findings: kind === 'external' ? row.findings : null,
          impression: kind === 'external' ? row.impression : null,
        },
      })
    }
    if (!found.length) return []

    const facts = await EligibilityFacts.load(
      found.map((c) => c.result),
      [user.institutionId]
    )
    const reports = await latestSignedReports(
      found.filter((c) => c.earlier.kind === 'exam').map((c) => c.earlier.id)
    )
    const reminders = new Map<number, Reminder>()
    for (const candidate of found) {
      const catalogue = facts.acceptedBy(
        user.institutionId,
        candidate.result,
        candidate.earlier.itemId
      )
      if (!catalogue) continue
      const report = candidate.earlier.kind === 'exam' ? reports.get(candidate.earlier.id) : null
      const earlier: EarlierResult = {
        ...candidate.earlier,
        mark: catalogue.mark,
        ...(report ? { findings: report.findings, impression: report.impression } : {}),
      }
      const wanted = requested.get(candidate.requestedId)!
      const reminder: Reminder = reminders.get(candidate.requestedId) ?? {
        itemId: candidate.requestedId,
        itemName: wanted.name,
        modality: wanted.modality,
        earlier: [],
      }
      reminder.earlier.push(earlier)
      reminders.set(candidate.requestedId, reminder)
    }
    for (const reminder of reminders.values())
      reminder.earlier.sort((a, b) => b.performedAt.toMillis() - a.performedAt.toMillis())
    return [...reminders.values()]
  }

  /** Counts a reminder as shown (H 四(四)): once per patient, item and earlier result a day, however often the form comes back. */
  async recordShown(user: User, clinicPatientId: number, patientId: number, reminders: Reminder[]) {
    const now = this.clock.now()
    for (const reminder of reminders) {
      const earliest = reminder.earlier[0]
      const existing = await db
        .from('recognition_reminders')
        .where('clinic_patient_id', clinicPatientId)
        .where('exam_item_id', reminder.itemId)
        .where(earliest.kind === 'exam' ? 'earlier_exam_id' : 'earlier_external_id', earliest.id)
        .where('shown_at', '>=', sqlTime(now.minus({ days: 1 })))
        .first()
      if (existing) {
        reminder.reminderId = Number(existing.id)
        continue
      }
      const [id] = await db.table('recognition_reminders').insert({
        institution_id: user.institutionId,
        patient_id: patientId,
        clinic_patient_id: clinicPatientId,
        exam_item_id: reminder.itemId,
        earlier_exam_id: earliest.kind === 'exam' ? earliest.id : null,
        earlier_external_id: earliest.kind === 'external' ? earliest.id : null,
        shown_to_id: user.id,
        shown_at: sqlTime(now),
      })
      reminder.reminderId = Number(id)
    }
  }

  /** The reminders of a request the person opens (the form, the API): counted as shown. */
  async show(user: User, clinicPatientId: number, itemIds: number[]) {
    const patient = await this.clinicPatient(user, clinicPatientId)
    const reminders = await this.find(user, patient.patientId, [...new Set(itemIds)])
    if (reminders.length) await this.recordShown(user, patient.id, patient.patientId, reminders)
    return reminders
  }

  /**
   * Before a request is saved: every reminded item needs a decision, and each decision must hold (an earlier
   * result that is one of the reminded ones; a listed reason, text for `other`, the patient told). Nothing
   * is written but the reminder count; `record` writes the decisions inside the registration's transaction.
   */
  async check(user: User, input: CheckInput): Promise<CheckOutcome> {
    const patient = await this.clinicPatient(user, input.clinicPatientId)
    const itemIds = [...new Set(input.itemIds)]
    const decisions = input.decisions ?? []
    const reminders = await this.find(user, patient.patientId, itemIds)
    const base = {
      patientId: patient.patientId,
      clinicPatientId: patient.id,
      requestingDoctor: input.requestingDoctor,
      purpose: input.purpose ?? null,
    }

    for (const decision of decisions) {
      if (decision.decision === 'accept' && !reminders.some((r) => r.itemId === decision.itemId)) {
        // a decision for an item nobody was reminded of: say why the earlier result does not count
        await this.refuseEarlier(patient.patientId, decision)
      }
    }
    if (!reminders.length) return { ...base, itemIds, planned: [] }

    await this.recordShown(user, patient.id, patient.patientId, reminders)
    const unanswered = reminders.filter((r) => !decisions.some((d) => d.itemId === r.itemId))
    if (unanswered.length) throw new RepeatExamReminder(reminders)

    const planned: PlannedDecision[] = []
    for (const reminder of reminders) {
      const decision = decisions.find((d) => d.itemId === reminder.itemId)!
      if (decision.decision === 'accept') {
        const earlier = reminder.earlier.find((e) =>
          decision.earlierExternalId
            ? e.kind === 'external' && e.id === decision.earlierExternalId
            : e.kind === 'exam' && e.id === decision.earlierExamId
        )
        if (!earlier) {
          await this.refuseEarlier(patient.patientId, decision)
          throw new DomainRefusal(
            'earlier_not_recognised',
            'recognition.refusals.earlier_not_recognised'
          )
        }
        planned.push({ reminder, input: decision, earlier })
      } else {
        if (!isRepeatReason(decision.reasonCode))
          throw new DomainRefusal('reason_missing', 'recognition.refusals.reason_missing')
        if (decision.reasonCode === OTHER_REASON && !(decision.reasonText ?? '').trim()) {
          throw new DomainRefusal('reason_text_missing', 'recognition.refusals.reason_text_missing')
        }
        if (!decision.patientInformed)
          throw new DomainRefusal(
            'patient_not_informed',
            'recognition.refusals.patient_not_informed'
          )
        planned.push({ reminder, input: decision, earlier: reminder.earlier[0] })
      }
    }
    const acceptedItems = new Set(
      planned.filter((p) => p.input.decision === 'accept').map((p) => p.reminder.itemId)
    )
    return { ...base, itemIds: itemIds.filter((id) => !acceptedItems.has(id)), planned }
  }

  /** Why a named earlier result cannot be accepted: not this clinic's to see (404), too old, another item, not recognised. */
  protected async refuseEarlier(patientId: number, decision: RepeatDecisionInput): Promise<never> {
    if (decision.earlierExamId) {
      const exam = await db.from('exams').where('id', decision.earlierExamId).first()
      if (!exam || Number(exam.patient_id) !== patientId)
        throw new HiddenRecord('exam', decision.earlierExamId)
      const { window_days: windowDays } = await recognitionSettings()
      if (
        !withinWindow(
          toDateTime(exam.images_received_at ?? exam.registered_at),
          this.clock.now(),
          windowDays
        )
      ) {
        throw new DomainRefusal(
          'earlier_outside_window',
          'recognition.refusals.earlier_outside_window',
          { days: windowDays }
        )
      }
      const items = await db
        .from('exam_exam_items')
        .join('exam_items', 'exam_items.id', 'exam_exam_items.exam_item_id')
        .where('exam_id', exam.id)
        .select('exam_items.*')
      const wanted = await db.from('exam_items').where('id', decision.itemId).first()
      const sameItem =
        wanted &&
        items.some(
          (i) =>
            itemKey({
              modality: i.modality,
              bodyPart: i.body_part,
              method: i.method,
              position: i.position,
            }) ===
            itemKey({
              modality: wanted.modality,
              bodyPart: wanted.body_part,
              method: wanted.method,
              position: wanted.position,
            })
        )
      if (!sameItem)
        throw new DomainRefusal('earlier_other_item', 'recognition.refusals.earlier_other_item')
    } else if (decision.earlierExternalId) {
      const external = await db
        .from('recognition_external_results')
        .where('id', decision.earlierExternalId)
        .first()
      if (!external || Number(external.patient_id) !== patientId)
        throw new HiddenRecord('external_result', decision.earlierExternalId)
    }
    throw new DomainRefusal('earlier_not_recognised', 'recognition.refusals.earlier_not_recognised')
  }

  /** Writes the decisions (R 6.6: result, institution, exam time, reference) in the registration's transaction. */
  async record(user: User, outcome: CheckOutcome, exams: Exam[], trx: TransactionClientContract) {
    const now = this.clock.now()
    const ids: number[] = []
    for (const plan of outcome.planned) {
      const newExam =
        plan.input.decision === 're_examine'
          ? (exams.find((e) => e.modality === plan.reminder.modality) ?? null)
          : null
      const [id] = await trx.table('recognition_decisions').insert({
        reminder_id: plan.reminder.reminderId ?? null,
        institution_id: user.institutionId,
        patient_id: outcome.patientId,
        clinic_patient_id: outcome.clinicPatientId,
        exam_item_id: plan.reminder.itemId,
        decision: plan.input.decision === 'accept' ? 'accepted' : 're_examined',
        earlier_exam_id: plan.earlier.kind === 'exam' ? plan.earlier.id : null,
        earlier_external_id: plan.earlier.kind === 'external' ? plan.earlier.id : null,
        earlier_institution_id: plan.earlier.institutionId,
        earlier_institution_name: plan.earlier.institutionName,
        earlier_exam_at: sqlTime(plan.earlier.performedAt),
        earlier_reference: plan.earlier.reference,
        earlier_impression: plan.earlier.impression,
        reason_code: plan.input.decision === 're_examine' ? plan.input.reasonCode : null,
        reason_text:
          plan.input.decision === 're_examine' ? plan.input.reasonText?.trim() || null : null,
        patient_informed:
          plan.input.decision === 're_examine' ? !!plan.input.patientInformed : false,
        requesting_doctor: outcome.requestingDoctor.trim(),
        purpose: outcome.purpose?.trim() || null,
        new_exam_id: newExam?.id ?? null,
        decided_by_id: user.id,
        decided_at: sqlTime(now),
      })
      ids.push(Number(id))
    }
    return ids
  }
}

/** The columns of a candidate's own item (`exam_items`) the matching below reads. */
const ITEM_COLUMNS = [
  'exam_items.name as item_name',
  'exam_items.modality as item_modality',
  'exam_items.body_part',
  'exam_items.method',
  'exam_items.position',
]

/** The columns of the requested item (`wanted`) a candidate was joined to. */
const WANTED_COLUMNS = [
  'wanted.id as wanted_id',
  'wanted.name as wanted_name',
  'wanted.modality as wanted_modality',
  'wanted.body_part as wanted_body_part',
  'wanted.method as wanted_method',
  'wanted.position as wanted_position',
]

/**
 * Joins a candidate read to its own item (`exam_items`, by `itemIdColumn`) and to the requested items (`wanted`)
 * on modality and body part, so only candidates of a requested item come back; itemKey (R 7.2) then judges the
 * method and position. `modalityColumn` is the candidate's modality: the exam's own for exams (the column of
 * exams_patient_modality_time_index), the item's for outside results.
 */
function joinRequestedItems(
  query: DatabaseQueryBuilderContract<any>,
  itemIds: number[],
  itemIdColumn: string,
  modalityColumn: string
) {
  return query
    .join('exam_items', 'exam_items.id', itemIdColumn)
    .join('exam_items as wanted', (j) =>
      j
        .onIn('wanted.id', itemIds)
        .andOn('wanted.modality', modalityColumn)
        .andOn('wanted.body_part', 'exam_items.body_part')
    )
}

/**
 * The reminder's two reads (exported for bench/recognition.ts, which EXPLAINs them): one patient's signed or
 * amended exams since `since` and the outside results, each joined to the requested items on modality and body part.
 * Their columns line up (`kind` says which) so that `find` sends them as one UNION ALL: one round trip.
 */
export function candidateQueries(patientId: number, itemIds: number[], since: DateTime) {
  const candidatesQuery = joinRequestedItems(
    db.from('exams').join('exam_exam_items', 'exam_exam_items.exam_id', 'exams.id'),
    itemIds,
    'exam_exam_items.exam_item_id',
    'exams.modality'
  )
    .join('institutions', 'institutions.id', 'exams.institution_id')
    .where('exams.patient_id', patientId)
    .where('exams.registered_at', '>=', sqlTime(since))
    .whereIn('exams.status', RESULT_STATUSES)
    .select(
      db.raw("'exam' as kind"),
      'exams.id',
      'exams.institution_id',
      'exams.accession_number as reference',
      'exams.registered_at',
      'exams.images_received_at',
      db.raw('NULL as performed_at'),
      db.raw('NULL as findings'),
      db.raw('NULL as impression'),
      'exam_items.id as item_id',
      ...ITEM_COLUMNS,
      'institutions.name as institution_name',
      ...WANTED_COLUMNS
    )
  const externalQuery = joinRequestedItems(
    db.from('recognition_external_results'),
    itemIds,
    'recognition_external_results.exam_item_id',
    'exam_items.modality'
  )
    .join('institutions', 'institutions.id', 'recognition_external_results.institution_id')
    .where('recognition_external_results.patient_id', patientId)
    .where('recognition_external_results.performed_at', '>=', sqlTime(since))
    .select(
      db.raw("'external' as kind"),
      'recognition_external_results.id',
      'recognition_external_results.institution_id',
      'recognition_external_results.reference',
      db.raw('NULL as registered_at'),
      db.raw('NULL as images_received_at'),
      'recognition_external_results.performed_at',
      'recognition_external_results.findings',
      'recognition_external_results.impression',
      'exam_items.id as item_id',
      ...ITEM_COLUMNS,
      'institutions.name as institution_name',
      ...WANTED_COLUMNS
    )
  return { candidatesQuery, externalQuery }
}

/** The latest signed version's findings and impression of each exam. */
export async function latestSignedReports(examIds: number[]) {
  const map = new Map<
    number,
    { findings: string | null; impression: string | null; signedAt: DateTime | null }
  >()
  if (!examIds.length) return map
  const rows = await db
    .from('report_versions')
    .whereIn('exam_id', examIds)
    .where('status', 'signed')
    .orderBy('version_no', 'asc')
    .select('exam_id', 'findings', 'impression', 'signed_at')
  for (const row of rows)
    map.set(Number(row.exam_id), {
      findings: row.findings,
      impression: row.impression,
      signedAt: row.signed_at ? toDateTime(row.signed_at) : null,
    })
  return map
}
