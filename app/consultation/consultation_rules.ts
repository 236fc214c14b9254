import type { DateTime } from 'luxon'
import env from '#start/env'
import type User from '#models/user'
import type Consultation from '#app/consultation/models/consultation'
import type { Urgency } from '#app/consultation/models/consultation'
import { isIntermediateOrAbove } from '#app/access/roles'
import { readsForAlliance } from '#app/access/visibility'

/*
| C 4.2.3: the lead hospital runs a 24-hour remote consultation service with a
| time-limited fast track (限时启动快速会诊流程和限时报告反馈). A fast-track
| request has CONSULTATION_FAST_TRACK_MINUTES (default 30) before it
| escalates; a routine one 24 hours. Unanswered at the due time it goes to the
| lead hospital's duty desk; still unanswered after the next step, to the head
| of department (the lead hospital's senior radiologists).
*/
export const DEFAULT_FAST_TRACK_MINUTES = 30
export const ROUTINE_MINUTES = 24 * 60

export function minutesFor(urgency: Urgency) {
  return urgency === 'fast_track'
    ? Number(env.get('CONSULTATION_FAST_TRACK_MINUTES') ?? DEFAULT_FAST_TRACK_MINUTES)
    : ROUTINE_MINUTES
}

export function dueAtFor(urgency: Urgency, requestedAt: DateTime) {
  return requestedAt.plus({ minutes: minutesFor(urgency) })
}

/** The second step (head of department) comes half a window after the first: 15 min on a 30-min fast track, 12 h on routine. */
export function headOfDepartmentDueAt(consultation: Pick<Consultation, 'urgency' | 'dueAt'>) {
  return consultation.dueAt.plus({ minutes: Math.ceil(minutesFor(consultation.urgency) / 2) })
}

/** The escalation steps that are due now and not yet taken. */
export function dueEscalationSteps(
  consultation: Pick<Consultation, 'status' | 'urgency' | 'dueAt' | 'escalationLevel'>,
  now: DateTime
) {
  const steps: Array<1 | 2> = []
  if (consultation.status !== 'open') return steps
  if (consultation.escalationLevel < 1 && consultation.dueAt <= now) steps.push(1)
  if (consultation.escalationLevel < 2 && headOfDepartmentDueAt(consultation) <= now) steps.push(2)
  return steps
}

/** A consultant: a lead-hospital radiologist of intermediate title or above (they sign, C 4.2.1). */
export function canConsult(
  user: Pick<User, 'role' | 'title' | 'institutionId' | 'status'> & {
    institution?: { kind: string } | null
  }
) {
  return (
    user.status === 'active' &&
    user.role === 'radiologist' &&
    readsForAlliance(user) &&
    isIntermediateOrAbove(user)
  )
}

/** Who asks: the exam's own clinic staff, or a lead-hospital reader on a difficult case. */
export function canRequest(
  user: Pick<User, 'role' | 'institutionId'> & { institution?: { kind: string } | null }
) {
  return user.role === 'clinic_staff'
    ? user.institution?.kind === 'member_clinic'
    : readsForAlliance(user) && user.role === 'radiologist'
}

/**
 * Attachments: a photo of an outside film or a PDF (C 8.3.1: non-DICOM data too), at most 10 MB each
 * (below the body parser's 20 MB multipart limit, so the refusal is ours and says why). The type is
 * read from the bytes, never from the file's name.
 */
export const ATTACHMENT_TYPES: Record<string, 'image' | 'pdf'> = {
  'image/jpeg': 'image',
  'image/png': 'image',
  'application/pdf': 'pdf',
}
export const ATTACHMENT_EXTENSIONS = ['jpg', 'jpeg', 'png', 'pdf']
export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024

/** What the first bytes say the file is: JPEG (FF D8 FF), PNG (its 8-byte signature), PDF (%PDF-); else null. */
export function sniffAttachment(bytes: Buffer): { kind: 'image' | 'pdf'; mime: string } | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
    return { kind: 'image', mime: 'image/jpeg' }
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return { kind: 'image', mime: 'image/png' }
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-')
    return { kind: 'pdf', mime: 'application/pdf' }
  return null
}
