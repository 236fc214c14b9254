import { DateTime } from 'luxon'
import imaging from '#config/imaging'

/** The job runs at 02:30 hospital time (quiet hours for the clinics' uplinks). */
export const RETENTION_LOCAL_HOUR = 2
export const RETENTION_LOCAL_MINUTE = 30

/** The node-cron expression in the server's zone (the app runs with TZ=UTC), from the hospital's zone. */
export function retentionCron(zone = imaging.displayTimezone) {
  const local = DateTime.now()
    .setZone(zone)
    .set({ hour: RETENTION_LOCAL_HOUR, minute: RETENTION_LOCAL_MINUTE, second: 0 })
  const utc = local.toUTC()
  return `0 ${utc.minute} ${utc.hour} * * *`
}

/** When the nightly job next runs after `now`. */
export function nextRetentionRun(now: DateTime, zone = imaging.displayTimezone) {
  const local = now.setZone(zone)
  let next = local.set({
    hour: RETENTION_LOCAL_HOUR,
    minute: RETENTION_LOCAL_MINUTE,
    second: 0,
    millisecond: 0,
  })
  if (next <= local) next = next.plus({ days: 1 })
  return next.toUTC()
}
