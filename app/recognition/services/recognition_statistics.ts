import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import imaging from '#config/imaging'
import type { IndicatorValue } from '#app/platform/clinic_indicators'
import { sqlTime } from '#app/platform/db_helpers'
import { xlsxBuffer } from '#app/platform/documents'
import { repeatReasons } from '#app/recognition/services/repeat_reasons'

/*
| H 四(四): each month, by clinic and by item, the reminders shown, the results
| accepted, the re-examinations by reason, the recognition rate and the exams
| and money avoided (the fee table's price of each accepted item).
*/

export interface StatisticsRow {
  institutionId: number
  institutionName: string
  examItemId: number
  itemName: string
  shown: number
  accepted: number
  reExamined: number
  byReason: Record<string, number>
  /** accepted / decided */
  recognitionRate: number | null
  examsAvoided: number
  moneyAvoidedCents: number
}

export interface MonthlyStatistics {
  month: string
  rows: StatisticsRow[]
  totals: Omit<StatisticsRow, 'institutionId' | 'institutionName' | 'examItemId' | 'itemName'>
}

export function monthBounds(month: string) {
  const start = DateTime.fromFormat(month, 'yyyy-MM', { zone: imaging.displayTimezone })
  if (!start.isValid) throw new Error(`not a month: ${month}`)
  return { from: start.toUTC(), to: start.plus({ months: 1 }).toUTC() }
}

export async function monthlyStatistics(
  month: string,
  clinicIds?: number[]
): Promise<MonthlyStatistics> {
  const { from, to } = monthBounds(month)
  const shown = await db
    .from('recognition_reminders')
    .where('shown_at', '>=', sqlTime(from))
    .where('shown_at', '<', sqlTime(to))
    .if(clinicIds, (q) => q.whereIn('institution_id', clinicIds!))
    .groupBy('institution_id', 'exam_item_id')
    .select('institution_id', 'exam_item_id')
    .count('* as n')
  const decided = await db
    .from('recognition_decisions')
    .where('decided_at', '>=', sqlTime(from))
    .where('decided_at', '<', sqlTime(to))
    .if(clinicIds, (q) => q.whereIn('institution_id', clinicIds!))
    .groupBy('institution_id', 'exam_item_id', 'decision', 'reason_code')
    .select('institution_id', 'exam_item_id', 'decision', 'reason_code')
    .count('* as n')
  const keys = new Map<string, { institutionId: number; examItemId: number }>()
  for (const r of [...shown, ...decided])
    keys.set(`${r.institution_id}:${r.exam_item_id}`, {
      institutionId: Number(r.institution_id),
      examItemId: Number(r.exam_item_id),
    })
  const institutionIds = [...new Set([...keys.values()].map((k) => k.institutionId))]
  const itemIds = [...new Set([...keys.values()].map((k) => k.examItemId))]
  const names = new Map(
    (institutionIds.length
      ? await db.from('institutions').whereIn('id', institutionIds).select('id', 'name')
      : []
    ).map((r) => [Number(r.id), r.name as string])
  )
  const items = new Map(
    (itemIds.length
      ? await db.from('exam_items').whereIn('id', itemIds).select('id', 'name')
      : []
    ).map((r) => [Number(r.id), r.name as string])
  )
  const fees = new Map(
    (itemIds.length ? await db.from('recognition_fees').whereIn('exam_item_id', itemIds) : []).map(
      (r) => [Number(r.exam_item_id), Number(r.fee_cents)]
    )
  )

  const rows: StatisticsRow[] = [...keys.values()].map(({ institutionId, examItemId }) => {
    const mine = (r: any) =>
      Number(r.institution_id) === institutionId && Number(r.exam_item_id) === examItemId
    const accepted = decided
      .filter((r) => mine(r) && r.decision === 'accepted')
      .reduce((sum, r) => sum + Number(r.n), 0)
    const byReason: Record<string, number> = {}
    for (const r of decided.filter((d) => mine(d) && d.decision === 're_examined'))
      byReason[r.reason_code] = (byReason[r.reason_code] ?? 0) + Number(r.n)
    const reExamined = Object.values(byReason).reduce((a, b) => a + b, 0)
    return {
      institutionId,
      institutionName: names.get(institutionId) ?? String(institutionId),
      examItemId,
      itemName: items.get(examItemId) ?? String(examItemId),
      shown: shown.filter(mine).reduce((sum, r) => sum + Number(r.n), 0),
      accepted,
      reExamined,
      byReason,
      recognitionRate: accepted + reExamined ? accepted / (accepted + reExamined) : null,
      examsAvoided: accepted,
      moneyAvoidedCents: accepted * (fees.get(examItemId) ?? 0),
    }
  })
  rows.sort(
    (a, b) =>
      a.institutionName.localeCompare(b.institutionName, 'zh') ||
      a.itemName.localeCompare(b.itemName, 'zh')
  )
  const totals = rows.reduce(
    (t, r) => {
      t.shown += r.shown
      t.accepted += r.accepted
      t.reExamined += r.reExamined
      t.examsAvoided += r.examsAvoided
      t.moneyAvoidedCents += r.moneyAvoidedCents
      for (const [code, n] of Object.entries(r.byReason))
        t.byReason[code] = (t.byReason[code] ?? 0) + n
      return t
    },
    {
      shown: 0,
      accepted: 0,
      reExamined: 0,
      byReason: {} as Record<string, number>,
      recognitionRate: null as number | null,
      examsAvoided: 0,
      moneyAvoidedCents: 0,
    }
  )
  totals.recognitionRate =
    totals.accepted + totals.reExamined
      ? totals.accepted / (totals.accepted + totals.reExamined)
      : null
  return { month, rows, totals }
}

