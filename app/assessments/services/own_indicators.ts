import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import type { ClinicIndicator, IndicatorValue } from '#app/platform/clinic_indicators'
import { sqlTime } from '#app/platform/db_helpers'
import imaging from '#config/imaging'
import { hospitalOffsetMinutes } from '#app/assessments/services/quarters'

type Query = Parameters<ClinicIndicator['compute']>[0]

/** The records page behind one figure: the clinic and the period, as hospital days (`to` exclusive). */
export function recordsPath(key: string, clinicId: number, from: DateTime, to: DateTime) {
  const day = (t: DateTime) => t.setZone(imaging.displayTimezone).toISODate()
  return `/assessments/records?indicator=${encodeURIComponent(key)}&clinicId=${clinicId}&from=${day(from)}&to=${day(to)}`
}

function ratio(numerator: number, denominator: number) {
  return denominator > 0 ? numerator / denominator : null
}

function answer(key: string, query: Query, rows: Map<number, Omit<IndicatorValue, 'recordsPath'>>) {
  const result = new Map<number, IndicatorValue>()
  for (const clinicId of query.clinicIds) {
    const value = rows.get(clinicId) ?? { value: null, numerator: 0, denominator: 0 }
    result.set(clinicId, {
      ...value,
      recordsPath: recordsPath(key, clinicId, query.from, query.to),
    })
  }
  return result
}

/** Exams whose images arrived in the period: the base of workload, turnaround and connectivity. */
function examsImaged(query: Query) {
  const q = db
    .from('exams')
    .whereIn('institution_id', query.clinicIds.length ? query.clinicIds : [0])
    .where('images_received_at', '>=', sqlTime(query.from))
    .where('images_received_at', '<', sqlTime(query.to))
  if (query.modality) q.where('modality', query.modality)
  return q
}

function workload(key: string, modality: 'DR' | 'CT' | 'MR' | null): ClinicIndicator {
  return {
    key,
    labelKey: `assessments.indicators.${key.split('.')[1]}`,
    unit: 'count',
    higherIsBetter: true,
    async compute(query) {
      const rows = await examsImaged({ ...query, modality: modality ?? query.modality })
        .select('institution_id')
        .count('* as total')
        .groupBy('institution_id')
      const found = new Map(
        rows.map((r: any) => [
          Number(r.institution_id),
          { value: Number(r.total), numerator: Number(r.total) },
        ])
      )
      for (const clinicId of query.clinicIds)
        if (!found.has(clinicId)) found.set(clinicId, { value: 0, numerator: 0 })
      return answer(key, query, found)
    },
  }
}

/**
 * R 7.1.1: the share of reports signed within the limit (the exam's due time, fixed
 * when its images arrived from the limits then in force). Counted: exams imaged in the
 * period that are signed, or still unsigned past their due time by the period's end.
 */
export const turnaroundWithinLimit: ClinicIndicator = {
  key: 'assessments.turnaround_within_limit',
  labelKey: 'assessments.indicators.turnaround_within_limit',
  unit: 'rate',
  higherIsBetter: true,
  async compute(query) {
    const rows = await examsImaged(query)
      .whereNotNull('due_at')
      .where((q) => q.whereNotNull('report_signed_at').orWhere('due_at', '<', sqlTime(query.to)))
      .select('institution_id')
      .count('* as denominator')
      .select(
        db.raw(
          'SUM(CASE WHEN report_signed_at IS NOT NULL AND report_signed_at <= due_at THEN 1 ELSE 0 END) AS numerator'
        )
      )
      .groupBy('institution_id')
    return answer(
      this.key,
      query,
      new Map(
        rows.map((r: any) => {
          const numerator = Number(r.numerator)
          const denominator = Number(r.denominator)
          return [
            Number(r.institution_id),
            { value: ratio(numerator, denominator), numerator, denominator },
          ]
        })
      )
    )
  },
}

/**
 * C 8.2.2: how long the clinic took to acknowledge a critical value, in minutes on
 * average, from when it was sent (or raised, when sent straight away) to the
 * acknowledgement. Numerator: acknowledged; denominator: raised and not withdrawn.
 */
