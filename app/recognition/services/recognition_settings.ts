import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { sqlTime, upsert } from '#app/platform/db_helpers'
import { DomainRefusal } from '#app/platform/domain_refusal'

/*
| What the administrator may tune. Defaults come from the standards:
| R 6.5 recognises results of the last month; R 7.1 sets the data-quality
| floors (consistency 100 %, completeness ≥ 95 %, accuracy ≥ 90 %, no gap over
| 24 h); the QC pass rate under which recognition is suspended (R 9.1) and the
| timeliness floor are the centre's own choice.
*/
export const SETTING_DEFAULTS = {
  window_days: 30,
  suspension_threshold: 0.8,
  dq_timeliness: 0.95,
  dq_consistency: 1,
  dq_completeness: 0.95,
  dq_accuracy: 0.9,
  dq_continuity_gap_days: 0,
} as const

export type SettingName = keyof typeof SETTING_DEFAULTS
export type RecognitionSettings = Record<SettingName, number>

const LIMITS: Record<SettingName, [number, number]> = {
  window_days: [1, 366],
  suspension_threshold: [0, 1],
  dq_timeliness: [0, 1],
  dq_consistency: [0, 1],
  dq_completeness: [0, 1],
  dq_accuracy: [0, 1],
  dq_continuity_gap_days: [0, 31],
}

/** The longest recognition window the administrator may set (R 6.5 says a month; a region may widen it). */
export const MAX_WINDOW_DAYS = LIMITS.window_days[1]

export async function recognitionSettings(): Promise<RecognitionSettings> {
  const rows = await db.from('recognition_settings').select('name', 'value')
  const settings = { ...SETTING_DEFAULTS } as RecognitionSettings
  for (const row of rows)
    if (row.name in settings) settings[row.name as SettingName] = Number(row.value)
  return settings
}

export async function updateRecognitionSettings(
  userId: number,
  changes: Partial<RecognitionSettings>
) {
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined || value === null) continue
    const limits = LIMITS[name as SettingName]
    if (!limits || !Number.isFinite(value) || value < limits[0] || value > limits[1]) {
      throw new DomainRefusal('setting_out_of_range', 'recognition.settings.out_of_range', { name })
    }
  }
  const now = sqlTime(DateTime.utc())
  await db.transaction(async (trx) => {
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined || value === null) continue
      await upsert(
        'recognition_settings',
        { name, value: String(value), updated_by_id: userId, updated_at: now },
        'name',
        trx
      )
    }
  })
  return recognitionSettings()
}
