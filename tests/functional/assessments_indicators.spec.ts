import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import type Institution from '#models/institution'
import { clinicIndicators, type ClinicIndicator } from '#app/platform/clinic_indicators'
import { parseQuarter } from '#app/assessments/services/quarters'
import { QuarterlyAssessment, totalsAndRanks } from '#app/assessments/services/quarterly_assessment'
import { EXPECTED_INDICATORS } from '#app/assessments/services/assessment_weights'
import * as make from '#tests/support/fixtures'
import { staff } from '#tests/support/staffing_fixtures'
import {
  imagedExam,
  criticalValue,
  trainingSession,
  assessmentRound,
} from '#tests/support/assessments_fixtures'

/*
| Each of the assessments' own indicators on a fixture with its answer worked out
| by hand. The quarter is 2016-Q3 in hospital time (UTC+8): from 2016-06-30T16:00Z
| to 2016-09-30T16:00Z, far from today so nothing else falls in it.
*/
const Q3 = parseQuarter('2016-Q3')!

interface Fixture {
  a: Institution
  b: Institution
  c: Institution
}

/**
 * Clinic A (times UTC; hospital = +8):
 *  1 DR  images 07-01T01:00 due 01:30 signed 01:20        → within
 *  2 CT  images 07-01T10:00 due 07-02T10:00 signed 12:00   → late
 *  3 CT  images 07-03T09:00 due 07-04T09:00 unsigned       → counted (past due by the end), not within; gap 2→3 = 47 h
 *  4 MR  images 07-03T20:00 (hospital 07-04) signed 07-04T08:00, due 07-04T20:00 → within
 *  7 CT  images 09-30T15:30 (hospital 09-30 23:30) due 10-01T15:30, unsigned → not yet due: not counted; gap 4→7
 *  excluded: images 06-30T15:59 (hospital 06-30), images 09-30T16:00 (hospital 10-01), one never imaged
 *  → workload 5 (DR 1, CT 3, MR 1), turnaround 2/4, upload days 4 (07-01, 07-03, 07-04, 09-30), gaps 2
 *  critical values: 10 min (sent→ack), 20 min (raised→ack, never "sent"), one open, one withdrawn, one before the quarter
 *  → 15 min over 2 acknowledged of 3
 * Clinic B: one DR 08-01T02:00, signed within → workload 1, turnaround 1/1, days 1, gaps 0
 * Clinic C: nothing → workload 0, turnaround none, days 0
 */
async function quarterOfWork(): Promise<Fixture> {
  const a = await make.institution('member_clinic')
  const b = await make.institution('member_clinic')
  const c = await make.institution('member_clinic')
  const radiologist = await make.user('radiologist')
  const e1 = await imagedExam(a, {
    modality: 'DR',
    imagesAt: '2016-07-01T01:00:00',
    dueAt: '2016-07-01T01:30:00',
    signedAt: '2016-07-01T01:20:00',
  })
  await imagedExam(a, {
    modality: 'CT',
    imagesAt: '2016-07-01T10:00:00',
    dueAt: '2016-07-02T10:00:00',
    signedAt: '2016-07-02T12:00:00',
  })
  await imagedExam(a, {
    modality: 'CT',
    imagesAt: '2016-07-03T09:00:00',
    dueAt: '2016-07-04T09:00:00',
  })
  await imagedExam(a, {
    modality: 'MR',
    imagesAt: '2016-07-03T20:00:00',
    dueAt: '2016-07-04T20:00:00',
    signedAt: '2016-07-04T08:00:00',
  })
  await imagedExam(a, {
    modality: 'CT',
    imagesAt: '2016-09-30T15:30:00',
    dueAt: '2016-10-01T15:30:00',
  })
  await imagedExam(a, {
    modality: 'DR',
    imagesAt: '2016-06-30T15:59:00',
    dueAt: '2016-06-30T16:29:00',
    signedAt: '2016-06-30T16:00:00',
  })
  await imagedExam(a, {
    modality: 'CT',
    imagesAt: '2016-09-30T16:00:00',
    dueAt: '2016-10-01T16:00:00',
  })
  await imagedExam(a, { modality: 'CT', imagesAt: null })
  await imagedExam(b, {
    modality: 'DR',
    imagesAt: '2016-08-01T02:00:00',
    dueAt: '2016-08-01T02:30:00',
    signedAt: '2016-08-01T02:10:00',
  })

  await criticalValue(e1, radiologist, {
    raisedAt: '2016-07-05T00:00:00',
    sentAt: '2016-07-05T00:01:00',
    acknowledgedAt: '2016-07-05T00:11:00',
  })
  await criticalValue(e1, radiologist, {
    raisedAt: '2016-07-06T00:00:00',
    acknowledgedAt: '2016-07-06T00:20:00',
  })
  await criticalValue(e1, radiologist, {
    raisedAt: '2016-07-07T00:00:00',
    sentAt: '2016-07-07T00:00:00',
  })
  await criticalValue(e1, radiologist, { raisedAt: '2016-07-08T00:00:00', status: 'withdrawn' })
  await criticalValue(e1, radiologist, {
    raisedAt: '2016-06-30T15:00:00',
    acknowledgedAt: '2016-06-30T15:05:00',
  })
  return { a, b, c }
}

