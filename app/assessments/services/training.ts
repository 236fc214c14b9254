import db from '@adonisjs/lucid/services/db'
import { inject } from '@adonisjs/core'
import { DateTime } from 'luxon'
import type User from '#models/user'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { sqlTime } from '#app/platform/db_helpers'
import { hospitalToday } from '#app/platform/dates'

/*
| Training of the members' staff (C 7.3.1: at least twice a year; C 9.3: every
| quarter) and the staff assessment rounds (C 7.3.2, C 9.3: at least every half
| year). Attendees come from the clinic's roster (app/staffing's staff_members);
| a session's attendance counts once signed off, and is then fixed.
|
| Flags come before the rule is broken: a person is "at risk" when, with nothing
| more done, they would fall below two sessions in 12 months (or past 6 months
| since their last assessment) within the warning horizon.
*/

export const TRAINING_PER_YEAR = 2
export const ASSESSMENT_MONTHS = 6
/** How far ahead a coming shortfall is flagged. */
export const WARNING_DAYS = 60

export type CoverageState = 'ok' | 'at_risk' | 'below'

export interface SessionInput {
  topic: string
  heldOn: string
  trainer: string
  modality?: 'DR' | 'CT' | 'MR' | null
  institutionId: number
  attendeeIds: number[]
}

export interface MaterialFile {
  fileName: string
  contentType: string
  content: Buffer
}

/**
 * C 7.3.1 for one person: the signed-off sessions' days (any order) → their
 * state today and the day they fall (or fell) below two in the trailing year.
 */
export function trainingState(sessionDays: string[], today: DateTime) {
  const days = sessionDays
    .map((d) => DateTime.fromISO(d, { zone: 'utc' }))
    .sort((a, b) => b.toMillis() - a.toMillis())
  const inYear = days.filter((d) => d > today.minus({ months: 12 }) && d <= today)
  // The day the second-latest session leaves the 12-month window.
  const fallsBelowOn =
    days.length >= TRAINING_PER_YEAR ? days[TRAINING_PER_YEAR - 1].plus({ months: 12 }) : null
  let state: CoverageState = 'ok'
  if (inYear.length < TRAINING_PER_YEAR) state = 'below'
  else if (fallsBelowOn && fallsBelowOn <= today.plus({ days: WARNING_DAYS })) state = 'at_risk'
  return { state, sessionsInYear: inYear.length, fallsBelowOn: fallsBelowOn?.toISODate() ?? null }
}

/** C 9.3 for one person: assessed within 6 months? due when the last assessment turns 6 months old. */
export function assessmentState(lastAssessedOn: string | null, today: DateTime) {
  if (!lastAssessedOn) return { state: 'below' as CoverageState, dueOn: null }
  const due = DateTime.fromISO(lastAssessedOn, { zone: 'utc' }).plus({ months: ASSESSMENT_MONTHS })
  const state: CoverageState =
    due <= today ? 'below' : due <= today.plus({ days: WARNING_DAYS }) ? 'at_risk' : 'ok'
  return { state, dueOn: due.toISODate() }
}

@inject()
export class Training {
  constructor(protected clock: Clock) {}

  protected async memberClinic(institutionId: number) {
    const clinic = await db
      .from('institutions')
      .where('id', institutionId)
      .whereIn('kind', ['member_clinic', 'lead_hospital'])
      .first()
    if (!clinic) throw new DomainRefusal('unknown_clinic', 'assessments.refusals.unknown_clinic')
    return clinic
  }

  /** Attendees must be active people of the session's clinic roster. */
  protected async checkAttendees(institutionId: number, attendeeIds: number[]) {
    if (attendeeIds.length === 0) return
    const people = await db
      .from('staff_members')
      .whereIn('id', attendeeIds)
      .select('id', 'institution_id', 'active', 'full_name')
    if (people.length !== new Set(attendeeIds).size)
      throw new DomainRefusal('unknown_attendee', 'assessments.refusals.unknown_attendee')
    const stranger = people.find((p: any) => Number(p.institution_id) !== institutionId)
    if (stranger)
      throw new DomainRefusal(
        'attendee_of_another_clinic',
        'assessments.refusals.attendee_of_another_clinic',
        { name: stranger.full_name }
      )
  }