/** The workbook of a month (H 四(四)), in Chinese: the health bureau's reader. */
export async function statisticsWorkbook(stats: MonthlyStatistics) {
  const reasons = repeatReasons()
  const pct = (v: number | null) => (v === null ? '' : `${(v * 100).toFixed(1)}%`)
  return xlsxBuffer([
    {
      name: `${stats.month} 互认统计`,
      header: [
        '机构',
        '检查项目',
        '提醒次数',
        '认可',
        '复查',
        ...reasons.map((r) => `复查：${r.reasonZh.slice(0, 12)}`),
        '互认率',
        '减少检查',
        '节约费用（元）',
      ],
      rows: [
        ...stats.rows.map((r) => [
          r.institutionName,
          r.itemName,
          r.shown,
          r.accepted,
          r.reExamined,
          ...reasons.map((reason) => r.byReason[reason.code] ?? 0),
          pct(r.recognitionRate),
          r.examsAvoided,
          r.moneyAvoidedCents / 100,
        ]),
        [
          '合计',
          '',
          stats.totals.shown,
          stats.totals.accepted,
          stats.totals.reExamined,
          ...reasons.map((reason) => stats.totals.byReason[reason.code] ?? 0),
          pct(stats.totals.recognitionRate),
          stats.totals.examsAvoided,
          stats.totals.moneyAvoidedCents / 100,
        ],
      ],
    },
  ])
}

/** The recognition rate per clinic over [from, to): accepted / decided (clinic_indicators). */
export async function recognitionRateByClinic(from: DateTime, to: DateTime, clinicIds: number[]) {
  const result = new Map<number, IndicatorValue>()
  if (!clinicIds.length) return result
  const rows = await db
    .from('recognition_decisions')
    .whereIn('institution_id', clinicIds)
    .where('decided_at', '>=', sqlTime(from))
    .where('decided_at', '<', sqlTime(to))
    .groupBy('institution_id', 'decision')
    .select('institution_id', 'decision')
    .count('* as n')
  for (const id of clinicIds) {
    const accepted = Number(
      rows.find((r) => Number(r.institution_id) === id && r.decision === 'accepted')?.n ?? 0
    )
    const reExamined = Number(
      rows.find((r) => Number(r.institution_id) === id && r.decision === 're_examined')?.n ?? 0
    )
    result.set(id, {
      value: accepted + reExamined ? accepted / (accepted + reExamined) : null,
      numerator: accepted,
      denominator: accepted + reExamined,
      recordsPath: `/recognition/statistics?institutionId=${id}&month=${from.setZone(imaging.displayTimezone).toFormat('yyyy-MM')}`,
    })
  }
  return result
}

/** Generates (or regenerates) and keeps the monthly report for the health bureau (H 四(四)). */
export async function generateMonthlyReport(month: string, at: DateTime) {
  const stats = await monthlyStatistics(month)
  const xlsx = await statisticsWorkbook(stats)
  const existing = await db.from('recognition_monthly_reports').where('month', month).first()
  const row = { month, figures: JSON.stringify(stats), xlsx, generated_at: sqlTime(at) }
  if (existing) await db.from('recognition_monthly_reports').where('id', existing.id).update(row)
  else await db.table('recognition_monthly_reports').insert(row)
  return stats
}

export function monthlyReports() {
  return db
    .from('recognition_monthly_reports')
    .select('id', 'month', 'generated_at')
    .orderBy('month', 'desc')
}
