import { inject } from '@adonisjs/core'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type User from '#models/user'
import { Clock } from '#app/platform/clock'
import { timeLeft, type Urgency } from '#app/reading/services/turnaround'
import { sqlTime } from '#app/platform/db_helpers'

/*
| The reading queue: exams whose images arrived and whose report is not yet
| signed, ordered by due time (R 7.1.1). Every query here is served by one of
| the exams_queue_* indexes (in_reading_queue, <filter>, due_at, id), or by
| exams_claimed_due_index for "mine"; docs/performance.md has their EXPLAIN.
| Pages go by keyset (due time, id), never by OFFSET. Rows are read as plain
| records in three queries (exams with their patient, clinic and holder; the
| items; the working reports): the queue is the most-read page of the centre.
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
  id: number
  accessionNumber: string
  status: string
  priority: string
  modality: string
  registeredAt: DateTime
  imagesReceivedAt: DateTime | null
  dueAt: DateTime
  minutesLeft: number
  urgency: Urgency
  limitMinutes: number
  patient: { name: string; sex: string; birthDate: DateTime }
  institution: { id: number; code: string; name: string }
  items: Array<{ name: string; bodyPart: string; method: string }>
  claimedBy: { id: number; fullName: string } | null
  working: {
    versionNo: number
    status: string
    returnComment: string | null
    author: string
    authorId: number
  } | null
}

export function parseCursor(after?: string) {
  const match = /^(\d{1,15})\.(\d{1,15})$/.exec(after ?? '')
  if (!match) return null
  return { due: DateTime.fromMillis(Number(match[1]), { zone: 'utc' }), id: Number(match[2]) }
}

/** DATETIME/DATE values as MySQL (Date) and SQLite (text) return them, in UTC. */
function utc(value: Date | string | null): DateTime | null {
  if (value === null || value === undefined) return null
  return value instanceof Date
    ? DateTime.fromJSDate(value, { zone: 'utc' })
    : DateTime.fromSQL(String(value), { zone: 'utc' })
}

const sql = (time: DateTime) => sqlTime(time, true)

@inject()
export class ReadingQueue {
  constructor(protected clock: Clock) {}

  /** The filtered queue, without order or limit (also used to count). */
  filtered(user: Pick<User, 'id'>, filters: QueueFilters) {
    const query = db.from('exams')
    // "Mine" uses the claim index alone: a claimed exam is always in the queue (signing clears the claim).
    if (filters.mine) query.where('exams.claimed_by_id', user.id)
    else query.where('exams.in_reading_queue', true)
    if (filters.modality) query.where('exams.modality', filters.modality)
    if (filters.institutionId) query.where('exams.institution_id', filters.institutionId)
    if (filters.priority) query.where('exams.priority', filters.priority)
    if (filters.status) query.where('exams.status', filters.status)
    return query
  }

  /** One page of the queue, in due order: the query a page runs, exactly (EXPLAINed by the benchmark). */
  pageQuery(user: Pick<User, 'id'>, filters: QueueFilters, limit: number) {
    const query = this.filtered(user, filters)
    const cursor = parseCursor(filters.after)
    if (cursor) {
      const due = sql(cursor.due)
      // A range on the index, then the tie-break on id.
      query
        .where('exams.due_at', '>=', due)
        .where((q) => q.where('exams.due_at', '>', due).orWhere('exams.id', '>', cursor.id))
    }
    // LEFT JOINs (every exam has its patient and clinic: NOT NULL foreign keys, so the rows are the same) keep
    // `exams` the driving table: at 10,000,000 exams MariaDB otherwise starts from the 41 institutions and walks
    // each clinic's archive (p95 64 s, docs/performance.md), instead of reading the queue index in due order.
    return query
      .leftJoin('patients', 'patients.id', 'exams.patient_id')
      .leftJoin('institutions', 'institutions.id', 'exams.institution_id')
      .leftJoin('users as holders', 'holders.id', 'exams.claimed_by_id')
      .select(
        'exams.id',
        'exams.accession_number',
        'exams.status',
        'exams.priority',
        'exams.modality',
        'exams.registered_at',
        'exams.images_received_at',
        'exams.due_at',
        'exams.claimed_by_id',
        'exams.institution_id',
        'patients.name as patient_name',
        'patients.sex as patient_sex',
        'patients.birth_date as patient_birth_date',
        'institutions.code as institution_code',
        'institutions.name as institution_name',
        'holders.full_name as holder_name'
      )
      .orderBy('exams.due_at', 'asc')
      .orderBy('exams.id', 'asc')
      .limit(limit + 1)
  }

  /** The exam items of a page of exams. */
  itemsQuery(examIds: number[]) {
    return db
      .from('exam_exam_items')
      .innerJoin('exam_items', 'exam_items.id', 'exam_exam_items.exam_item_id')
      .whereIn('exam_exam_items.exam_id', examIds)
      .select(
        'exam_exam_items.exam_id',
        'exam_items.name',
        'exam_items.body_part',
        'exam_items.method'
      )
  }