  async plan(user: User, input: SessionInput, materials: MaterialFile[] = []) {
    await this.memberClinic(input.institutionId)
    const attendeeIds = [...new Set(input.attendeeIds)]
    await this.checkAttendees(input.institutionId, attendeeIds)
    const now = sqlTime(this.clock.now())
    return db.transaction(async (trx) => {
      const [id] = await trx.table('training_sessions').insert({
        topic: input.topic,
        held_on: input.heldOn,
        trainer: input.trainer,
        modality: input.modality ?? null,
        institution_id: input.institutionId,
        created_by_id: user.id,
        created_at: now,
        updated_at: now,
      })
      if (attendeeIds.length)
        await trx
          .table('training_attendances')
          .multiInsert(
            attendeeIds.map((staffId) => ({ training_session_id: id, staff_member_id: staffId }))
          )
      for (const file of materials) {
        await trx.table('training_materials').insert({
          training_session_id: id,
          file_name: file.fileName.slice(0, 200),
          content_type: file.contentType.slice(0, 100),
          size: file.content.length,
          content: file.content,
          uploaded_by_id: user.id,
          created_at: now,
        })
      }
      return Number(id)
    })
  }

  async session(id: number) {
    const session = await db
      .from('training_sessions as s')
      .join('institutions as i', 'i.id', 's.institution_id')
      .where('s.id', id)
      .select('s.*', 'i.name as clinic_name')
      .first()
    if (!session) return null
    const attendees = await db
      .from('training_attendances as a')
      .join('staff_members as m', 'm.id', 'a.staff_member_id')
      .where('a.training_session_id', id)
      .orderBy('m.full_name')
      .select('m.id', 'm.full_name', 'm.staff_no', 'm.profession')
    const materials = await db
      .from('training_materials')
      .where('training_session_id', id)
      .select('id', 'file_name', 'content_type', 'size')
      .orderBy('id')
    return { ...session, attendees, materials }
  }

  /** Changes the attendance of a session not yet signed off. */
  async setAttendance(sessionId: number, attendeeIds: number[]) {
    const session = await db.from('training_sessions').where('id', sessionId).first()
    if (!session) throw DomainRefusal.notFound('training_session')
    if (session.signed_off_at)
      throw new DomainRefusal(
        'attendance_signed_off',
        'assessments.refusals.attendance_signed_off',
        {},
        409
      )
    const ids = [...new Set(attendeeIds)]
    await this.checkAttendees(Number(session.institution_id), ids)
    await db.transaction(async (trx) => {
      await trx.from('training_attendances').where('training_session_id', sessionId).delete()
      if (ids.length)
        await trx
          .table('training_attendances')
          .multiInsert(
            ids.map((staffId) => ({ training_session_id: sessionId, staff_member_id: staffId }))
          )
      await trx
        .from('training_sessions')
        .where('id', sessionId)
        .update({ updated_at: sqlTime(this.clock.now()) })
    })
    return ids.length
  }

  async addMaterial(user: User, sessionId: number, file: MaterialFile) {
    const [id] = await db.table('training_materials').insert({
      training_session_id: sessionId,
      file_name: file.fileName.slice(0, 200),
      content_type: file.contentType.slice(0, 100),
      size: file.content.length,
      content: file.content,
      uploaded_by_id: user.id,
      created_at: sqlTime(this.clock.now()),
    })
    return Number(id)
  }

  material(sessionId: number, materialId: number) {
    return db
      .from('training_materials')
      .where('training_session_id', sessionId)
      .where('id', materialId)
      .first()
  }

  /** Attendance signed off: the session counts from now on; once, and not before the day it was held. */
  async signOff(user: User, sessionId: number) {
    const session = await db.from('training_sessions').where('id', sessionId).first()
    if (!session) throw DomainRefusal.notFound('training_session')
    if (session.signed_off_at)
      throw new DomainRefusal(
        'attendance_signed_off',
        'assessments.refusals.attendance_signed_off',
        {},
        409
      )
    const heldOn = isoDay(session.held_on)
    if (heldOn > hospitalToday(this.clock.now()).toISODate()!)
      throw new DomainRefusal('session_not_held_yet', 'assessments.refusals.session_not_held_yet')
    const attendees = await db
      .from('training_attendances')
      .where('training_session_id', sessionId)
      .count('* as n')
      .first()
    if (Number(attendees?.n ?? 0) === 0)
      throw new DomainRefusal('no_attendees', 'assessments.refusals.no_attendees')
    const updated = await db
      .from('training_sessions')
      .where('id', sessionId)
      .whereNull('signed_off_at')
      .update({ signed_off_at: sqlTime(this.clock.now()), signed_off_by_id: user.id })
    if (Number(updated) !== 1)
      throw new DomainRefusal(
        'attendance_signed_off',
        'assessments.refusals.attendance_signed_off',
        {},
        409
      )
    return sessionId
  }

