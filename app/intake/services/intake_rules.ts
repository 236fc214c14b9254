import { DateTime } from 'luxon'
import { isLossy } from '#app/intake/dicom/dicom_header'

/*
| The one rule set every way in applies (browser and API uploads file by
| file, DICOM C-STORE arrivals and studies forwarded from a clinic's own store
| when they become stable, a clinic attaching an unmatched study): a study
| enters an exam, and so the reading queue, only when all of these hold.
| Pure functions over facts, so unit tests call them without Orthanc or HTTP.
*/

/** PS3.5 Table 6.2-1: UI 64 bytes, SH 16 characters, LO 64, PN 64 per component group. */
export const DICOM_LIMITS = { UI: 64, SH: 16, LO: 64, PN: 64 } as const

export const INTAKE_REFUSALS = [
  'value_too_long',
  'lossy_compression',
  'missing_uids',
  'wrong_clinic',
  'accession_mismatch',
  'patient_mismatch',
  'modality_mismatch',
] as const
export type IntakeRefusalReason = (typeof INTAKE_REFUSALS)[number]

export interface IntakeRefusal {
  reason: IntakeRefusalReason
  /** what it is about, for the message and the audit: the field and its length, the modality found… */
  detail?: Record<string, string | number>
}

/** What is known of an instance (from its header) or of a whole study (from Orthanc). */
export interface IntakeFacts {
  studyInstanceUid: string | null
  seriesInstanceUids: Array<string | null>
  sopInstanceUids: Array<string | null>
  accessionNumber: string | null
  patientId: string | null
  patientName: string | null
  modalities: Array<string | null>
  /** one per instance (or per instance checked) */
  transferSyntaxes: Array<string | null>
  /** (0028,2110) values found */
  lossyImageCompression: Array<string | null>
}

export interface ExamFacts {
  accessionNumber: string
  modality: string
  /** the exam's patient's number at the requesting clinic */
  clinicPatientNo: string | null
  institutionId: number
}

/** DICOM Modality values an exam of each catalogue modality accepts. */
export const ACCEPTED_MODALITIES: Record<string, string[]> = {
  DR: ['DX', 'CR', 'DR', 'MG', 'RF', 'XA', 'RG', 'IO', 'PX'],
  CT: ['CT', 'PT'],
  MR: ['MR'],
}
/** Objects that travel with any study: reports, key images, presentation states, screenshots. */
export const ANY_STUDY_MODALITIES = ['SR', 'KO', 'PR', 'OT', 'SC', 'DOC']

const chars = (value: string) => [...value].length

/** The first value longer than DICOM allows, if any. Values are never cut: such a study is refused whole. */
export function overLongValue(facts: IntakeFacts): IntakeRefusal | null {
  const checks: Array<[string, string | null, number, 'bytes' | 'chars']> = [
    ['StudyInstanceUID', facts.studyInstanceUid, DICOM_LIMITS.UI, 'bytes'],
    ...facts.seriesInstanceUids.map(
      (uid) =>
        ['SeriesInstanceUID', uid, DICOM_LIMITS.UI, 'bytes'] as [
          string,
          string | null,
          number,
          'bytes',
        ]
    ),
    ...facts.sopInstanceUids.map(
      (uid) =>
        ['SOPInstanceUID', uid, DICOM_LIMITS.UI, 'bytes'] as [
          string,
          string | null,
          number,
          'bytes',
        ]
    ),
    ['AccessionNumber', facts.accessionNumber, DICOM_LIMITS.SH, 'chars'],
    ['PatientID', facts.patientId, DICOM_LIMITS.LO, 'chars'],
  ]
  for (const [field, value, limit, unit] of checks) {
    if (!value) continue
    const length = unit === 'bytes' ? Buffer.byteLength(value, 'latin1') : chars(value)
    if (length > limit) return { reason: 'value_too_long', detail: { field, length, limit } }
  }
  // PN: each component group (alphabetic = ideographic = phonetic) at most 64 characters.
  for (const group of (facts.patientName ?? '').split('=')) {
    if (chars(group) > DICOM_LIMITS.PN)
      return {
        reason: 'value_too_long',
        detail: { field: 'PatientName', length: chars(group), limit: DICOM_LIMITS.PN },
      }
  }
  return null
}

