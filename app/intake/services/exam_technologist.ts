import db from '@adonisjs/lucid/services/db'
import type Exam from '#models/exam'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { technologistChanged } from '#app/quality/services/workload_days'

/*
| The technologist who acquired an exam, picked by the clinic from its own
| roster when it sends the images (the staffing roster: staff_members of the
| clinic, profession technologist, active). Quality control scores the image
| items against this person (Q 4.1, Q 7.1) and falls back to the DICOM
| Operators' Name matched to the roster when nobody was picked.
| Refused (422, before any byte is read or stored): anyone not on this
| clinic's roster as an active technologist.
*/

export interface RosterTechnologist {
  id: number
  fullName: string
  staffNo: string
}

/** The clinic's active technologists, for the upload page's list. */
export async function clinicTechnologists(institutionId: number): Promise<RosterTechnologist[]> {
  const rows = await db
    .from('staff_members')
    .where('institution_id', institutionId)
    .where('profession', 'technologist')
    .where('active', true)
    .orderBy('full_name')
    .select('id', 'full_name', 'staff_no')
  return rows.map((r: any) => ({ id: Number(r.id), fullName: r.full_name, staffNo: r.staff_no }))
}

/** Reads `technologistId` from the query string (a multipart body's fields come only after its files). */
export function pickedTechnologistId(query: Record<string, unknown>): number | null {
  const raw = query.technologistId
  if (raw === undefined || raw === null || raw === '') return null
  const id = typeof raw === 'string' && /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN
  if (!Number.isSafeInteger(id) || id <= 0)
    throw new DomainRefusal('technologist_not_on_roster', 'intake.upload.technologist_refused')
  return id
}

/** Checks the pick against the exam's clinic roster; nothing is written when it is refused. */
export async function technologistRefusal(exam: Exam, staffId: number) {
  const staff = await db
    .from('staff_members')
    .where('id', staffId)
    .where('institution_id', exam.institutionId)
    .where('profession', 'technologist')
    .where('active', true)
    .first()
  return staff
    ? null
    : new DomainRefusal('technologist_not_on_roster', 'intake.upload.technologist_refused')
}

/** Records the pick on the exam (the latest pick wins: the clinic corrects a wrong one by sending again). */
export async function recordTechnologist(exam: Exam, staffId: number) {
  if (exam.technologistStaffId === staffId) return
  await db.from('exams').where('id', exam.id).update({ technologist_staff_id: staffId })
  exam.technologistStaffId = staffId
  // Images sent again after the signature: QC's workload counts the signed day under the new pick (Q 6.4).
  if (exam.reportSignedAt) await technologistChanged(exam.id)
}