  async sessions(filter: { institutionId?: number } = {}) {
    const q = db
      .from('training_sessions as s')
      .join('institutions as i', 'i.id', 's.institution_id')
      .orderBy('s.held_on', 'desc')
      .limit(200)
    if (filter.institutionId) q.where('s.institution_id', filter.institutionId)
    return q.select(
      's.*',
      'i.name as clinic_name',
      db.raw(
        '(SELECT COUNT(*) FROM training_attendances a WHERE a.training_session_id = s.id) AS attendee_count'
      )
    )
  }

  /** One person's training history and assessments, newest first, with their state today. */
  async history(staffMemberId: number) {
    const person = await db
      .from('staff_members as m')
      .join('institutions as i', 'i.id', 'm.institution_id')
      .where('m.id', staffMemberId)
      .select('m.*', 'i.name as clinic_name')
      .first()
    if (!person) return null
    const sessions = await db
      .from('training_attendances as a')
      .join('training_sessions as s', 's.id', 'a.training_session_id')
      .where('a.staff_member_id', staffMemberId)
      .orderBy('s.held_on', 'desc')
      .select('s.id', 's.topic', 's.held_on', 's.trainer', 's.modality', 's.signed_off_at')
    const scores = await db
      .from('assessment_scores as sc')
      .join('assessment_rounds as r', 'r.id', 'sc.assessment_round_id')
      .where('sc.staff_member_id', staffMemberId)
      .orderBy('r.held_on', 'desc')
      .select(
        'r.id',
        'r.title',
        'r.held_on',
        'r.kind',
        'r.max_score',
        'r.pass_mark',
        'sc.score',
        'sc.passed'
      )
    const today = hospitalToday(this.clock.now())
    const signed = sessions.filter((s: any) => s.signed_off_at).map((s: any) => isoDay(s.held_on))
    return {
      person,
      sessions,
      scores,
      training: trainingState(signed, today),
      assessment: assessmentState(scores[0] ? isoDay(scores[0].held_on) : null, today),
    }
  }

  /**
   * Everyone on the members' active rosters with their training and assessment
   * state today; `onlyFlagged` keeps those below or at risk.
   */
  async coverage(filter: { institutionId?: number; onlyFlagged?: boolean } = {}) {
    const people = db
      .from('staff_members as m')
      .join('institutions as i', 'i.id', 'm.institution_id')
      .where('m.active', true)
      .where('i.kind', 'member_clinic')
      .orderBy('i.name')
      .orderBy('m.full_name')
      .select(
        'm.id',
        'm.full_name',
        'm.staff_no',
        'm.profession',
        'm.institution_id',
        'i.name as clinic_name'
      )
    if (filter.institutionId) people.where('m.institution_id', filter.institutionId)
    const rows = await people
    const ids = rows.map((r: any) => r.id)
    const sessions = ids.length
      ? await db
          .from('training_attendances as a')
          .join('training_sessions as s', 's.id', 'a.training_session_id')
          .whereIn('a.staff_member_id', ids)
          .whereNotNull('s.signed_off_at')
          .select('a.staff_member_id', 's.held_on')
      : []
    const assessed = ids.length
      ? await db
          .from('assessment_scores as sc')
          .join('assessment_rounds as r', 'r.id', 'sc.assessment_round_id')
          .whereIn('sc.staff_member_id', ids)
          .groupBy('sc.staff_member_id')
          .select('sc.staff_member_id', db.raw('MAX(r.held_on) AS last_on'))
      : []
    const today = hospitalToday(this.clock.now())
    const byPerson = new Map<number, string[]>()
    for (const s of sessions)
      byPerson.set(s.staff_member_id, [
        ...(byPerson.get(s.staff_member_id) ?? []),
        isoDay(s.held_on),
      ])
    const lastAssessed = new Map(assessed.map((a: any) => [a.staff_member_id, isoDay(a.last_on)]))
    const result = rows.map((r: any) => ({
      ...r,
      training: trainingState(byPerson.get(r.id) ?? [], today),
      assessment: assessmentState(lastAssessed.get(r.id) ?? null, today),
    }))
    return filter.onlyFlagged
      ? result.filter((r: any) => r.training.state !== 'ok' || r.assessment.state !== 'ok')
      : result
  }
}

/** A DATE column as yyyy-MM-dd (mysql2 gives a Date at local midnight; the server runs in UTC). */
export function isoDay(value: Date | string) {
  if (typeof value === 'string') return value.slice(0, 10)
  return DateTime.fromJSDate(value, { zone: 'utc' }).toISODate()!
}
