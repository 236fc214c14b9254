import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import imaging from '#config/imaging'
import { Clock } from '#app/platform/clock'
import { sqlTime } from '#app/platform/db_helpers'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { sampleOf } from '#app/quality/services/sampling'
import type { QcItem } from '#app/quality/services/scoring'

/*
| Centralised / retrospective QC (Q 7.2.1): a QC officer filters exams into a
| session (the daily morning meeting, a monthly review), works through them,
| and closes it. Other capabilities open sessions too: the quarterly
| assessments' spot checks call `open` with the exams they drew.
*/

export interface SessionFilters {
  from?: string
  to?: string
  institutionId?: number
  modality?: string
  readerId?: number
  technologist?: string
  item?: QcItem
  maxScore?: number
  /** a random sample of N of the matching exams */
  sample?: number
}

export interface QcSession {
  id: number
  title: string
  purpose: string | null
  status: 'open' | 'closed'
  openedById: number
  openedAt: DateTime
  closedAt: DateTime | null
  examIds: number[]
}

const LIMIT = 500

function dayStart(day: string) {
  return DateTime.fromISO(day, { zone: imaging.displayTimezone }).startOf('day').toUTC()
}

@inject()
export class QcSessions {
  constructor(protected clock: Clock) {}

  /** The signed exams that match the filters (a period of report signatures), newest first, at most 500. */
  async candidates(filters: SessionFilters) {
    const now = this.clock.now()
    const to = filters.to ? dayStart(filters.to).plus({ days: 1 }) : null
    const from = filters.from ? dayStart(filters.from) : (to ?? now).minus({ days: 31 })
    const q = db
      .from('exams')
      .whereNotNull('exams.report_signed_at')
      .where('exams.report_signed_at', '>=', sqlTime(from))
      .select(
        'exams.id',
        'exams.accession_number',
        'exams.modality',
        'exams.institution_id',
        'exams.report_signed_at'
      )
      .orderBy('exams.report_signed_at', 'desc')
      .limit(filters.sample ? LIMIT * 4 : LIMIT)
    if (to) q.where('exams.report_signed_at', '<', sqlTime(to))
    if (filters.institutionId) q.where('exams.institution_id', filters.institutionId)
    if (filters.modality) q.where('exams.modality', filters.modality)
    if (filters.readerId) {
      q.whereExists((s) =>
        s
          .from('report_versions')
          .whereRaw('report_versions.exam_id = exams.id')
          .where('report_versions.author_id', filters.readerId!)
      )
    }
    if (filters.technologist) {
      const like = `%${filters.technologist!.replace(/[%_]/g, '')}%`
      // The technologist picked at upload, else the one DICOM named.
      q.where((w) =>
        w
          .whereExists((s) =>
            s
              .from('staff_members')
              .whereRaw('staff_members.id = exams.technologist_staff_id')
              .where('staff_members.full_name', 'like', like)
          )
          .orWhere((o) =>
            o
              .whereNull('exams.technologist_staff_id')
              .whereExists((s) =>
                s
                  .from('qc_exam_technologists')
                  .whereRaw('qc_exam_technologists.exam_id = exams.id')
                  .where('operator_name', 'like', like)
              )
          )
      )
    }
    if (filters.item || filters.maxScore) {
      q.whereExists((s) => {
        s.from('qc_scores').whereRaw('qc_scores.exam_id = exams.id')
        if (filters.item) s.where('qc_scores.item', filters.item)
        if (filters.maxScore) s.where('qc_scores.score', '<=', filters.maxScore)
      })
    }
    let rows = await q
    if (filters.sample && rows.length > filters.sample) {
      // A reproducible sample for the day it was drawn: the same filters drawn the same day give the same exams.
      const seed = `session:${now.toISODate()}:${JSON.stringify(filters)}`
      const drawn = new Set(
        sampleOf(
          rows.map((r: any) => Number(r.id)),
          filters.sample,
          seed
        )
      )
      rows = rows.filter((r: any) => drawn.has(Number(r.id)))
    }
    return rows.slice(0, LIMIT).map((r: any) => ({
      id: Number(r.id),
      accessionNumber: r.accession_number,
      modality: r.modality,
      institutionId: Number(r.institution_id),
    }))
  }

