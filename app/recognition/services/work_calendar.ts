import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import imaging from '#config/imaging'
import { sqlTime, upsert } from '#app/platform/db_helpers'
import { DomainRefusal } from '#app/platform/domain_refusal'

/*
| The working-day calendar of the continuity metric (R 7.1.5). R 7.1.5 itself
| says only that an interruption of uploads should not exceed 24 h; issue 13
| counts it on working days, so a clinic closed for the weekend is not flagged.
| A weekday is a working day unless the administrators entered it as a public
| holiday; a Saturday or Sunday is not, unless entered as an adjusted working day
| (调休). Seeded with 2026 and 2027 (migration 1734100000001), kept by administrators.
*/
export const CALENDAR_KINDS = ['holiday', 'workday'] as const
export type CalendarKind = (typeof CALENDAR_KINDS)[number]

/** Hospital day (yyyy-MM-dd) → what the calendar says of it; days it does not name follow the week. */
export type WorkCalendar = ReadonlyMap<string, CalendarKind>
export const NO_CALENDAR: WorkCalendar = new Map()

const zone = () => imaging.displayTimezone

const isoDay = (value: unknown) =>
  value instanceof Date
    ? DateTime.fromJSDate(value, { zone: 'utc' }).toISODate()!
    : String(value).slice(0, 10)

/** Whether a hospital day is a working day: the calendar's word first, else Monday–Friday. */
export function isWorkingDay(day: DateTime, calendar: WorkCalendar = NO_CALENDAR) {
  const local = day.setZone(zone())
  const entry = calendar.get(local.toISODate()!)
  if (entry) return entry === 'workday'
  return local.weekday <= 5
}

/** The calendar's entries for the hospital days from `from` to `to`, both included. */
export async function workCalendar(from: DateTime, to: DateTime): Promise<WorkCalendar> {
  const rows = await db
    .from('recognition_calendar_days')
    .where('day', '>=', from.setZone(zone()).toISODate()!)
    .where('day', '<=', to.setZone(zone()).toISODate()!)
    .select('day', 'kind')
  return new Map(rows.map((r) => [isoDay(r.day), r.kind as CalendarKind]))
}

export async function calendarYear(year: number) {
  const rows = await db
    .from('recognition_calendar_days')
    .where('day', '>=', `${year}-01-01`)
    .where('day', '<=', `${year}-12-31`)
    .orderBy('day')
    .select('day', 'kind', 'name')
  return rows.map((r) => ({ day: isoDay(r.day), kind: r.kind as CalendarKind, name: r.name }))
}

export interface CalendarDayInput {
  day: string
  kind: string
  name: string
}

/** Enters or changes one day. An adjusted working day is a Saturday or Sunday: a weekday already is one. */
export async function setCalendarDay(userId: number, input: CalendarDayInput) {
  const day = DateTime.fromISO(input.day, { zone: zone() })
  if (!day.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(input.day))
    throw new DomainRefusal('calendar_bad_day', 'recognition.calendar.bad_day')
  if (!CALENDAR_KINDS.includes(input.kind as CalendarKind))
    throw new DomainRefusal('calendar_bad_kind', 'recognition.calendar.bad_kind')
  const name = (input.name ?? '').trim()
  if (!name) throw new DomainRefusal('calendar_name_missing', 'recognition.calendar.name_missing')
  if (input.kind === 'workday' && day.weekday <= 5)
    throw new DomainRefusal('calendar_workday_weekday', 'recognition.calendar.workday_weekday')
  await upsert(
    'recognition_calendar_days',
    {
      day: input.day,
      kind: input.kind,
      name: name.slice(0, 60),
      updated_by_id: userId,
      updated_at: sqlTime(DateTime.utc()),
    },
    'day'
  )
  return { day: input.day, kind: input.kind as CalendarKind, name: name.slice(0, 60) }
}

/** Takes a day out of the calendar: it follows the week again. */
export async function removeCalendarDay(dayText: string) {
  const row = await db.from('recognition_calendar_days').where('day', dayText).first()
  if (!row) throw DomainRefusal.notFound('calendar_day')
  await db.from('recognition_calendar_days').where('day', dayText).delete()
  return { day: dayText, kind: row.kind as CalendarKind, name: row.name as string }
}