function modalityFits(modality: string | null, examModality: string) {
  const value = (modality || '').trim().toUpperCase()
  if (!value || ANY_STUDY_MODALITIES.includes(value)) return true
  return (ACCEPTED_MODALITIES[examModality] ?? []).includes(value)
}

/**
 * Does this instance or study belong to this exam, sent by this clinic?
 * @param senderInstitutionId the clinic that sent it (the uploader's, the C-STORE sender's, the store's);
 *   null when nobody knows, which never matches
 */
export interface AttachContext {
  /** the clinic chose this exam for this study itself (attaching an unmatched study) */
  confirmedByClinic: boolean
  /** the study's Patient ID is the number of another of the clinic's patients */
  patientIdOfAnotherPatient: boolean
}

/**
 * @param attach when a clinic attaches an unmatched study by hand: a Patient ID
 *   the clinic does not know (a walk-in's temporary number, a typo at the
 *   modality) does not stop it, one that is another patient's does.
 */
export function intakeRefusal(
  facts: IntakeFacts,
  exam: ExamFacts,
  senderInstitutionId: number | null,
  attach?: AttachContext
): IntakeRefusal | null {
  const tooLong = overLongValue(facts)
  if (tooLong) return tooLong
  // R 7.1: images exchanged for mutual recognition are lossless.
  const lossy = facts.transferSyntaxes.find((ts, i) =>
    isLossy({
      transferSyntaxUid: ts ?? '',
      lossyImageCompression: facts.lossyImageCompression[i] ?? null,
    })
  )
  if (lossy !== undefined || facts.lossyImageCompression.includes('01')) {
    return { reason: 'lossy_compression', ...(lossy ? { detail: { transferSyntax: lossy } } : {}) }
  }
  if (
    !facts.studyInstanceUid ||
    facts.seriesInstanceUids.some((u) => !u) ||
    facts.sopInstanceUids.some((u) => !u)
  ) {
    return { reason: 'missing_uids' }
  }
  if (senderInstitutionId === null || senderInstitutionId !== exam.institutionId)
    return { reason: 'wrong_clinic' }
  const accession = facts.accessionNumber?.trim() || null
  const patientId = facts.patientId?.trim() || null
  if (accession && accession !== exam.accessionNumber) return { reason: 'accession_mismatch' }
  // Both are checked when both are present: a right accession with another patient's ID is another patient's study.
  if (patientId && exam.clinicPatientNo && patientId !== exam.clinicPatientNo) {
    if (!attach?.confirmedByClinic || attach.patientIdOfAnotherPatient)
      return { reason: 'patient_mismatch', detail: { patientId } }
  }
  if (!accession && !patientId && !attach?.confirmedByClinic) return { reason: 'patient_mismatch' }
  const wrong = facts.modalities.find((m) => !modalityFits(m, exam.modality))
  if (wrong !== undefined)
    return { reason: 'modality_mismatch', detail: { modality: String(wrong) } }
  return null
}

/**
 * A warning, not a refusal: a study dated more than two days before its
 * request, or after today (hospital time), is probably the wrong study or a
 * modality with its clock wrong. Shown in the upload summary and on the exam.
 */
export const STUDY_DATE_TOLERANCE_DAYS = 2

export function studyDateWarning(
  studyDate: string | null | undefined,
  requestedAt: DateTime,
  now: DateTime,
  zone: string
) {
  if (!studyDate) return null
  const day = DateTime.fromFormat(studyDate.slice(0, 8), 'yyyyMMdd', { zone })
  if (!day.isValid) return null
  const requestDay = requestedAt.setZone(zone).startOf('day')
  const today = now.setZone(zone).startOf('day')
  if (day < requestDay.minus({ days: STUDY_DATE_TOLERANCE_DAYS })) {
    return {
      code: 'study_date_before_request' as const,
      studyDate: day.toISODate()!,
      requestDate: requestDay.toISODate()!,
    }
  }
  if (day > today)
    return {
      code: 'study_date_in_future' as const,
      studyDate: day.toISODate()!,
      requestDate: requestDay.toISODate()!,
    }
  return null
}
