import type { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { PRIORITIES, type Priority } from '#models/exam'
import { MODALITIES, type Modality } from '#models/exam_item'
import TurnaroundLimit from '#models/turnaround_limit'
import { DomainRefusal } from '#app/platform/domain_refusal'

/*
| R 7.1.1 turnaround: emergency DR < 30 min, emergency CT/MRI < 2 h, routine
| < 24 h, special or difficult cases < 48 h, counted from the images' arrival.
| The department may set other limits per priority and modality; the limit in
| force when an exam's images arrive fixes its due time (a later change does
| not move exams already waiting).
*/

export type LimitTable = Record<Priority, Record<Modality, number>>

export const STANDARD_LIMITS: LimitTable = {
  emergency: { DR: 30, CT: 120, MR: 120 },
  routine: { DR: 24 * 60, CT: 24 * 60, MR: 24 * 60 },
  special: { DR: 48 * 60, CT: 48 * 60, MR: 48 * 60 },
}

/** A week: any longer and the queue stops meaning anything. */
export const MAX_LIMIT_MINUTES = 7 * 24 * 60

export type Urgency = 'ok' | 'soon' | 'overdue'

/**
 * Minutes left until the due time (negative once overdue, at least one minute
 * so that "overdue" never reads "0 left") and how urgent that is: "soon" in
 * the last quarter of the limit.
 */
export function timeLeft(dueAt: DateTime, now: DateTime, limitMinutes: number) {
  const minutes = Math.floor(dueAt.diff(now, 'minutes').minutes)
  const overdue = dueAt <= now
  const state: Urgency = overdue
    ? 'overdue'
    : minutes <= Math.max(5, limitMinutes / 4)
      ? 'soon'
      : 'ok'
  return {
    minutes: overdue ? -Math.max(1, Math.ceil(now.diff(dueAt, 'minutes').minutes)) : minutes,
    state,
  }
}

/** Days, hours and minutes of a span, for "1 小时 20 分" / "overdue 2 d 3 h". */
export function durationParts(totalMinutes: number) {
  const abs = Math.abs(totalMinutes)
  return { days: Math.floor(abs / 1440), hours: Math.floor((abs % 1440) / 60), minutes: abs % 60 }
}

export function limitFrom(table: LimitTable, priority: string, modality: string) {
  const byPriority = table[priority as Priority] ?? STANDARD_LIMITS.routine
  return byPriority[modality as Modality] ?? STANDARD_LIMITS.routine.CT
}

/** The limits in force: the standard's, overridden by what the department configured. */
export async function currentLimits(
  client: QueryClientContract = db.connection()
): Promise<LimitTable> {
  const table = structuredClone(STANDARD_LIMITS)
  const rows = await client.from('turnaround_limits').select('priority', 'modality', 'minutes')
  for (const row of rows) {
    if (
      (PRIORITIES as readonly string[]).includes(row.priority) &&
      (MODALITIES as readonly string[]).includes(row.modality)
    ) {
      table[row.priority as Priority][row.modality as Modality] = Number(row.minutes)
    }
  }
  return table
}

/**
 * The exam's images arrived: it enters the reading queue, due at arrival + the
 * limit for its priority and modality. Called inside the transaction that
 * moves the exam to "images received" (app/intake/services/study_links.ts).
 */
export async function enterReadingQueue(
  client: QueryClientContract,
  examId: number,
  receivedAt: DateTime
) {
  const exam = await client
    .from('exams')
    .where('id', examId)
    .select('priority', 'modality')
    .firstOrFail()
  const limit = limitFrom(await currentLimits(client), exam.priority, exam.modality)
  await client
    .from('exams')
    .where('id', examId)
    .update({
      due_at: receivedAt.plus({ minutes: limit }).toSQL({ includeOffset: false }),
      in_reading_queue: true,
    })
}

export interface LimitChange {
  priority: Priority
  modality: Modality
  from: number
  to: number
}

/** Sets the limits; returns what changed (for the audit log, which is the history of this table). */
export async function setLimits(
  userId: number,
  wanted: Partial<Record<string, number>>,
  now: DateTime
): Promise<LimitChange[]> {
  const before = await currentLimits()
  const changes: LimitChange[] = []
  for (const priority of PRIORITIES) {
    for (const modality of MODALITIES) {
      const value = wanted[`${priority}_${modality}`]
      if (value === undefined) continue
      if (!Number.isInteger(value) || value < 5 || value > MAX_LIMIT_MINUTES) {
        throw new DomainRefusal('limit_out_of_range', 'reading.refusals.limit_out_of_range', {
          max: MAX_LIMIT_MINUTES,
        })
      }
      if (before[priority][modality] !== value)
        changes.push({ priority, modality, from: before[priority][modality], to: value })
    }
  }
  await db.transaction(async (trx) => {
    for (const change of changes) {
      const existing = await TurnaroundLimit.query({ client: trx })
        .where('priority', change.priority)
        .where('modality', change.modality)
        .first()
      if (existing) {
        existing.merge({ minutes: change.to, updatedById: userId, updatedAt: now })
        await existing.useTransaction(trx).save()
      } else {
        await TurnaroundLimit.create(
          {
            priority: change.priority,
            modality: change.modality,
            minutes: change.to,
            updatedById: userId,
            createdAt: now,
            updatedAt: now,
          },
          { client: trx }
        )
      }
    }
  })
  return changes
}