async function compute(key: string, clinics: Institution[]) {
  return clinicIndicators
    .get(key)!
    .compute({ from: Q3.from, to: Q3.to, clinicIds: clinics.map((c) => c.id) })
}

test.group('Assessments | own indicators on a hand-computed quarter', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('workload by modality counts exams whose images arrived in the quarter', async ({
    assert,
  }) => {
    const { a, b, c } = await quarterOfWork()
    const all = await compute('assessments.workload', [a, b, c])
    assert.deepEqual([all.get(a.id)!.value, all.get(b.id)!.value, all.get(c.id)!.value], [5, 1, 0])
    assert.equal((await compute('assessments.workload_dr', [a])).get(a.id)!.value, 1)
    assert.equal((await compute('assessments.workload_ct', [a])).get(a.id)!.value, 3)
    assert.equal((await compute('assessments.workload_mr', [a])).get(a.id)!.value, 1)
    const narrowed = await clinicIndicators
      .get('assessments.workload')!
      .compute({ from: Q3.from, to: Q3.to, clinicIds: [a.id], modality: 'CT' })
    assert.equal(narrowed.get(a.id)!.value, 3)
    assert.include(all.get(a.id)!.recordsPath!, `clinicId=${a.id}`)
    assert.include(all.get(a.id)!.recordsPath!, 'from=2016-07-01&to=2016-10-01')
  })

  test('report turnaround: the share signed within the R 7.1.1 limit', async ({ assert }) => {
    const { a, b, c } = await quarterOfWork()
    const figures = await compute('assessments.turnaround_within_limit', [a, b, c])
    assert.deepInclude(figures.get(a.id)!, { value: 0.5, numerator: 2, denominator: 4 })
    assert.deepInclude(figures.get(b.id)!, { value: 1, numerator: 1, denominator: 1 })
    assert.isNull(figures.get(c.id)!.value)
  })

  test('critical values: average minutes to acknowledgement', async ({ assert }) => {
    const { a, b } = await quarterOfWork()
    const figures = await compute('assessments.critical_ack_minutes', [a, b])
    assert.deepInclude(figures.get(a.id)!, { value: 15, numerator: 2, denominator: 3 })
    assert.isNull(figures.get(b.id)!.value)
  })

  test('connectivity: hospital days with uploads and gaps over 24 h', async ({ assert }) => {
    const { a, b, c } = await quarterOfWork()
    const days = await compute('assessments.upload_days', [a, b, c])
    assert.deepInclude(days.get(a.id)!, { value: 4, denominator: 92 })
    assert.equal(days.get(b.id)!.value, 1)
    assert.equal(days.get(c.id)!.value, 0)
    const gaps = await compute('assessments.upload_gaps_over_24h', [a, b, c])
    assert.deepInclude(gaps.get(a.id)!, { value: 2, denominator: 5 })
    assert.equal(gaps.get(b.id)!.value, 0)
    assert.isNull(gaps.get(c.id)!.value)
  })

  test('training coverage: active staff with two signed-off sessions in the 12 months before the quarter ends', async ({
    assert,
  }) => {
    const a = await make.institution('member_clinic')
    const [p1, p2, p3] = [
      await staff(a, 'technologist', 'junior'),
      await staff(a, 'technologist', 'junior'),
      await staff(a, 'doctor', 'junior'),
    ]
    const p4 = await staff(a, 'nurse', 'junior')
    p4.active = false
    await p4.save()
    // p1: 2016-03-01 + 2016-09-30 → 2; p2: 2016-03-01 (2015-09-30 is outside, 2016-08-01 not signed off); p3: only the unsigned one
    await trainingSession(a, '2016-03-01', [p1.id, p2.id, p4.id])
    await trainingSession(a, '2016-09-30', [p1.id])
    await trainingSession(a, '2015-09-30', [p2.id])
    await trainingSession(a, '2016-08-01', [p2.id, p3.id], false)
    const figures = await compute('assessments.training_coverage', [a])
    assert.deepInclude(figures.get(a.id)!, { numerator: 1, denominator: 3 })
    assert.closeTo(figures.get(a.id)!.value!, 1 / 3, 1e-9)
  })

  test('staff-assessment coverage: active staff assessed in the 6 months before the quarter ends', async ({
    assert,
  }) => {
    const a = await make.institution('member_clinic')
    const [p1, p2] = [
      await staff(a, 'technologist', 'junior'),
      await staff(a, 'technologist', 'junior'),
    ]
    await staff(a, 'doctor', 'junior')
    // the window opens on hospital day 2016-04-01
    await assessmentRound('2016-04-01', [{ staffMemberId: p1.id, institutionId: a.id, score: 80 }])
    await assessmentRound('2016-03-31', [{ staffMemberId: p2.id, institutionId: a.id, score: 90 }])
    const figures = await compute('assessments.staff_assessment_coverage', [a])
    assert.deepInclude(figures.get(a.id)!, { numerator: 1, denominator: 3 })
  })
})

