import type { I18n } from '@adonisjs/i18n'
import { durationParts } from '#app/reading/services/turnaround'

/** "剩余 1 小时 20 分" / "超时 2 天 3 小时": the two largest units, in the reader's language. */
export function timeLabel(i18n: I18n, minutes: number) {
  const { days, hours, minutes: mins } = durationParts(minutes)
  const parts: string[] = []
  if (days) parts.push(i18n.t('reading.time.days', { n: days }))
  if (hours) parts.push(i18n.t('reading.time.hours', { n: hours }))
  if (!days && (mins || !hours)) parts.push(i18n.t('reading.time.minutes', { n: mins }))
  return i18n.t(minutes < 0 ? 'reading.time.overdue' : 'reading.time.left', {
    time: parts.slice(0, 2).join(' '),
  })
}
