import { DateTime } from 'luxon'
import imaging from '#config/imaging'
import { DomainRefusal } from '#app/platform/domain_refusal'

/*
| FHIR search parameters (R4 3.1.1.4), only those this server supports; any
| other answers 400 with an OperationOutcome rather than being ignored
| (R4 3.1.1.5: a server may ignore unknown parameters, but a platform asking
| for `subject:missing` must not get every report instead).
*/

export const SEARCHABLE = {
  Patient: ['_id', 'identifier', '_lastUpdated'],
  ServiceRequest: ['_id', 'patient', 'identifier', 'date', 'status', '_lastUpdated'],
  ImagingStudy: ['_id', 'patient', 'identifier', 'date', 'status', '_lastUpdated'],
  DiagnosticReport: ['_id', 'patient', 'identifier', 'date', 'status', '_lastUpdated'],
} as const

export type FhirType = keyof typeof SEARCHABLE

export const STATUSES: Record<FhirType, readonly string[]> = {
  Patient: [],
  ServiceRequest: ['active', 'completed', 'revoked'],
  ImagingStudy: ['available'],
  DiagnosticReport: ['final', 'amended'],
}

/** Parameters that shape the answer, allowed on every type. */
const CONTROL = ['_count', '_offset', '_format', '_total']

/** `_total` (R4 3.1.1.5.8): how hard the server should work for `Bundle.total`. */
export const TOTAL_MODES = ['none', 'estimate', 'accurate'] as const
export type TotalMode = (typeof TOTAL_MODES)[number]

export const MAX_COUNT = 100
export const DEFAULT_COUNT = 20

export interface DateBound {
  op: 'ge' | 'gt' | 'le' | 'lt' | 'eq'
  /** inclusive start and exclusive end of the value's precision, in UTC */
  start: DateTime
  end: DateTime
}

export interface SearchInput {
  type: FhirType
  ids: string[]
  identifiers: Array<{ system: string | null; value: string }>
  patients: string[]
  dates: DateBound[]
  lastUpdated: DateBound[]
  statuses: string[]
  count: number
  offset: number
  /** `_total` as asked; null when not given (then as `none`: counted only when the page shows it) */
  total: TotalMode | null
  /** the accepted query, as it goes into the Bundle's links */
  query: Array<[string, string]>
}

