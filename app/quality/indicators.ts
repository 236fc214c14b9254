import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import {
  clinicIndicators,
  type ClinicIndicator,
  type IndicatorValue,
} from '#app/platform/clinic_indicators'
import { sqlTime } from '#app/platform/db_helpers'
import type { QcItem } from '#app/quality/services/scoring'

/*
| Quality control's figures per member clinic (Q 5.1, Q 6.4, C 9.2.2, B
| appendix B), for the quarterly assessments and recognition (R 9.1 suspends an
| institution × modality on its QC pass rate). One grouped query per
| indicator; the scores counted are those of random, active and centralised QC
| (the gold standard's reviews are a second opinion, counted by their own
| report). `modality` narrows every one of them.
*/

const COUNTED_MODES = ['random', 'active', 'centralised']

function recordsPath(clinicId: number, from: DateTime, to: DateTime, modality?: string) {
  const q = new URLSearchParams({
    institutionId: String(clinicId),
    from: from.toISODate()!,
    to: to.minus({ days: 1 }).toISODate()!,
  })
  if (modality) q.set('modality', modality)
  return `/quality/reports?${q.toString()}`
}

/** numerator / denominator of scores of one item per clinic. */
async function scoreRate(
  item: QcItem,
  numerator: string,
  query: { from: DateTime; to: DateTime; clinicIds: number[]; modality?: string }
): Promise<Map<number, IndicatorValue>> {
  const result = new Map<number, IndicatorValue>()
  if (!query.clinicIds.length) return result
  const q = db
    .from('qc_scores')
    .where('item', item)
    .whereIn('mode', COUNTED_MODES)
    .whereIn('institution_id', query.clinicIds)
    .where('scored_at', '>=', sqlTime(query.from.toUTC()))
    .where('scored_at', '<', sqlTime(query.to.toUTC()))
    .groupBy('institution_id')
    .select('institution_id')
    .count('* as total')
    .select(db.raw(`SUM(CASE WHEN ${numerator} THEN 1 ELSE 0 END) as hits`))
  if (query.modality) q.where('modality', query.modality)
  const rows = await q
  for (const id of query.clinicIds)
    result.set(id, {
      value: null,
      numerator: 0,
      denominator: 0,
      recordsPath: recordsPath(id, query.from, query.to, query.modality),
    })
  for (const row of rows as any[]) {
    const total = Number(row.total)
    const hits = Number(row.hits ?? 0)
    result.set(Number(row.institution_id), {
      value: total ? hits / total : null,
      numerator: hits,
      denominator: total,
      recordsPath: recordsPath(Number(row.institution_id), query.from, query.to, query.modality),
    })
  }
  return result
}

export const imagePassRate: ClinicIndicator = {
  key: 'quality.image_pass_rate',
  labelKey: 'quality.indicators.image_pass_rate',
  unit: 'rate',
  higherIsBetter: true,
  compute: (query) => scoreRate('image_quality', 'passed', query),
}

export const imageExcellentRate: ClinicIndicator = {
  key: 'quality.image_excellent_rate',
  labelKey: 'quality.indicators.image_excellent_rate',
  unit: 'rate',
  higherIsBetter: true,
  compute: (query) => scoreRate('image_quality', 'score = 5', query),
}

export const wasteFilmRate: ClinicIndicator = {
  key: 'quality.waste_film_rate',
  labelKey: 'quality.indicators.waste_film_rate',
  unit: 'rate',
  higherIsBetter: false,
  compute: (query) => scoreRate('image_quality', 'waste_film', query),
}

export const artefactRate: ClinicIndicator = {
  key: 'quality.artefact_rate',
  labelKey: 'quality.indicators.artefact_rate',
  unit: 'rate',
  higherIsBetter: false,
  compute: (query) => scoreRate('image_quality', 'artefact', query),
}

export const applicationComplianceRate: ClinicIndicator = {
  key: 'quality.application_compliance_rate',
  labelKey: 'quality.indicators.application_compliance_rate',
  unit: 'rate',
  higherIsBetter: true,
  compute: (query) => scoreRate('application_form', 'passed', query),
}

/** B appendix B: agreement of the diagnosis with surgery / pathology / clinical follow-up, > 90 %. Counted by when the outcome was recorded. */
export const diagnosticAgreementRate: ClinicIndicator = {
  key: 'quality.diagnostic_agreement_rate',
  labelKey: 'quality.indicators.diagnostic_agreement_rate',
  unit: 'rate',
  higherIsBetter: true,
  target: 0.9,
  async compute(query) {
    const result = new Map<number, IndicatorValue>()
    if (!query.clinicIds.length) return result
    const q = db
      .from('qc_followups')
      .join('exams', 'exams.id', 'qc_followups.exam_id')
      .whereIn('exams.institution_id', query.clinicIds)
      .where('qc_followups.recorded_at', '>=', sqlTime(query.from.toUTC()))
      .where('qc_followups.recorded_at', '<', sqlTime(query.to.toUTC()))
      .groupBy('exams.institution_id')
      .select('exams.institution_id')
      .count('* as total')
      .select(db.raw('SUM(CASE WHEN qc_followups.agreed THEN 1 ELSE 0 END) as hits'))
    if (query.modality) q.where('exams.modality', query.modality)
    for (const id of query.clinicIds)
      result.set(id, {
        value: null,
        numerator: 0,
        denominator: 0,
        recordsPath: recordsPath(id, query.from, query.to, query.modality),
      })
    for (const row of (await q) as any[]) {
      const total = Number(row.total)
      const hits = Number(row.hits ?? 0)
      result.set(Number(row.institution_id), {
        value: total ? hits / total : null,
        numerator: hits,
        denominator: total,
        recordsPath: recordsPath(Number(row.institution_id), query.from, query.to, query.modality),
      })
    }
    return result
  },
}

export const QUALITY_INDICATORS = [
  imagePassRate,
  imageExcellentRate,
  wasteFilmRate,
  artefactRate,
  applicationComplianceRate,
  diagnosticAgreementRate,
]

clinicIndicators.register(...QUALITY_INDICATORS)
