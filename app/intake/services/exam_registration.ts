import { publish } from '#app/platform/domain_events'
import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { DateTime } from 'luxon'
import Exam, { type Priority } from '#models/exam'
import ExamItem, { type Modality } from '#models/exam_item'
import ClinicPatient from '#models/clinic_patient'
import type User from '#models/user'
import imaging from '#config/imaging'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { insertIgnore } from '#app/platform/db_helpers'
import {
  RepeatExamCheck,
  type RepeatDecisionInput,
} from '#app/recognition/services/repeat_exam_check'

export interface ExamRequestInput {
  clinicPatientId: number
  itemIds: number[]
  priority: Priority
  clinicalHistory?: string | null
  purpose?: string | null
  requestingDoctor: string
  department?: string | null
  clinicalDiagnosis?: string | null
  /** only ever compared with the user's own clinic: a different one is a forgery */
  institutionId?: number | null
  /** answers to the repeat-exam reminders (R 6.6), checked by app/recognition */
  recognition?: RepeatDecisionInput[]
}

/** Fewer characters than this is no history or purpose at all ("无", "-", "?"). */
const MEANINGFUL_TEXT = 2

/**
 * Q 4.2.1: an application form is non-compliant when blank or when its purpose
 * is unclear. Returns the refusal, or null when the request may be registered.
 */
export function requestRefusal(
  input: Pick<ExamRequestInput, 'clinicalHistory' | 'purpose' | 'itemIds'>
) {
  const history = (input.clinicalHistory ?? '').trim()
  const purpose = (input.purpose ?? '').trim()
  if (history.length === 0 && purpose.length === 0 && input.itemIds.length === 0) {
    return new DomainRefusal('request_blank', 'intake.exam.request_blank')
  }
  if (purpose.length < MEANINGFUL_TEXT)
    return new DomainRefusal('purpose_missing', 'intake.exam.purpose_missing')
  if (history.length < MEANINGFUL_TEXT)
    return new DomainRefusal('history_missing', 'intake.exam.history_missing')
  if (input.itemIds.length === 0)
    return new DomainRefusal('items_missing', 'intake.exam.items_missing')
  return null
}

/**
 * Accession numbers: day (yyMMdd, hospital time) + a daily sequence, e.g.
 * 26112200042. At most 16 characters (DICOM SH); unique by construction, the
 * counter row serialising concurrent registrations.
 */
export async function nextAccessionNumber(trx: TransactionClientContract, now: DateTime) {
  const day = now.setZone(imaging.displayTimezone).toFormat('yyMMdd')
  const name = `accession:${day}`
  await insertIgnore('counters', { name, value: 0 }, 'name', trx)
  await trx.from('counters').where('name', name).increment('value', 1)
  const row = await trx.from('counters').where('name', name).select('value').firstOrFail()
  return `${day}${String(row.value).padStart(5, '0')}`
}

@inject()
export class ExamRegistration {
  protected repeatExams: RepeatExamCheck

  constructor(
    protected clock: Clock,
    repeatExams?: RepeatExamCheck
  ) {
    this.repeatExams = repeatExams ?? new RepeatExamCheck(clock)
  }

  /**
   * Registers an exam request for a patient of the user's clinic. Items of
   * different modalities become one exam each (each its own accession number
   * and study), all in one transaction: either all are registered or none.
   */
  async register(user: User, input: ExamRequestInput): Promise<Exam[]> {
    return (await this.registerRequest(user, input)).exams
  }

  /**
   * Registers a request after the repeat-exam check (R 6.6, app/recognition): items whose earlier result
   * was accepted make no exam; the decisions are recorded with the exams in one transaction.
   */
  async registerRequest(
    user: User,
    input: ExamRequestInput
  ): Promise<{ exams: Exam[]; decisionIds: number[] }> {
    if (
      input.institutionId !== undefined &&
      input.institutionId !== null &&
      input.institutionId !== user.institutionId
    ) {
      throw new DomainRefusal('forged_institution', 'intake.exam.forged_institution', {}, 403)
    }
    const refusal = requestRefusal(input)
    if (refusal) throw refusal

    const clinicPatient = await ClinicPatient.query()
      .where('id', input.clinicPatientId)
      .where('institution_id', user.institutionId)
      .first()
    if (!clinicPatient) throw DomainRefusal.notFound('patient')

    const requestedIds = [...new Set(input.itemIds)]
    const requested = await ExamItem.query().whereIn('id', requestedIds).where('active', true)
    if (requested.length !== requestedIds.length)
      throw new DomainRefusal('unknown_item', 'intake.exam.unknown_item')
    const recognition = await this.repeatExams.check(user, {
      ...input,
      itemIds: requestedIds,
      decisions: input.recognition,
    })
    const items = requested.filter((item) => recognition.itemIds.includes(item.id))

    const byModality = new Map<Modality, ExamItem[]>()
    for (const item of items)
      byModality.set(item.modality, [...(byModality.get(item.modality) ?? []), item])

    const now = this.clock.now()
    const registered = await db.transaction(async (trx) => {
      const exams: Exam[] = []
      for (const [modality, modalityItems] of byModality) {
        const exam = await Exam.create(
          {
            accessionNumber: await nextAccessionNumber(trx, now),
            patientId: clinicPatient.patientId,
            institutionId: user.institutionId,
            modality,
            priority: input.priority,
            status: 'registered',
            clinicalHistory: input.clinicalHistory!.trim(),
            purpose: input.purpose!.trim(),
            requestingDoctor: input.requestingDoctor.trim(),
            department: input.department?.trim() || null,
            clinicalDiagnosis: input.clinicalDiagnosis?.trim() || null,
            registeredById: user.id,
            registeredAt: now,
            instanceCount: 0,
          },
          { client: trx }
        )
        await exam.related('items').attach(
          modalityItems.map((item) => item.id),
          trx
        )
        exams.push(exam)
      }
      return { exams, decisionIds: await this.repeatExams.record(user, recognition, exams, trx) }
    })
    if (registered.exams.length) {
      publish('exam:registered', {
        examIds: registered.exams.map((e) => e.id),
        userId: user.id,
        institutionId: user.institutionId,
      })
    }
    return registered
  }
}