/** A fake indicator answering fixed figures, as quality control or recognition will register. */
function fake(
  key: string,
  unit: ClinicIndicator['unit'],
  higherIsBetter: boolean,
  figures: Record<number, number | null>
): ClinicIndicator {
  return {
    key,
    labelKey: 'assessments.indicators.workload',
    unit,
    higherIsBetter,
    async compute(query) {
      return new Map(
        query.clinicIds.map((id) => [
          id,
          { value: figures[id] ?? null, recordsPath: `/fake/${id}` },
        ])
      )
    },
  }
}

test.group('Assessments | weighting and ranking', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('the weighted total and the rank, hand-computed', ({ assert }) => {
    // pass rate (rate, higher better) weight 60; waste film (rate, lower better) 20; minutes (lower better) 20
    const columns = [
      {
        key: 'x.pass',
        labelKey: '',
        unit: 'rate' as const,
        higherIsBetter: true,
        target: null,
        registered: true,
        weight: 60,
      },
      {
        key: 'x.waste',
        labelKey: '',
        unit: 'rate' as const,
        higherIsBetter: false,
        target: null,
        registered: true,
        weight: 20,
      },
      {
        key: 'x.minutes',
        labelKey: '',
        unit: 'minutes' as const,
        higherIsBetter: false,
        target: null,
        registered: true,
        weight: 20,
      },
      {
        key: 'x.missing',
        labelKey: '',
        unit: null,
        higherIsBetter: null,
        target: null,
        registered: false,
        weight: 50,
      },
    ]
    const rows = [
      // 0.9·60 + 0.9·20 + 1·20 = 92 over 100
      {
        clinicId: 1,
        values: { 'x.pass': { value: 0.9 }, 'x.waste': { value: 0.1 }, 'x.minutes': { value: 5 } },
      },
      // 0.8·60 + 0.95·20 + 0·20 = 67
      {
        clinicId: 2,
        values: {
          'x.pass': { value: 0.8 },
          'x.waste': { value: 0.05 },
          'x.minutes': { value: 25 },
        },
      },
      // no minutes: (0.5·60 + 0.8·20) / 80 = 57.5
      {
        clinicId: 3,
        values: {
          'x.pass': { value: 0.5 },
          'x.waste': { value: 0.2 },
          'x.minutes': { value: null },
        },
      },
      // same as 2 → shares rank 2
      {
        clinicId: 4,
        values: {
          'x.pass': { value: 0.8 },
          'x.waste': { value: 0.05 },
          'x.minutes': { value: 25 },
        },
      },
    ]
    const { totals, ranks } = totalsAndRanks(columns, rows)
    assert.deepEqual([...totals.values()], [92, 67, 57.5, 67])
    assert.deepEqual([...ranks.values()], [1, 2, 4, 2])
  })

  test('registered indicators are all shown, and a weight without an indicator says "not recorded yet"', async ({
    assert,
  }) => {
    const a = await make.institution('member_clinic')
    const b = await make.institution('member_clinic')
    const suffix = make.unique('').toLowerCase()
    clinicIndicators.register(
      fake(`fake.pass_${suffix}`, 'rate', true, { [a.id]: 0.9, [b.id]: 0.6 }),
      fake(`fake.unweighted_${suffix}`, 'count', true, { [a.id]: 3, [b.id]: 7 })
    )
    const missing = EXPECTED_INDICATORS.find((key) => !clinicIndicators.get(key))
    const assessment = await app.container.make(QuarterlyAssessment)
    const result = await assessment.compute(Q3, {
      id: 0,
      version: 99,
      note: 'test',
      createdById: null,
      createdAt: '',
      weights: {
        [`fake.pass_${suffix}`]: 50,
        'assessments.workload': 50,
        ...(missing ? { [missing]: 10 } : {}),
      },
    })
    const keys = result.indicators.map((i) => i.key)
    for (const registered of clinicIndicators.all()) assert.include(keys, registered.key)
    if (missing) assert.isFalse(result.indicators.find((i) => i.key === missing)!.registered)
    // a: pass 0.9·50 + workload (both 0 → 1)·50 = 95; b: 0.6·50 + 50 = 80
    const byClinic = new Map(result.clinics.map((c) => [c.clinicId, c]))
    assert.equal(byClinic.get(a.id)!.total, 95)
    assert.equal(byClinic.get(b.id)!.total, 80)
    // Other suites commit member clinics of their own: a ranks above b, wherever the others fall.
    assert.isBelow(byClinic.get(a.id)!.rank!, byClinic.get(b.id)!.rank!)
    assert.equal(
      byClinic.get(a.id)!.values[`fake.unweighted_${suffix}`].recordsPath,
      `/fake/${a.id}`
    )
  })
})