export const criticalAckMinutes: ClinicIndicator = {
  key: 'assessments.critical_ack_minutes',
  labelKey: 'assessments.indicators.critical_ack_minutes',
  unit: 'minutes',
  higherIsBetter: false,
  async compute(query) {
    const rows = await db
      .from('critical_values')
      .whereIn('institution_id', query.clinicIds.length ? query.clinicIds : [0])
      .whereNot('status', 'withdrawn')
      .where('raised_at', '>=', sqlTime(query.from))
      .where('raised_at', '<', sqlTime(query.to))
      .select('institution_id')
      .count('* as denominator')
      .select(db.raw('SUM(CASE WHEN acknowledged_at IS NOT NULL THEN 1 ELSE 0 END) AS numerator'))
      .select(
        db.raw(
          'AVG(CASE WHEN acknowledged_at IS NOT NULL THEN TIMESTAMPDIFF(SECOND, COALESCE(sent_at, raised_at), acknowledged_at) END) AS seconds'
        )
      )
      .groupBy('institution_id')
    return answer(
      this.key,
      query,
      new Map(
        rows.map((r: any) => [
          Number(r.institution_id),
          {
            value: r.seconds === null ? null : Math.round((Number(r.seconds) / 60) * 10) / 10,
            numerator: Number(r.numerator),
            denominator: Number(r.denominator),
          },
        ])
      )
    )
  },
}

/** C 9.4 (every township centre connected): hospital days of the period on which the clinic's images arrived. */
export const uploadDays: ClinicIndicator = {
  key: 'assessments.upload_days',
  labelKey: 'assessments.indicators.upload_days',
  unit: 'days',
  higherIsBetter: true,
  async compute(query) {
    const offset = hospitalOffsetMinutes(query.from)
    const days = Math.round(query.to.diff(query.from, 'days').days)
    const rows = await examsImaged(query)
      .select('institution_id')
      .select(
        db.raw('COUNT(DISTINCT DATE(DATE_ADD(images_received_at, INTERVAL ? MINUTE))) AS days', [
          offset,
        ])
      )
      .groupBy('institution_id')
    const found = new Map(
      rows.map((r: any) => [
        Number(r.institution_id),
        { value: Number(r.days), numerator: Number(r.days), denominator: days },
      ])
    )
    for (const clinicId of query.clinicIds)
      if (!found.has(clinicId)) found.set(clinicId, { value: 0, numerator: 0, denominator: days })
    return answer(this.key, query, found)
  },
}

/**
 * R 7.1.5: no gap over 24 h in a member's uploads. Counted between consecutive
 * arrivals inside the period (a clinic with no arrival at all has no figure: its
 * upload days say 0).
 */
export const uploadGaps: ClinicIndicator = {
  key: 'assessments.upload_gaps_over_24h',
  labelKey: 'assessments.indicators.upload_gaps_over_24h',
  unit: 'count',
  higherIsBetter: false,
  async compute(query) {
    const inner = examsImaged(query).select(
      'institution_id',
      db.raw(
        'TIMESTAMPDIFF(SECOND, LAG(images_received_at) OVER (PARTITION BY institution_id ORDER BY images_received_at), images_received_at) AS gap'
      )
    )
    const rows = await db
      .from(inner.as('arrivals'))
      .select('institution_id')
      .select(db.raw('SUM(CASE WHEN gap > 86400 THEN 1 ELSE 0 END) AS gaps'))
      .count('* as arrivals')
      .groupBy('institution_id')
    return answer(
      this.key,
      query,
      new Map(
        rows.map((r: any) => [
          Number(r.institution_id),
          { value: Number(r.gaps), numerator: Number(r.gaps), denominator: Number(r.arrivals) },
        ])
      )
    )
  },
}

/** The clinic's active roster (C 7): who training and assessment coverage are counted over. */
function activeStaff(clinicIds: number[]) {
  return db
    .from('staff_members')
    .whereIn('institution_id', clinicIds.length ? clinicIds : [0])
    .where('active', true)
}

const day = (t: DateTime) => t.setZone(imaging.displayTimezone).toISODate()!
/** A hospital day some months before an instant (counted in the hospital's calendar). */
const monthsBefore = (t: DateTime, months: number) =>
  t.setZone(imaging.displayTimezone).minus({ months }).toISODate()!

/** C 7.3.1: the share of the clinic's active staff with at least two signed-off sessions in the 12 months before the period's end. */
export const trainingCoverage: ClinicIndicator = {
  key: 'assessments.training_coverage',
  labelKey: 'assessments.indicators.training_coverage',
  unit: 'rate',
  higherIsBetter: true,
  async compute(query) {
    const rows = await activeStaff(query.clinicIds)
      .select('institution_id')
      .count('* as denominator')
      .select(
        db.raw(
          `SUM(CASE WHEN (SELECT COUNT(*) FROM training_attendances a JOIN training_sessions s ON s.id = a.training_session_id
             WHERE a.staff_member_id = staff_members.id AND s.signed_off_at IS NOT NULL AND s.held_on >= ? AND s.held_on < ?) >= 2 THEN 1 ELSE 0 END) AS numerator`,
          [monthsBefore(query.to, 12), day(query.to)]
        )
      )
      .groupBy('institution_id')
    return answer(
      this.key,
      query,
      new Map(
        rows.map((r: any) => [
          Number(r.institution_id),
          {
            value: ratio(Number(r.numerator), Number(r.denominator)),
            numerator: Number(r.numerator),
            denominator: Number(r.denominator),
          },
        ])
      )
    )
  },
}