const DATE =
  /^(\d{4})(-(\d{2})(-(\d{2})(T(\d{2}):(\d{2})(:(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/

/** A FHIR date or dateTime with an optional prefix, as the range it covers (dates are the hospital's days). */
export function parseDate(raw: string): DateBound {
  const prefixed = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(.*)$/.exec(raw)!
  const op = (prefixed[1] ?? 'eq') as string
  const value = prefixed[2]
  const match = DATE.exec(value)
  if (!match || !['eq', 'gt', 'lt', 'ge', 'le'].includes(op)) {
    throw new DomainRefusal('bad_date', 'interoperability.fhir.bad_date', { value: raw }, 400)
  }
  let start: DateTime
  let unit: 'year' | 'month' | 'day' | 'minute' | 'second'
  if (match[6]) {
    // A dateTime without a zone is the hospital's local time.
    const zone = match[12] ? undefined : imaging.displayTimezone
    start = DateTime.fromISO(value, { zone, setZone: !!match[12] })
    unit = match[10] ? 'second' : 'minute'
  } else {
    start = DateTime.fromISO(value, { zone: imaging.displayTimezone })
    unit = match[5] ? 'day' : match[3] ? 'month' : 'year'
  }
  if (!start.isValid)
    throw new DomainRefusal('bad_date', 'interoperability.fhir.bad_date', { value: raw }, 400)
  start = start.startOf(unit)
  return { op: op as DateBound['op'], start: start.toUTC(), end: start.plus({ [unit]: 1 }).toUTC() }
}

/** `system|value`, `|value` (no system) or `value` (any system). */
function parseIdentifier(raw: string) {
  const bar = raw.indexOf('|')
  if (bar < 0) return { system: null, value: raw }
  const value = raw.slice(bar + 1)
  if (!value)
    throw new DomainRefusal('bad_identifier', 'interoperability.fhir.bad_identifier', {}, 400)
  return { system: raw.slice(0, bar), value }
}

function count(raw: string | undefined, name: string, fallback: number, min: number, max: number) {
  if (raw === undefined) return fallback
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new DomainRefusal('bad_count', 'interoperability.fhir.bad_count', { name, max }, 400)
  }
  return Number(raw)
}

/** The query string of a search, checked: every parameter known for the type, every value well-formed. */
export function parseSearch(type: FhirType, qs: Record<string, unknown>): SearchInput {
  const allowed = new Set<string>([...SEARCHABLE[type], ...CONTROL])
  const input: SearchInput = {
    type,
    ids: [],
    identifiers: [],
    patients: [],
    dates: [],
    lastUpdated: [],
    statuses: [],
    count: DEFAULT_COUNT,
    offset: 0,
    total: null,
    query: [],
  }
  const single: Record<string, string> = {}
  for (const [name, given] of Object.entries(qs)) {
    if (!allowed.has(name))
      throw new DomainRefusal(
        'unknown_parameter',
        'interoperability.fhir.unknown_parameter',
        { name, type },
        400
      )
    const values = (Array.isArray(given) ? given : [given]).map((v) => String(v ?? ''))
    for (const value of values) {
      if (value === '') continue
      if (name === '_count' || name === '_offset' || name === '_format' || name === '_total') {
        single[name] = value
        continue
      }
      input.query.push([name, value])
      // A comma is an OR of values (R4 3.1.1.4.1).
      const alternatives = value.split(',')
      if (name === '_id') input.ids.push(...alternatives)
      if (name === 'identifier') input.identifiers.push(...alternatives.map(parseIdentifier))
      if (name === 'patient')
        input.patients.push(...alternatives.map((p) => p.replace(/^Patient\//, '')))
      if (name === 'date') input.dates.push(parseDate(value))
      if (name === '_lastUpdated') input.lastUpdated.push(parseDate(value))
      if (name === 'status') {
        for (const status of alternatives) {
          if (!STATUSES[type].includes(status))
            throw new DomainRefusal(
              'bad_status',
              'interoperability.fhir.bad_status',
              { value: status, type },
              400
            )
          input.statuses.push(status)
        }
      }
    }
  }
  if (
    single._format &&
    !['json', 'application/fhir+json', 'application/json'].includes(single._format)
  ) {
    throw new DomainRefusal(
      'unknown_parameter',
      'interoperability.fhir.unknown_parameter',
      { name: `_format=${single._format}`, type },
      400
    )
  }
  if (single._total !== undefined) {
    if (!(TOTAL_MODES as readonly string[]).includes(single._total))
      throw new DomainRefusal(
        'bad_total',
        'interoperability.fhir.bad_total',
        { value: single._total },
        400
      )
    input.total = single._total as TotalMode
  }
  input.count = count(single._count, '_count', DEFAULT_COUNT, 1, MAX_COUNT)
  input.offset = count(single._offset, '_offset', 0, 0, 1_000_000)
  return input
}

/** Applies date bounds to a column (UTC DATETIME). */
export function whereDates(query: any, column: string, bounds: DateBound[]) {
  const sql = (d: DateTime) => d.toSQL({ includeOffset: false })!
  for (const bound of bounds) {
    if (bound.op === 'eq')
      query.where(column, '>=', sql(bound.start)).where(column, '<', sql(bound.end))
    if (bound.op === 'ge') query.where(column, '>=', sql(bound.start))
    if (bound.op === 'gt') query.where(column, '>=', sql(bound.end))
    if (bound.op === 'le') query.where(column, '<', sql(bound.end))
    if (bound.op === 'lt') query.where(column, '<', sql(bound.start))
  }
  return query
}
