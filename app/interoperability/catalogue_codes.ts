import { createHash } from 'node:crypto'
import type ExamItem from '#models/exam_item'
import type Exam from '#models/exam'

/*
| How an exam item (normalised per R 7.2: category + body part + method +
| position) is named to other systems. One code per item: its catalogue and its
| number in that catalogue, the same in the worklist (a DICOM code sequence)
| and in FHIR (a Coding), so a platform that received the ServiceRequest finds
| the same item in the study's Requested Procedure.
*/

/** FHIR system URI of a catalogue (chuanyu, hechi, local). */
export function catalogueSystem(catalogue: string) {
  return `urn:imaging-alliance:exam-catalogue:${catalogue}`
}

/** DICOM Coding Scheme Designator of a catalogue: a private scheme ("99" prefix, PS3.16 8.2), at most 16 characters. */
export function catalogueScheme(catalogue: string) {
  return `99${catalogue.toUpperCase()}`.slice(0, 16)
}

export function itemCode(item: Pick<ExamItem, 'seq' | 'catalogue'>) {
  return String(item.seq)
}

/**
 * A Study Instance UID for the exam, derived from its accession number, so a
 * device that takes it from the worklist and the app agree without storing it
 * (UUID-derived UID root 2.25, PS3.5 B.2).
 */
export function studyUidFor(exam: Pick<Exam, 'id' | 'accessionNumber'>) {
  const digest = createHash('sha256')
    .update(`exam:${exam.id}:${exam.accessionNumber}`)
    .digest('hex')
    .slice(0, 32)
  return `2.25.${BigInt('0x' + digest).toString()}`
}
