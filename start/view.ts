/*
| Template helpers. Times are stored in UTC and shown in the hospital's zone.
*/
import edge from 'edge.js'
import { DateTime } from 'luxon'
import imaging from '#config/imaging'
import { navigation } from '#app/platform/navigation'
import '#start/navigation'

function toDateTime(value: DateTime | Date | string | null | undefined) {
  if (!value) return null
  if (DateTime.isDateTime(value)) return value
  if (value instanceof Date) return DateTime.fromJSDate(value)
  return DateTime.fromISO(value)
}

edge.global('formatTime', (value: DateTime | Date | string | null, format = 'yyyy-MM-dd HH:mm') => {
  const time = toDateTime(value)
  return time ? time.setZone(imaging.displayTimezone).toFormat(format) : '—'
})

edge.global('formatDate', (value: DateTime | Date | string | null) => {
  const time = toDateTime(value)
  return time ? time.toFormat('yyyy-MM-dd') : '—'
})

edge.global('ageOn', (birthDate: DateTime, at?: DateTime) => Math.floor((at ?? DateTime.utc()).diff(birthDate, 'years').years))

edge.global('displayTimezone', imaging.displayTimezone)

edge.global('navigation', navigation)
