import type { DateTime } from 'luxon'
import type User from '#models/user'
import type { ExamStatus } from '#models/exam'
import type { Duty } from '#models/critical_value_contact'
import { accountRefusal } from '#app/access/services/account_rules'
import { readsForAlliance } from '#app/access/visibility'
import { DomainRefusal } from '#app/platform/domain_refusal'

/*
| The rules of critical values as plain functions: who may raise, when an
| alert escalates, what counts as a read-back, who may hold which duty, and
| the statistics of the registry. Services call them; unit tests call them
| without a database.
*/

/**
 * B: the report writer starts the critical-value process as soon as the
 * images show it, from a draft onwards, so any exam whose images have arrived.
 */
export const RAISABLE_EXAM_STATUSES: ExamStatus[] = [
  'images_received',
  'in_progress',
  'pending_review',
  'signed',
  'amended',
]

/** After this long without acknowledgement the raiser telephones (the 30 minutes). */
export const PHONE_AFTER_MINUTES = 30
/** When a finding's own deadline is long, the telephone step still comes this long after the escalation. */
export const PHONE_AFTER_ESCALATION_MINUTES = 20

export const MESSAGE_MIN_LENGTH = 4
export const MESSAGE_MAX_LENGTH = 500

type Person = Pick<User, 'role' | 'institutionId' | 'status' | 'lockedUntil' | 'expiresOn'> & {
  institution?: { kind: string } | null
}

/** Lead-hospital radiologists raise critical values (they write the reports, B). */
export function canRaise(
  user: Pick<User, 'role' | 'institutionId'> & { institution?: { kind: string } | null }
) {
  return user.role === 'radiologist' && readsForAlliance(user)
}

/** Only the requesting clinic's own people acknowledge (their patient, their action). */
export function mayAcknowledge(
  user: Pick<User, 'role' | 'institutionId'>,
  value: { institutionId: number }
) {
  return user.role === 'clinic_staff' && user.institutionId === value.institutionId
}

export function raiseRefusal(exam: { status: ExamStatus }, message: string) {
  if (!RAISABLE_EXAM_STATUSES.includes(exam.status)) {
    return new DomainRefusal('no_images_yet', 'critical_values.raise.no_images_yet')
  }
  const length = [...message.trim()].length
  if (length < MESSAGE_MIN_LENGTH)
    return new DomainRefusal('message_too_short', 'critical_values.raise.message_too_short', {
      min: MESSAGE_MIN_LENGTH,
    })
  if (length > MESSAGE_MAX_LENGTH)
    return new DomainRefusal('message_too_long', 'critical_values.raise.message_too_long', {
      max: MESSAGE_MAX_LENGTH,
    })
  return null
}

/** Deadlines from the moment the alert went out: escalation, then the telephone. */
export function escalationTimes(sentAt: DateTime, ackMinutes: number) {
  const phoneMinutes = Math.max(PHONE_AFTER_MINUTES, ackMinutes + PHONE_AFTER_ESCALATION_MINUTES)
  return {
    dueAt: sentAt.plus({ minutes: ackMinutes }),
    phoneDueAt: sentAt.plus({ minutes: phoneMinutes }),
  }
}

/** The escalation steps an open critical value has reached at `now` but not yet taken. */
export function dueEscalationSteps(
  value: {
    status: string
    escalationLevel: number
    dueAt: DateTime | null
    phoneDueAt: DateTime | null
  },
  now: DateTime
): Array<'escalate' | 'phone'> {
  if (value.status !== 'open') return []
  const steps: Array<'escalate' | 'phone'> = []
  if (value.escalationLevel < 1 && value.dueAt && value.dueAt <= now) steps.push('escalate')
  if (value.escalationLevel < 2 && value.phoneDueAt && value.phoneDueAt <= now) {
    // Never telephone-before-escalate: a late run takes both steps in order.
    if (value.escalationLevel < 1 && !steps.includes('escalate')) steps.push('escalate')
    steps.push('phone')
  }
  return steps
}

/** Can this account receive an alert at all (not disabled, locked by an administrator or expired)? */
export function canReceive(
  user: Pick<User, 'status' | 'lockedUntil' | 'expiresOn'>,
  now: DateTime
) {
  const refusal = accountRefusal(user, now)
  // A few wrong passwords lock the login for minutes; the person is still on duty.
  return refusal === null || refusal === 'temporarily_locked'
}

/**
 * Who may hold a duty: on duty and head are people of a requesting clinic;
 * the duty desk is a lead-hospital radiologist or QC officer (they may see
 * every clinic's patients; administrators may not, C 8.5 least privilege).
 */
export function contactRefusal(user: Person, duty: Duty) {
  if (user.status !== 'active')
    return new DomainRefusal('inactive_user', 'critical_values.contacts.inactive_user')
  if (duty === 'duty_desk') {
    if (!readsForAlliance(user))
      return new DomainRefusal(
        'duty_desk_lead_only',
        'critical_values.contacts.duty_desk_lead_only'
      )
    return null
  }
  if (user.role !== 'clinic_staff')
    return new DomainRefusal('clinic_staff_only', 'critical_values.contacts.clinic_staff_only')
  return null
}

/** Letters and digits only, lower case: punctuation, spaces and full-width marks do not count. */
export function normaliseForReadBack(text: string) {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '')
}

function bigrams(text: string) {
  const chars = [...text]
  const set = new Set<string>()
  if (chars.length === 1) set.add(chars[0])
  for (let i = 0; i + 1 < chars.length; i++) set.add(chars[i] + chars[i + 1])
  return set
}

/** Share of the message's character pairs that the read-back repeats (0..1). */
export function readBackCoverage(message: string, readBack: string) {
  const wanted = bigrams(normaliseForReadBack(message))
  if (wanted.size === 0) return 0
  const said = bigrams(normaliseForReadBack(readBack))
  let hit = 0
  for (const pair of wanted) if (said.has(pair)) hit++
  return hit / wanted.size
}

/** A read-back must repeat at least this share of the message, or name the finding. */
export const READ_BACK_MIN_COVERAGE = 0.4

/**
 * The receiver reads the message back (core rules: 复述确认). "收到" or "好的"
 * is not a read-back; repeating the substance of the message, or at least
 * the finding's name, is.
 */
export function readBackMatches(message: string, findingName: string, readBack: string) {
  const said = normaliseForReadBack(readBack)
  if ([...said].length < 2) return false
  if (readBackCoverage(message, readBack) >= READ_BACK_MIN_COVERAGE) return true
  // The finding's short name: the part before any parenthesised list of subtypes.
  const finding = normaliseForReadBack(findingName.split(/[（(]/)[0])
  return [...finding].length >= 2 && said.includes(finding)
}

/** Percentile with linear interpolation between closest ranks (Excel PERCENTILE.INC). */
export function percentile(values: number[], p: number) {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const rank = (p / 100) * (sorted.length - 1)
  const low = Math.floor(rank)
  const high = Math.ceil(rank)
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low)
}
