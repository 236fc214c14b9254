import { DateTime } from 'luxon'
import imaging from '#config/imaging'

/** Times are stored in UTC and shown in the hospital's zone. */
export function formatInZone(time: DateTime | null | undefined, format = 'yyyy-MM-dd HH:mm') {
  return time ? time.setZone(imaging.displayTimezone).toFormat(format) : ''
}

/** Minutes between two times, one decimal, or null when either is missing. */
export function minutesBetween(from: DateTime | null | undefined, to: DateTime | null | undefined) {
  if (!from || !to) return null
  return Math.round(to.diff(from, 'minutes').minutes * 10) / 10
}
