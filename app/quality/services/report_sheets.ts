import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type User from '#models/user'
import imaging from '#config/imaging'
import { Clock } from '#app/platform/clock'
import { sqlTime } from '#app/platform/db_helpers'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { draw } from '#app/quality/services/sampling'

/*
| B appendix B: a QC officer scores the department per quarter on 30 points —
| five department rules of 2 points each, and the report part drawn
| automatically: 10 reports of the last 3 months with a surgical, pathology
| or clinical follow-up outcome; −1 per report with a faulty description,
| −1 per wrong or missed diagnosis, −5 when agreement is below 90 %.
| Below 21 fails.
*/

export const SHEET_SIZE = 10
export const PASS_MARK = 21

export function quarterBounds(quarter: string) {
  const m = /^(\d{4})Q([1-4])$/.exec(quarter)
  if (!m) throw new DomainRefusal('bad_quarter', 'common.errors.bad_request')
  const from = DateTime.fromObject(
    { year: Number(m[1]), month: (Number(m[2]) - 1) * 3 + 1, day: 1 },
    { zone: imaging.displayTimezone }
  )
  return { from, to: from.plus({ months: 3 }) }
}

/** The points of a sheet (pure): rule points, then the report part with its deductions. */
export function sheetTotal(
  rulePoints: number[],
  descriptionDeductions: number,
  diagnosisDeductions: number,
  agreementRate: number | null
) {
  const rules = rulePoints.reduce((a, b) => a + Math.max(0, Math.min(2, b)), 0)
  const description = Math.max(0, 10 - descriptionDeductions)
  const diagnosis = Math.max(
    0,
    10 - diagnosisDeductions - (agreementRate !== null && agreementRate < 0.9 ? 5 : 0)
  )
  const total = rules + description + diagnosis
  return { rules, description, diagnosis, total, passed: total >= PASS_MARK }
}

@inject()
export class ReportSheets {
  constructor(protected clock: Clock) {}

  /** The 10 reports drawn for the quarter (reproducibly: the same quarter draws the same reports). */
  async draw(quarter: string) {
    const { to } = quarterBounds(quarter)
    const from = to.minus({ months: 3 })
    const rows = await db
      .from('qc_followups')
      .join('exams', 'exams.id', 'qc_followups.exam_id')
      .where('exams.report_signed_at', '>=', sqlTime(from.toUTC()))
      .where('exams.report_signed_at', '<', sqlTime(to.toUTC()))
      .select(
        'exams.id',
        'exams.accession_number',
        'exams.modality',
        'qc_followups.source',
        'qc_followups.outcome',
        'qc_followups.agreed'
      )
      .orderBy('qc_followups.id', 'desc')
      .limit(2000)
    const byExam = new Map<number, any>()
    for (const r of rows as any[]) if (!byExam.has(Number(r.id))) byExam.set(Number(r.id), r)
    const drawn = [...byExam.values()]
      .map((r) => ({ r, k: draw(`sheet:${quarter}`, Number(r.id)) }))
      .sort((a, b) => a.k - b.k)
      .slice(0, SHEET_SIZE)
      .map(({ r }) => ({
        examId: Number(r.id),
        accessionNumber: r.accession_number,
        modality: r.modality,
        source: r.source,
        outcome: r.outcome,
        agreed: Boolean(r.agreed),
      }))
    const agreed = drawn.filter((d) => d.agreed).length
    return { quarter, drawn, agreementRate: drawn.length ? agreed / drawn.length : null }
  }

  async save(
    user: User,
    input: {
      quarter: string
      rulePoints: number[]
      descriptionDeductions: number
      diagnosisDeductions: number
    }
  ) {
    const drawn = await this.draw(input.quarter)
    const points = sheetTotal(
      input.rulePoints,
      input.descriptionDeductions,
      input.diagnosisDeductions,
      drawn.agreementRate
    )
    const [id] = await db.table('qc_report_sheets').insert({
      quarter: input.quarter,
      rule_points: JSON.stringify(input.rulePoints),
      sampled: JSON.stringify(drawn.drawn.map((d) => d.examId)),
      description_deductions: input.descriptionDeductions,
      diagnosis_deductions: input.diagnosisDeductions,
      total: points.total,
      passed: points.passed,
      scored_by_id: user.id,
      scored_at: sqlTime(this.clock.now()),
    })
    return { id: Number(id), ...points, sampled: drawn.drawn.length }
  }

  async history() {
    return db.from('qc_report_sheets').orderBy('scored_at', 'desc').limit(20)
  }
}
