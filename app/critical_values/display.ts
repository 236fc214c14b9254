import { DateTime } from 'luxon'
import imaging from '#config/imaging'
import { DEFAULT_CRITICAL_FINDINGS } from '#app/critical_values/default_findings'

// A critical value keeps the (Chinese) name it was raised under; the standard list gives its English name.
const NAMES_EN = new Map(DEFAULT_CRITICAL_FINDINGS.map((f) => [f.name, f.nameEn]))

/** The English name of a finding of the standard list, or null (an administrator's own finding is shown as named). */
export function findingNameEn(name: string) {
  return NAMES_EN.get(name) ?? null
}

/** Times are stored in UTC and shown in the hospital's zone. */
export function formatInZone(time: DateTime | null | undefined, format = 'yyyy-MM-dd HH:mm') {
  return time ? time.setZone(imaging.displayTimezone).toFormat(format) : ''
}

/** Minutes between two times, one decimal, or null when either is missing. */
export function minutesBetween(from: DateTime | null | undefined, to: DateTime | null | undefined) {
  if (!from || !to) return null
  return Math.round(to.diff(from, 'minutes').minutes * 10) / 10
}
