/*
| C 9.4: ≥ 95 % of the alliance's imaging reports are shared. A signed report
| counts as shared when the alliance can find it: its patient is identified by
| national ID (the keyed hash every member matches on), so any member that
| sees the patient later reaches the report and its images; a report of a
| patient registered without an ID stays the clinic's alone. One grouped
| query for all clinics, over [from, to) by the signing time.
*/
import db from '@adonisjs/lucid/services/db'
import { clinicIndicators, type IndicatorValue } from '#app/platform/clinic_indicators'
import { sqlTime } from '#app/platform/db_helpers'

export const REPORT_SHARING_TARGET = 0.95

export async function reportSharingRates(query: {
  from: import('luxon').DateTime
  to: import('luxon').DateTime
  clinicIds: number[]
  modality?: string
}) {
  const result = new Map<number, IndicatorValue>()
  if (!query.clinicIds.length) return result
  const rows = await db
    .from('exams')
    .join('patients', 'patients.id', 'exams.patient_id')
    .whereIn('exams.institution_id', query.clinicIds)
    .whereNotNull('exams.report_signed_at')
    .where('exams.report_signed_at', '>=', sqlTime(query.from.toUTC()))
    .where('exams.report_signed_at', '<', sqlTime(query.to.toUTC()))
    .if(query.modality, (q) => q.where('exams.modality', query.modality!))
    .groupBy('exams.institution_id')
    .select('exams.institution_id')
    .count('* as signed')
    .select(
      db.raw('SUM(CASE WHEN patients.national_id_hash IS NOT NULL THEN 1 ELSE 0 END) as shared')
    )
  for (const id of query.clinicIds) result.set(id, { value: null, numerator: 0, denominator: 0 })
  for (const row of rows as any[]) {
    const signed = Number(row.signed)
    const shared = Number(row.shared)
    result.set(Number(row.institution_id), {
      value: signed ? shared / signed : null,
      numerator: shared,
      denominator: signed,
      recordsPath: '/reports',
    })
  }
  return result
}

clinicIndicators.register({
  key: 'consultation.report_sharing_rate',
  labelKey: 'consultation.indicators.report_sharing_rate',
  unit: 'rate',
  higherIsBetter: true,
  target: REPORT_SHARING_TARGET,
  compute: reportSharingRates,
})
