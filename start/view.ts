/*
| Template helpers. Times are stored in UTC and shown in the hospital's zone.
*/
import edge from 'edge.js'
import { DateTime } from 'luxon'
import imaging from '#config/imaging'
import { navigation } from '#app/platform/navigation'
import '#start/navigation'
import type { I18n } from '@adonisjs/i18n'
import { findingNameEn } from '#app/critical_values/display'
import { storageProblem } from '#app/storage/presenters/storage_problem'

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

edge.global('ageOn', (birthDate: DateTime, at?: DateTime) =>
  Math.floor((at ?? DateTime.utc()).diff(birthDate, 'years').years)
)

edge.global('displayTimezone', imaging.displayTimezone)

edge.global('navigation', navigation)

/** An age as the report header stores it (72岁, 5月, 12天), in the reader's language. */
edge.global('ageText', (i18n: I18n, label: string | null | undefined) => {
  const match = String(label ?? '').match(/^(\d+)\s*(岁|月|天)$/)
  if (!match) return label || '—'
  const unit = { 岁: 'years', 月: 'months', 天: 'days' }[match[2] as '岁' | '月' | '天']
  return i18n.t(`common.age.${unit}`, { n: Number(match[1]) })
})

/** A list in the reader's language: 甲、乙、丙 / a, b, c. */
edge.global('listOf', (i18n: I18n, items: string[]) => items.join(i18n.t('common.list_separator')))

/** A critical value's finding in the reader's language (the value keeps the name it was raised under). */
edge.global('findingName', (i18n: I18n, name: string) =>
  i18n.locale === 'en' ? (findingNameEn(name) ?? name) : name
)

/** The first ratio version is the standard's own table (its stored note names the source file). */
edge.global('ratioNote', (i18n: I18n, note: string | null) =>
  !note || /staffing-workload-table|^standard$/.test(note)
    ? i18n.t('staffing.ratios.standard_note')
    : note
)

/** An institution's grade (三级甲等…) in the reader's language. */
edge.global('levelName', (i18n: I18n, level: string | null) =>
  level ? i18n.t(`admin.levels.${level}`, {}, level) : '—'
)

/** A storage node's or transfer's last error in the reader's language (the technical text stays in the record). */
edge.global('storageProblem', storageProblem)

/**
 * A value as JSON for a <script type="application/json"> block (strings handed to the browser scripts):
 * `<`, `>` and `&` escaped so no text can close the block, U+2028/2029 so no parser chokes on them.
 */
edge.global('scriptJson', (value: unknown) =>
  JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  )
)
