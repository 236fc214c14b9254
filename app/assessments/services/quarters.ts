import { DateTime } from 'luxon'
import imaging from '#config/imaging'

/*
| Quarters as the hospital lives them (C 9.3: every quarter): "2026-Q3" runs from
| 1 July 00:00 to 1 October 00:00 hospital time, half-open, stored and compared in UTC.
*/

export interface Quarter {
  key: string
  year: number
  q: number
  /** start, UTC */
  from: DateTime
  /** end (exclusive), UTC */
  to: DateTime
}

export const QUARTER_PATTERN = /^(\d{4})-Q([1-4])$/

export function quarterOf(year: number, q: number): Quarter {
  const start = DateTime.fromObject(
    { year, month: (q - 1) * 3 + 1, day: 1 },
    { zone: imaging.displayTimezone }
  )
  return {
    key: `${year}-Q${q}`,
    year,
    q,
    from: start.toUTC(),
    to: start.plus({ months: 3 }).toUTC(),
  }
}

export function parseQuarter(key: string): Quarter | null {
  const match = QUARTER_PATTERN.exec(key)
  return match ? quarterOf(Number(match[1]), Number(match[2])) : null
}

/** The quarter an instant falls in, in hospital time. */
export function quarterAt(at: DateTime): Quarter {
  const local = at.setZone(imaging.displayTimezone)
  return quarterOf(local.year, Math.floor((local.month - 1) / 3) + 1)
}

export function previousQuarter(quarter: Quarter, by = 1): Quarter {
  const index = quarter.year * 4 + (quarter.q - 1) - by
  return quarterOf(Math.floor(index / 4), (index % 4) + 1)
}

/** The quarter and the three before it, oldest first (the trend). */
export function lastFourQuarters(quarter: Quarter): Quarter[] {
  return [3, 2, 1, 0].map((by) => previousQuarter(quarter, by))
}

/** The last quarter that has ended at `now`. */
export function lastClosedQuarter(now: DateTime) {
  return previousQuarter(quarterAt(now))
}

/** The hospital's offset from UTC in minutes at an instant (Asia/Shanghai has no summer time). */
export function hospitalOffsetMinutes(at: DateTime) {
  return at.setZone(imaging.displayTimezone).offset
}
