import { readFileSync } from 'node:fs'
import app from '@adonisjs/core/services/app'
import { parseCsv } from '#app/platform/csv'

/** R 6.7 and H 三(五): when a repeat exam is allowed, one code each (database/data/repeat-exam-reasons.csv). */
export interface RepeatReason {
  code: string
  reasonZh: string
  source: string
}

let cached: RepeatReason[] | null = null

export function repeatReasons(): RepeatReason[] {
  if (!cached) {
    cached = parseCsv(
      readFileSync(app.makePath('database/data/repeat-exam-reasons.csv'), 'utf8')
    ).map((row) => ({
      code: row.code,
      reasonZh: row.reason_zh,
      source: row.source,
    }))
  }
  return cached
}

export function isRepeatReason(code: string | null | undefined) {
  return !!code && repeatReasons().some((r) => r.code === code)
}

/** The one reason whose text the clinician must write. */
export const OTHER_REASON = 'other'
