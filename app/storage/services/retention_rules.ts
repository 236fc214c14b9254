import { DateTime } from 'luxon'
import type { NodeRole } from '#models/storage_node'

/*
| The retention rules as plain functions, so they can be tested at their
| boundaries without Orthanc or a database.
|
| C 8.3.2: the lead hospital keeps originals and reports permanently, at least
| 30 years from the exam date; each member keeps its own originals at least
| 1 year; or, where agreed, both keep them permanently (≥ 30 years).
| C 8.3.3: a disaster-recovery copy at the data centre and at least one backup.
| Here: nothing is deleted from a member store unless the study is verified at
| the centre AND at a backup (two verified copies elsewhere), no legal hold
| covers it, and it is past the member's retention. Permanent archives (the
| centre, backups, members in "both keep 30 years" mode) are never deleted by
| the job, before or after their 30 years.
*/

export const CENTRAL_MIN_YEARS = 30
export const MEMBER_MIN_YEARS = 1

export function minimumRetentionYears(role: NodeRole, keepsThirtyYears: boolean) {
  if (role === 'member' && !keepsThirtyYears) return MEMBER_MIN_YEARS
  return CENTRAL_MIN_YEARS
}

/** The years actually applied: never below the minimum, whatever the row says. */
export function effectiveRetentionYears(node: {
  role: NodeRole
  keepsThirtyYears: boolean
  retentionYears: number
}) {
  return Math.max(node.retentionYears, minimumRetentionYears(node.role, node.keepsThirtyYears))
}

/** The last day the copy must be kept: the exam date plus the retention years (a calendar date). */
export function keepUntil(examDate: DateTime, years: number) {
  return examDate.startOf('day').plus({ years })
}

/** Past retention only from the day after `keepUntil`: on the anniversary itself it is still kept. */
export function isPastRetention(examDate: DateTime, years: number, today: DateTime) {
  return today.startOf('day') > keepUntil(examDate, years)
}

export type KeepReason =
  | 'within_retention'
  | 'legal_hold'
  | 'permanent_archive'
  | 'not_verified_at_centre'
  | 'not_verified_at_backup'
  | 'too_few_verified_copies'
  // found when the job re-checks the copies just before deleting:
  | 'unreplicated_instances'
  | 'reverification_failed'

export type DeleteReason = 'past_retention_verified_elsewhere'

export interface RetentionFacts {
  node: { role: NodeRole; keepsThirtyYears: boolean; retentionYears: number }
  /** the copy on this node: present, verified, damaged… */
  copyState: string
  examDate: DateTime
  /** the hospital's calendar day the job runs on */
  today: DateTime
  held: boolean
  verifiedAtCentre: boolean
  verifiedAtBackup: boolean
  /** verified copies on other active nodes */
  verifiedElsewhere: number
}

export type RetentionVerdict =
  | { action: 'keep'; reason: KeepReason; keepUntil: DateTime }
  | { action: 'delete'; reason: DeleteReason; keepUntil: DateTime }

export function decideRetention(facts: RetentionFacts): RetentionVerdict {
  const years = effectiveRetentionYears(facts.node)
  const until = keepUntil(facts.examDate, years)
  const keep = (reason: KeepReason): RetentionVerdict => ({
    action: 'keep',
    reason,
    keepUntil: until,
  })
  if (!isPastRetention(facts.examDate, years, facts.today)) return keep('within_retention')
  if (facts.held) return keep('legal_hold')
  if (facts.node.role !== 'member' || facts.node.keepsThirtyYears) return keep('permanent_archive')
  if (!facts.verifiedAtCentre) return keep('not_verified_at_centre')
  if (!facts.verifiedAtBackup) return keep('not_verified_at_backup')
  if (facts.verifiedElsewhere < 2) return keep('too_few_verified_copies')
  return { action: 'delete', reason: 'past_retention_verified_elsewhere', keepUntil: until }
}

/** Only exam dates on or before this day can be past retention today (the database pre-filter; decideRetention is exact). */
export function retentionCutoff(today: DateTime, years: number) {
  return today.startOf('day').minus({ years })
}
