import { inject } from '@adonisjs/core'
import { DateTime } from 'luxon'
import Exam from '#models/exam'
import ReportVersion from '#models/report_version'
import type User from '#models/user'
import { Clock } from '#app/platform/clock'
import { timeLeft, type Urgency } from '#app/reading/services/turnaround'

/*
| The reading queue: exams whose images arrived and whose report is not yet
| signed, ordered by due time (R 7.1.1). Every query here is served by one of
| the exams_queue_* indexes (in_reading_queue, <filter>, due_at, id) or by
| exams_claimed_due_index for "mine"; docs/performance.md has their EXPLAIN.
| Pages go by keyset (due time, id), never by OFFSET.
*/

export const QUEUE_STATUSES = ['images_received', 'in_progress', 'pending_review'] as const

export interface QueueFilters {
  modality?: string
  institutionId?: number
  priority?: string
  status?: string
  mine?: boolean
  /** keyset cursor: `<due epoch ms>.<exam id>` of the last row seen */
  after?: string
  limit?: number
}

export interface QueueRow {
  exam: Exam
  dueAt: DateTime
  minutesLeft: number
  urgency: Urgency
  limitMinutes: number
  working: ReportVersion | null
}

export function parseCursor(after?: string) {
  const match = /^(\d{1,15})\.(\d{1,15})$/.exec(after ?? '')
  if (!match) return null
  return { due: DateTime.fromMillis(Number(match[1]), { zone: 'utc' }), id: Number(match[2]) }
}

export function cursorOf(exam: Exam) {
  return `${exam.dueAt!.toMillis()}.${exam.id}`
}

@inject()
export class ReadingQueue {
  constructor(protected clock: Clock) {}

  /** The filtered queue as a query, without order or limit (also used to count). */
  filtered(user: Pick<User, 'id'>, filters: QueueFilters) {
    const query = Exam.query()
    // "Mine" uses the claim index alone: a claimed exam is always in the queue (signing clears the claim).
    if (filters.mine) query.where('exams.claimed_by_id', user.id)
    else query.where('exams.in_reading_queue', true)
    if (filters.modality) query.where('exams.modality', filters.modality)
    if (filters.institutionId) query.where('exams.institution_id', filters.institutionId)
    if (filters.priority) query.where('exams.priority', filters.priority)
    if (filters.status) query.where('exams.status', filters.status)
    return query
  }

  async list(user: Pick<User, 'id'>, filters: QueueFilters = {}) {
    const limit = Math.min(Math.max(filters.limit ?? 50, 1), 200)
    const query = this.filtered(user, filters)
    const cursor = parseCursor(filters.after)
    if (cursor) {
      const due = cursor.due.toSQL({ includeOffset: false })!
      // A range on the index, then the tie-break on id.
      query.where('exams.due_at', '>=', due).where((q) => q.where('exams.due_at', '>', due).orWhere('exams.id', '>', cursor.id))
    }
    const exams = await query
      .orderBy('exams.due_at', 'asc')
      .orderBy('exams.id', 'asc')
      .limit(limit + 1)
      .preload('patient')
      .preload('institution')
      .preload('items')
      .preload('claimedBy')
    const page = exams.slice(0, limit)
    const working = page.length
      ? await ReportVersion.query()
          .whereIn(
            'exam_id',
            page.map((e) => e.id)
          )
          .whereIn('status', ['draft', 'pending_review'])
          .preload('author')
      : []
    const workingBy = new Map(working.map((v) => [v.examId, v]))
    const now = this.clock.now()
    const rows: QueueRow[] = page.map((exam) => {
      const dueAt = exam.dueAt ?? now
      const limitMinutes = exam.imagesReceivedAt ? Math.max(1, Math.round(dueAt.diff(exam.imagesReceivedAt, 'minutes').minutes)) : 60
      const left = timeLeft(dueAt, now, limitMinutes)
      return { exam, dueAt, minutesLeft: left.minutes, urgency: left.state, limitMinutes, working: workingBy.get(exam.id) ?? null }
    })
    return { rows, next: exams.length > limit ? cursorOf(page[page.length - 1]) : null, now }
  }

  /** How many exams match, and how many of them are overdue (both index-only counts). */
  async counts(user: Pick<User, 'id'>, filters: QueueFilters = {}) {
    const now = this.clock.now().toSQL({ includeOffset: false })!
    const total = await this.filtered(user, filters).count('* as n').firstOrFail()
    const overdue = await this.filtered(user, filters).where('exams.due_at', '<=', now).count('* as n').firstOrFail()
    return { total: Number(total.$extras.n), overdue: Number(overdue.$extras.n) }
  }
}

/** The JSON form of a queue row in /api/v1. */
export function queueRowJson(row: QueueRow) {
  const { exam } = row
  return {
    id: exam.id,
    accessionNumber: exam.accessionNumber,
    status: exam.status,
    priority: exam.priority,
    modality: exam.modality,
    imagesReceivedAt: exam.imagesReceivedAt?.toISO() ?? null,
    dueAt: row.dueAt.toISO(),
    minutesLeft: row.minutesLeft,
    urgency: row.urgency,
    institution: { id: exam.institution.id, code: exam.institution.code, name: exam.institution.name },
    patient: { name: exam.patient.name, sex: exam.patient.sex, birthDate: exam.patient.birthDate.toISODate() },
    items: exam.items.map((item) => item.name),
    claimedBy: exam.claimedBy ? { id: exam.claimedBy.id, fullName: exam.claimedBy.fullName } : null,
    report: row.working
      ? {
          versionNo: row.working.versionNo,
          status: row.working.status,
          author: row.working.author?.fullName ?? null,
          returned: Boolean(row.working.returnComment && row.working.status === 'draft'),
          amendment: row.working.versionNo > 1,
        }
      : null,
  }
}
