/*
| Mutual recognition's part in the shared registries, loaded by start/indicators.ts:
| the mark a result earns (app/platform/result_marks.ts, read by the report PDF,
| the viewer and FHIR) and the per-clinic indicators the assessments read
| (app/platform/clinic_indicators.ts). No preloads: the services are imported
| when first asked.
*/
import { resultMarks } from '#app/platform/result_marks'
import { clinicIndicators, type IndicatorValue } from '#app/platform/clinic_indicators'
import type { DateTime } from 'luxon'
import imaging from '#config/imaging'

resultMarks.provide(async (examIds) => {
  const { marksForExams } = await import('#app/recognition/services/eligibility')
  return marksForExams(examIds)
})

type Query = { from: DateTime; to: DateTime; clinicIds: number[] }

async function dq(
  query: Query,
  metric: 'timeliness' | 'consistency' | 'completeness' | 'accuracy' | 'continuity_gap_days'
) {
  const { dataQualityByClinic } = await import('#app/recognition/services/data_quality')
  const figures = await dataQualityByClinic(query.from, query.to, query.clinicIds)
  const result = new Map<number, IndicatorValue>()
  for (const [clinicId, figure] of figures) {
    const value = figure[metric]
    result.set(clinicId, {
      ...value,
      recordsPath: `/recognition/data-quality?institutionId=${clinicId}&month=${query.from.setZone(imaging.displayTimezone).toFormat('yyyy-MM')}`,
    })
  }
  return result
}

clinicIndicators.register(
  {
    key: 'recognition.recognition_rate',
    labelKey: 'recognition.indicators.recognition_rate',
    unit: 'rate',
    higherIsBetter: true,
    async compute(query) {
      const { recognitionRateByClinic } =
        await import('#app/recognition/services/recognition_statistics')
      return recognitionRateByClinic(query.from, query.to, query.clinicIds)
    },
  },
  {
    key: 'recognition.dq_timeliness',
    labelKey: 'recognition.indicators.dq_timeliness',
    unit: 'rate',
    higherIsBetter: true,
    target: 0.95,
    compute: (q) => dq(q, 'timeliness'),
  },
  {
    key: 'recognition.dq_consistency',
    labelKey: 'recognition.indicators.dq_consistency',
    unit: 'rate',
    higherIsBetter: true,
    target: 1,
    compute: (q) => dq(q, 'consistency'),
  },
  {
    key: 'recognition.dq_completeness',
    labelKey: 'recognition.indicators.dq_completeness',
    unit: 'rate',
    higherIsBetter: true,
    target: 0.95,
    compute: (q) => dq(q, 'completeness'),
  },
  {
    key: 'recognition.dq_accuracy',
    labelKey: 'recognition.indicators.dq_accuracy',
    unit: 'rate',
    higherIsBetter: true,
    target: 0.9,
    compute: (q) => dq(q, 'accuracy'),
  },
  {
    key: 'recognition.dq_continuity_gap_days',
    labelKey: 'recognition.indicators.dq_continuity_gap_days',
    unit: 'days',
    higherIsBetter: false,
    target: 0,
    compute: (q) => dq(q, 'continuity_gap_days'),
  },
  {
    key: 'recognition.refusals',
    labelKey: 'recognition.indicators.refusals',
    unit: 'count',
    higherIsBetter: false,
    async compute(query) {
      const { RecognitionRefusals } = await import('#app/recognition/services/refusals')
      const app = (await import('@adonisjs/core/services/app')).default
      const counts = await (
        await app.container.make(RecognitionRefusals)
      ).countsByClinic(query.from, query.to, query.clinicIds)
      return new Map(
        query.clinicIds.map((id) => [
          id,
          { value: counts.get(id) ?? 0, recordsPath: `/recognition/refusals?institutionId=${id}` },
        ])
      )
    },
  }
)
