import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import LegalHold, { type HoldScope } from '#models/legal_hold'
import Patient from '#models/patient'
import Exam from '#models/exam'
import type User from '#models/user'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import {
  PatientRegistry,
  checkNationalId,
  maskNationalId,
  normaliseNationalId,
} from '#app/intake/services/patient_registry'

/*
| Legal holds (a dispute, an investigation, a court order): while a hold is in
| force, no copy of the patient's or the study's images is deleted anywhere,
| whatever the retention says. Placing and releasing a hold both need a reason
| and are audited by the controller.
*/

export interface HoldInput {
  scope: HoldScope
  /** patient: a national ID or an accession number; study: a Study Instance UID or an accession number */
  reference: string
  reason: string
}

const UID = /^[0-9]+(\.[0-9]+)+$/

@inject()
export class LegalHolds {
  constructor(protected clock: Clock) {}

  async place(user: User, input: HoldInput) {
    const reference = input.reference.trim()
    const now = this.clock.now()
    if (input.scope === 'patient') {
      const { patient, shown } = await this.findPatient(reference)
      const existing = await LegalHold.query()
        .where('scope', 'patient')
        .where('patient_id', patient.id)
        .whereNull('released_at')
        .first()
      if (existing)
        throw new DomainRefusal(
          'already_held',
          'storage.holds.already_held',
          { id: existing.id },
          409
        )
      return [
        await LegalHold.create({
          scope: 'patient',
          patientId: patient.id,
          studyInstanceUid: null,
          reference: shown,
          reason: input.reason,
          placedById: user.id,
          placedAt: now,
          releasedAt: null,
        }),
      ]
    }
    const uids = await this.findStudies(reference)
    const held = await LegalHold.query()
      .where('scope', 'study')
      .whereIn('study_instance_uid', uids)
      .whereNull('released_at')
    if (held.length === uids.length)
      throw new DomainRefusal('already_held', 'storage.holds.already_held', { id: held[0].id }, 409)
    const heldUids = new Set(held.map((h) => h.studyInstanceUid))
    const placed = []
    for (const uid of uids.filter((u) => !heldUids.has(u))) {
      placed.push(
        await LegalHold.create({
          scope: 'study',
          patientId: null,
          studyInstanceUid: uid,
          reference: reference.slice(0, 80),
          reason: input.reason,
          placedById: user.id,
          placedAt: now,
          releasedAt: null,
        })
      )
    }
    return placed
  }

  async release(hold: LegalHold, user: User, reason: string) {
    if (hold.releasedAt)
      throw new DomainRefusal('hold_already_released', 'storage.holds.already_released', {}, 409)
    hold.merge({ releasedAt: this.clock.now(), releasedById: user.id, releaseReason: reason })
    await hold.save()
    return hold
  }

  protected async findPatient(reference: string) {
    const id = normaliseNationalId(reference)
    if (/^\d{17}[\dX]$/.test(id)) {
      if (!checkNationalId(id).valid)
        throw new DomainRefusal('national_id_invalid', 'storage.holds.national_id_invalid')
      const patient = await Patient.findBy(
        'national_id_hash',
        new PatientRegistry().hashNationalId(id)
      )
      if (!patient) throw new DomainRefusal('hold_target_unknown', 'storage.holds.patient_unknown')
      return { patient, shown: maskNationalId(id) }
    }
    const exam = await Exam.findBy('accession_number', reference)
    if (!exam) throw new DomainRefusal('hold_target_unknown', 'storage.holds.patient_unknown')
    return { patient: await Patient.findOrFail(exam.patientId), shown: reference }
  }

  /** The Study Instance UIDs a reference names: the UID itself, or every study of the exam with that accession number. */
  protected async findStudies(reference: string) {
    if (UID.test(reference)) {
      const known =
        (await db.from('archived_studies').where('study_instance_uid', reference).first()) ||
        (await db.from('exam_studies').where('study_instance_uid', reference).first())
      if (!known) throw new DomainRefusal('hold_target_unknown', 'storage.holds.study_unknown')
      return [reference]
    }
    const exam = await Exam.findBy('accession_number', reference)
    const fromExam = exam
      ? await db.from('exam_studies').where('exam_id', exam.id).select('study_instance_uid')
      : []
    const fromCatalogue = await db
      .from('archived_studies')
      .where('accession_number', reference)
      .select('study_instance_uid')
    const uids = [
      ...new Set([...fromExam, ...fromCatalogue].map((r) => String(r.study_instance_uid))),
    ]
    if (uids.length === 0)
      throw new DomainRefusal('hold_target_unknown', 'storage.holds.study_unknown')
    return uids
  }

  /** Every hold in force, as sets the retention job checks each study against. */
  static async inForce() {
    const holds = await LegalHold.query().whereNull('released_at')
    return {
      patients: new Set(
        holds.filter((h) => h.scope === 'patient' && h.patientId).map((h) => Number(h.patientId))
      ),
      studies: new Set(
        holds
          .filter((h) => h.scope === 'study' && h.studyInstanceUid)
          .map((h) => h.studyInstanceUid!)
      ),
    }
  }
}

export function isHeld(
  holds: { patients: Set<number>; studies: Set<string> },
  study: { patientId: number | null; studyInstanceUid: string }
) {
  return (
    (study.patientId !== null && holds.patients.has(Number(study.patientId))) ||
    holds.studies.has(study.studyInstanceUid)
  )
}