  /**
   * Opens a session over the given exams (in that order). Exam ids that do not
   * exist are refused; duplicates are kept once.
   */
  async open({
    title,
    purpose,
    examIds,
    openedBy,
  }: {
    title: string
    purpose?: string | null
    examIds: number[]
    openedBy: number
  }): Promise<QcSession> {
    const name = title?.trim()
    if (!name || name.length < 2)
      throw new DomainRefusal('session_title_required', 'quality.refusals.session_title_required')
    const ids = [...new Set(examIds.map(Number))].filter((id) => Number.isInteger(id) && id > 0)
    if (!ids.length) throw new DomainRefusal('session_empty', 'quality.refusals.session_empty')
    if (ids.length > LIMIT)
      throw new DomainRefusal('session_too_large', 'quality.refusals.session_too_large', {
        max: LIMIT,
      })
    const found = await db.from('exams').whereIn('id', ids).select('id')
    if (found.length !== ids.length)
      throw new DomainRefusal('session_unknown_exam', 'quality.refusals.session_unknown_exam')
    const now = this.clock.now()
    const id = await db.transaction(async (trx) => {
      const [created] = await trx.table('qc_sessions').insert({
        title: name.slice(0, 128),
        purpose: purpose?.trim() || null,
        status: 'open',
        opened_by_id: openedBy,
        opened_at: sqlTime(now),
      })
      await trx
        .table('qc_session_exams')
        .multiInsert(
          ids.map((examId, i) => ({ session_id: created, exam_id: examId, position: i + 1 }))
        )
      return Number(created)
    })
    return {
      id,
      title: name,
      purpose: purpose?.trim() || null,
      status: 'open',
      openedById: openedBy,
      openedAt: now,
      closedAt: null,
      examIds: ids,
    }
  }

  async close(sessionId: number, by: number) {
    const now = this.clock.now()
    const updated = await db
      .from('qc_sessions')
      .where('id', sessionId)
      .where('status', 'open')
      .update({ status: 'closed', closed_by_id: by, closed_at: sqlTime(now) })
    if (!Number(updated))
      throw new DomainRefusal('session_closed', 'quality.refusals.session_closed', {}, 409)
    return this.find(sessionId)
  }

  async find(sessionId: number) {
    const row = await db.from('qc_sessions').where('id', sessionId).first()
    if (!row) return null
    const exams = await db
      .from('qc_session_exams')
      .join('exams', 'exams.id', 'qc_session_exams.exam_id')
      .join('institutions', 'institutions.id', 'exams.institution_id')
      .where('session_id', sessionId)
      .orderBy('position')
      .select(
        'exams.id',
        'exams.accession_number',
        'exams.modality',
        'institutions.name as institution',
        'qc_session_exams.done_at'
      )
    return {
      id: Number(row.id),
      title: row.title,
      purpose: row.purpose,
      status: row.status as 'open' | 'closed',
      openedById: Number(row.opened_by_id),
      openedAt: DateTime.fromJSDate(new Date(row.opened_at)),
      closedAt: row.closed_at ? DateTime.fromJSDate(new Date(row.closed_at)) : null,
      exams: exams.map((e: any) => ({
        id: Number(e.id),
        accessionNumber: e.accession_number,
        modality: e.modality,
        institution: e.institution,
        done: Boolean(e.done_at),
      })),
    }
  }

  async list(status?: 'open' | 'closed') {
    const q = db
      .from('qc_sessions')
      .leftJoin('qc_session_exams', 'qc_session_exams.session_id', 'qc_sessions.id')
      .groupBy('qc_sessions.id')
      .select('qc_sessions.*')
      .count('qc_session_exams.exam_id as total')
      .select(db.raw('SUM(CASE WHEN qc_session_exams.done_at IS NULL THEN 0 ELSE 1 END) as done'))
      .orderBy('qc_sessions.opened_at', 'desc')
      .limit(100)
    if (status) q.where('qc_sessions.status', status)
    return (await q).map((r: any) => ({
      id: Number(r.id),
      title: r.title,
      status: r.status,
      openedAt: r.opened_at,
      total: Number(r.total),
      done: Number(r.done ?? 0),
    }))
  }
}