  /** The reports being written or reviewed for a page of exams, with their authors. */
  workingQuery(examIds: number[]) {
    return db
      .from('report_versions')
      .innerJoin('users', 'users.id', 'report_versions.author_id')
      .whereIn('report_versions.exam_id', examIds)
      .whereIn('report_versions.status', ['draft', 'pending_review'])
      .select(
        'report_versions.exam_id',
        'report_versions.version_no',
        'report_versions.status',
        'report_versions.return_comment',
        'report_versions.author_id',
        'users.full_name'
      )
  }

  async list(user: Pick<User, 'id'>, filters: QueueFilters = {}) {
    const limit = Math.min(Math.max(filters.limit ?? 50, 1), 200)
    const found = await this.pageQuery(user, filters, limit)
    const page = found.slice(0, limit)
    const ids = page.map((row: any) => Number(row.id))
    const [items, working] = ids.length
      ? await Promise.all([this.itemsQuery(ids), this.workingQuery(ids)])
      : [[], []]
    const itemsBy = new Map<number, QueueRow['items']>()
    for (const item of items) {
      const list = itemsBy.get(Number(item.exam_id)) ?? []
      list.push({ name: item.name, bodyPart: item.body_part, method: item.method })
      itemsBy.set(Number(item.exam_id), list)
    }
    const workingBy = new Map(
      working.map((v: any) => [
        Number(v.exam_id),
        {
          versionNo: Number(v.version_no),
          status: v.status,
          returnComment: v.return_comment,
          author: v.full_name,
          authorId: Number(v.author_id),
        },
      ])
    )
    const now = this.clock.now()
    const rows: QueueRow[] = page.map((row: any) => {
      const dueAt = utc(row.due_at) ?? now
      const imagesReceivedAt = utc(row.images_received_at)
      const limitMinutes = imagesReceivedAt
        ? Math.max(1, Math.round(dueAt.diff(imagesReceivedAt, 'minutes').minutes))
        : 60
      const left = timeLeft(dueAt, now, limitMinutes)
      const id = Number(row.id)
      return {
        id,
        accessionNumber: row.accession_number,
        status: row.status,
        priority: row.priority,
        modality: row.modality,
        registeredAt: utc(row.registered_at)!,
        imagesReceivedAt,
        dueAt,
        minutesLeft: left.minutes,
        urgency: left.state,
        limitMinutes,
        patient: {
          name: row.patient_name,
          sex: row.patient_sex,
          birthDate: utc(row.patient_birth_date)!,
        },
        institution: {
          id: Number(row.institution_id),
          code: row.institution_code,
          name: row.institution_name,
        },
        items: itemsBy.get(id) ?? [],
        claimedBy: row.claimed_by_id
          ? { id: Number(row.claimed_by_id), fullName: row.holder_name }
          : null,
        working: workingBy.get(id) ?? null,
      }
    })
    const last = rows[rows.length - 1]
    return {
      rows,
      next: found.length > limit && last ? `${last.dueAt.toMillis()}.${last.id}` : null,
      now,
    }
  }

  /** How many exams match, and how many of them are overdue: one index-only pass. */
  countsQuery(user: Pick<User, 'id'>, filters: QueueFilters = {}) {
    return this.filtered(user, filters)
      .count('* as total')
      .select(
        db.raw('SUM(CASE WHEN exams.due_at <= ? THEN 1 ELSE 0 END) AS overdue', [
          sql(this.clock.now()),
        ])
      )
  }

  async counts(user: Pick<User, 'id'>, filters: QueueFilters = {}) {
    const [row] = await this.countsQuery(user, filters)
    return { total: Number(row?.total ?? 0), overdue: Number(row?.overdue ?? 0) }
  }
}

/** The JSON form of a queue row in /api/v1. */
export function queueRowJson(row: QueueRow) {
  return {
    id: row.id,
    accessionNumber: row.accessionNumber,
    status: row.status,
    priority: row.priority,
    modality: row.modality,
    imagesReceivedAt: row.imagesReceivedAt?.toISO() ?? null,
    dueAt: row.dueAt.toISO(),
    minutesLeft: row.minutesLeft,
    urgency: row.urgency,
    institution: row.institution,
    patient: {
      name: row.patient.name,
      sex: row.patient.sex,
      birthDate: row.patient.birthDate.toISODate(),
    },
    items: row.items.map((item) => item.name),
    claimedBy: row.claimedBy,
    report: row.working
      ? {
          versionNo: row.working.versionNo,
          status: row.working.status,
          author: row.working.author,
          returned: Boolean(row.working.returnComment && row.working.status === 'draft'),
          amendment: row.working.versionNo > 1,
        }
      : null,
  }
}