/** C 9.3: the share of the clinic's active staff assessed in the 6 months before the period's end. */
export const staffAssessmentCoverage: ClinicIndicator = {
  key: 'assessments.staff_assessment_coverage',
  labelKey: 'assessments.indicators.staff_assessment_coverage',
  unit: 'rate',
  higherIsBetter: true,
  async compute(query) {
    const rows = await activeStaff(query.clinicIds)
      .select('institution_id')
      .count('* as denominator')
      .select(
        db.raw(
          `SUM(CASE WHEN EXISTS (SELECT 1 FROM assessment_scores sc JOIN assessment_rounds r ON r.id = sc.assessment_round_id
             WHERE sc.staff_member_id = staff_members.id AND r.held_on >= ? AND r.held_on < ?) THEN 1 ELSE 0 END) AS numerator`,
          [monthsBefore(query.to, 6), day(query.to)]
        )
      )
      .groupBy('institution_id')
    return answer(
      this.key,
      query,
      new Map(
        rows.map((r: any) => [
          Number(r.institution_id),
          {
            value: ratio(Number(r.numerator), Number(r.denominator)),
            numerator: Number(r.numerator),
            denominator: Number(r.denominator),
          },
        ])
      )
    )
  },
}

/** C 9.3 定期开展质量抽查: spot checks drawn from the clinic's exams in the period. */
/** The spot checks drawn from the clinics' exams in the period (C 9.3). */
function spotChecksIn(query: Query) {
  return db
    .from('spot_checks as c')
    .whereIn('c.institution_id', query.clinicIds.length ? query.clinicIds : [0])
    .where('c.created_at', '>=', sqlTime(query.from))
    .where('c.created_at', '<', sqlTime(query.to))
    .select('c.institution_id')
    .groupBy('c.institution_id')
}

export const spotChecksDrawn: ClinicIndicator = {
  key: 'assessments.spot_checks',
  labelKey: 'assessments.indicators.spot_checks',
  unit: 'count',
  higherIsBetter: true,
  async compute(query) {
    const rows = await spotChecksIn(query).count('* as total')
    const found = new Map(
      rows.map((r: any) => [
        Number(r.institution_id),
        { value: Number(r.total), numerator: Number(r.total) },
      ])
    )
    for (const clinicId of query.clinicIds)
      if (!found.has(clinicId)) found.set(clinicId, { value: 0, numerator: 0 })
    return answer(this.key, query, found)
  },
}

/**
 * C 9.3: the result of the spot checks drawn in the period: the share of image-QC scores given in their
 * centralised QC sessions that passed (Q 6.4: 3 and above).
 */
export const spotCheckPassRate: ClinicIndicator = {
  key: 'assessments.spot_check_pass_rate',
  labelKey: 'assessments.indicators.spot_check_pass_rate',
  unit: 'rate',
  higherIsBetter: true,
  async compute(query) {
    const rows = await spotChecksIn(query)
      .join('qc_scores as s', 's.session_id', 'c.qc_session_id')
      .whereIn('s.item', ['image_quality', 'film_layout', 'reconstruction_3d'])
      .count('* as total')
      .sum({ passed: db.raw('CASE WHEN s.passed THEN 1 ELSE 0 END') })
    const found = new Map(
      rows.map((r: any) => [
        Number(r.institution_id),
        {
          value: ratio(Number(r.passed), Number(r.total)),
          numerator: Number(r.passed),
          denominator: Number(r.total),
        },
      ])
    )
    return answer(this.key, query, found)
  },
}

export const assessmentIndicators: ClinicIndicator[] = [
  workload('assessments.workload', null),
  workload('assessments.workload_dr', 'DR'),
  workload('assessments.workload_ct', 'CT'),
  workload('assessments.workload_mr', 'MR'),
  turnaroundWithinLimit,
  criticalAckMinutes,
  uploadDays,
  uploadGaps,
  trainingCoverage,
  staffAssessmentCoverage,
  spotChecksDrawn,
  spotCheckPassRate,
]
