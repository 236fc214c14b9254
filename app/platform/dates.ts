import { DateTime } from 'luxon'
import imaging from '#config/imaging'

/*
| Days and times as the hospital lives them. Times are stored in UTC; a "day"
| (a certificate's expiry, a study's date, a file name) is the hospital's day.
*/

/** A calendar day as a UTC midnight, so day differences are whole numbers. */
export function calendarDay(value: DateTime | string) {
  const iso = typeof value === 'string' ? value : value.toISODate()!
  return DateTime.fromISO(iso, { zone: 'utc' }).startOf('day')
}

/** Today in the hospital, as a calendar day. */
export function hospitalToday(now: DateTime) {
  return calendarDay(now.setZone(imaging.displayTimezone).toISODate()!)
}

/**
 * A DICOM DA value (`yyyyMMdd`, as a modality writes it: its own local date)
 * read as that day in the hospital's zone; null when empty or not a date.
 */
export function dicomDate(value?: string | null, zone = imaging.displayTimezone) {
  if (!value) return null
  const date = DateTime.fromFormat(String(value).trim().slice(0, 8), 'yyyyMMdd', { zone })
  return date.isValid ? date : null
}

/** `20261202-0830`: the hospital's date and time, for download names. */
export function fileStamp(now: DateTime) {
  return now.setZone(imaging.displayTimezone).toFormat('yyyyMMdd-HHmm')
}
