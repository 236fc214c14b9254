import { test } from '@japa/runner'
import { readFileSync } from 'node:fs'
import { DateTime } from 'luxon'
import {
  STANDARD_DEFAULTS,
  adjust,
  annualise,
  categoryOfItem,
  emptyWorkload,
  fteMilli,
  leadGap,
  leadRequirement,
  memberDeviceRule,
  memberGap,
  rosterSummary,
  rosterTitleMix,
  tableLine,
  titleMixFor,
  type RatioSnapshot,
  type RosterPerson,
  type Workload,
} from '#app/staffing/services/staffing_rules'
import { categoryOfTableLabel, parseWorkloadTable } from '#app/staffing/services/staffing_ratios'
import { certificateFlags, certificateState } from '#app/staffing/services/certificate_rules'
import {
  EQUIPMENT_STANDARDS,
  equipmentCheck,
  qcState,
} from '#app/equipment/services/equipment_rules'
import { chartSvg, type ChartBar } from '#app/staffing/services/staffing_chart'
import { lineFormulas } from '#app/staffing/services/staffing_presenter'

/** Table 1 exactly as the shipped CSV has it (C 7.1.1). */
const TABLE = parseWorkloadTable(
  readFileSync(new URL('../../database/data/staffing-workload-table.csv', import.meta.url), 'utf8')
)
const ratios: RatioSnapshot = {
  id: 1,
  version: 1,
  note: 'Table 1',
  createdAt: null,
  rows: TABLE,
  ...STANDARD_DEFAULTS,
}
const row = (category: string) => TABLE.find((r) => r.category === category)!
const workload = (values: Partial<Workload>): Workload => ({ ...emptyWorkload(), ...values })
const people = (
  spec: Array<[RosterPerson['profession'], RosterPerson['title'], number, number?]>
) =>
  spec.flatMap(([profession, title, count, fte = 1]) =>
    Array.from({ length: count }, () => ({ profession, title, fte }))
  )

test.group('Table 1 as shipped (C 7.1.1)', () => {
  test('the CSV gives the five categories with the standard numbers', ({ assert }) => {
    assert.deepEqual(
      TABLE.map((r) => [
        r.category,
        r.bodyPartsPerUnit,
        r.initialReaders,
        r.reviewers,
        r.technologists,
        r.nurses,
      ]),
      [
        ['ct_plain', 15000, 1, 0.6, 0.6, 0],
        ['mri_plain', 12000, 1, 0.6, 1.5, 0],
        ['dr', 20000, 1, 0.5, 0.5, 0],
        ['ct_contrast', 8000, 1, 0.6, 1.5, 1.5],
        ['mri_contrast', 6000, 1, 0.5, 1.5, 1.5],
      ]
    )
  })

  test('labels map to categories; a table without one category is refused', ({ assert }) => {
    assert.equal(categoryOfTableLabel('Contrast MRI (增强 MRI)'), 'mri_contrast')
    assert.equal(categoryOfTableLabel('CT plain (CT 平扫)'), 'ct_plain')
    assert.equal(categoryOfTableLabel('DR'), 'dr')
    assert.throws(() => categoryOfTableLabel('Ultrasound'))
    const csv =
      'category,annual_body_parts_per_unit,initial_readers,reviewing_readers,technologists,nurses\nDR,20000,1,0.5,0.5,0\n'
    assert.throws(() => parseWorkloadTable(csv), /exactly one row/)
  })

  test('an exam item falls in its category by modality and contrast', ({ assert }) => {
    assert.equal(categoryOfItem({ modality: 'DR', isContrast: false }), 'dr')
    assert.equal(categoryOfItem({ modality: 'CT', isContrast: false }), 'ct_plain')
    assert.equal(categoryOfItem({ modality: 'CT', isContrast: true }), 'ct_contrast')
    assert.equal(categoryOfItem({ modality: 'MR', isContrast: false }), 'mri_plain')
    assert.equal(categoryOfItem({ modality: 'MR', isContrast: true }), 'mri_contrast')
  })
})

test.group('Table 1 arithmetic', () => {
  test('15,000 plain CT a year needs 1 initial reader, 0.6 reviewer, 0.6 technologist and no nurse', ({
    assert,
  }) => {
    const line = tableLine(row('ct_plain'), 15000, 15000)
    assert.deepEqual(line.fte, { initialReaders: 1, reviewers: 0.6, technologists: 0.6, nurses: 0 })
    assert.equal(lineFormulas(line).reviewers, '15,000 ÷ 15,000 × 0.6 = 0.600')
  })

  test("one unit of each category gives that category's row of the table", ({ assert }) => {
    for (const r of TABLE) {
      const line = tableLine(r, r.bodyPartsPerUnit, r.bodyPartsPerUnit)
      assert.deepEqual(
        line.fte,
        {
          initialReaders: r.initialReaders,
          reviewers: r.reviewers,
          technologists: r.technologists,
          nurses: r.nurses,
        },
        r.category
      )
    }
  })

  test('doctors follow what is read, technologists and nurses what is performed at the lead hospital', ({
    assert,
  }) => {
    const line = tableLine(row('ct_contrast'), 16000, 4000)
    assert.deepEqual(line.fte, {
      initialReaders: 2,
      reviewers: 1.2,
      technologists: 0.75,
      nurses: 0.75,
    })
  })

  test('the lines add up to the total exactly, and whole people round the total up', ({
    assert,
  }) => {
    const read = workload({
      ct_plain: 22500,
      mri_plain: 6000,
      dr: 47000,
      ct_contrast: 3000,
      mri_contrast: 1000,
    })
    const performed = workload({
      ct_plain: 10000,
      mri_plain: 6000,
      dr: 20000,
      ct_contrast: 3000,
      mri_contrast: 1000,
    })
    const req = leadRequirement(read, performed, ratios)
    // initial readers: 1.5 + 0.5 + 2.35 + 0.375 + 0.167 = 4.892
    assert.deepEqual(
      req.lines.map((l) => l.fte.initialReaders),
      [1.5, 0.5, 2.35, 0.375, 0.167]
    )
    assert.equal(req.totals.initialReaders.fte, 4.892)
    assert.equal(req.totals.initialReaders.whole, 5)
    // reviewers: 0.9 + 0.3 + 1.175 + 0.225 + 0.083 = 2.683
    assert.equal(req.totals.reviewers.fte, 2.683)
    assert.equal(req.totals.reviewers.whole, 3)
    // doctors round the sum (7.575 → 8), not each part (5 + 3 = 8 here too, but see the next test)
    assert.equal(req.totals.doctors.fte, 7.575)
    assert.equal(req.totals.doctors.whole, 8)
    // technologists: 0.4 + 0.75 + 0.5 + 0.563 + 0.25 = 2.463; nurses: 0.563 + 0.25 = 0.813
    assert.equal(req.totals.technologists.fte, 2.463)
    assert.equal(req.totals.nurses.fte, 0.813)
    assert.equal(req.totals.nurses.whole, 1)
  })

  test('one doctor can write and review: 2.4 + 1.44 = 3.84 FTE is 4 doctors, not 3 + 2', ({
    assert,
  }) => {
    const req = leadRequirement(workload({ ct_plain: 36000 }), emptyWorkload(), ratios)
    assert.equal(req.totals.initialReaders.fte, 2.4)
    assert.equal(req.totals.reviewers.fte, 1.44)
    assert.equal(req.totals.doctors.fte, 3.84)
    assert.equal(req.totals.doctors.whole, 4)
  })

  test('an exact multiple is that many people, not one more', ({ assert }) => {
    assert.equal(fteMilli(45000, 15000, 1), 3000)
    const req = leadRequirement(workload({ ct_plain: 45000 }), emptyWorkload(), ratios)
    assert.equal(req.totals.initialReaders.whole, 3)
  })

  test('annualising and what-if changes', ({ assert }) => {
    assert.equal(annualise(600, 12), 600)
    assert.equal(annualise(600, 6), 1200)
    assert.equal(annualise(100, 3), 400)
    assert.equal(adjust(15000, 20), 18000)
    assert.equal(adjust(15000, -100), 0)
    assert.equal(adjust(1000, 0), 1000)
  })
})

test.group('Small-centre floor (C 7.1.1)', () => {
  test('a centre with little work still plans 8 doctors, 5 technologists, 2 nurses', ({
    assert,
  }) => {
    const req = leadRequirement(workload({ dr: 20000 }), workload({ dr: 20000 }), ratios)
    assert.equal(req.totals.doctors.whole, 2)
    assert.deepEqual(req.planned, { doctors: 8, reviewers: 1, technologists: 5, nurses: 2 })
    assert.deepEqual(req.floorRaised, { doctors: true, technologists: true, nurses: true })
  })

  test('with enough work the table decides, not the floor', ({ assert }) => {
    const req = leadRequirement(
      workload({ ct_plain: 150000 }),
      workload({ ct_contrast: 24000 }),
      ratios
    )
    // doctors 10 + 6 = 16; technologists 3 × 1.5 = 4.5 → 5 (floor 5 too); nurses 4.5 → 5
    assert.equal(req.planned.doctors, 16)
    assert.isFalse(req.floorRaised.doctors)
    assert.equal(req.planned.nurses, 5)
    assert.isFalse(req.floorRaised.nurses)
  })

  test('a revised floor is used as given', ({ assert }) => {
    const req = leadRequirement(emptyWorkload(), emptyWorkload(), {
      ...ratios,
      floor: { doctors: 6, technologists: 4, nurses: 1 },
    })
    assert.deepEqual(req.planned, { doctors: 6, reviewers: 0, technologists: 4, nurses: 1 })
  })
})

test.group('Title mix (C 7.1.2)', () => {
  test('at least 20% intermediate and 10% senior of the planned doctors, rounded up', ({
    assert,
  }) => {
    assert.deepEqual(titleMixFor(8, ratios.titleMix), { doctors: 8, intermediate: 2, senior: 1 })
    assert.deepEqual(titleMixFor(10, ratios.titleMix), { doctors: 10, intermediate: 2, senior: 1 })
    // 10% of 30 is 3 exactly (0.1 × 30 in floating point would round up to 4)
    assert.deepEqual(titleMixFor(30, ratios.titleMix), { doctors: 30, intermediate: 6, senior: 3 })
    assert.deepEqual(titleMixFor(11, ratios.titleMix), { doctors: 11, intermediate: 3, senior: 2 })
  })

  test('the planned title mix follows the planned doctors after the floor', ({ assert }) => {
    const req = leadRequirement(emptyWorkload(), emptyWorkload(), ratios)
    assert.deepEqual(req.titleMix, { doctors: 8, intermediate: 2, senior: 1 })
  })

  test('the roster share counts the intermediate title itself; seniors do not make up for it', ({
    assert,
  }) => {
    const roster = rosterSummary(
      people([
        ['doctor', 'junior', 6],
        ['doctor', 'senior', 4],
      ])
    )
    const mix = rosterTitleMix(roster, ratios.titleMix)
    assert.equal(mix.intermediateSharePct, 0)
    assert.isFalse(mix.intermediateMet)
    assert.equal(mix.seniorSharePct, 40)
    assert.isTrue(mix.seniorMet)
    // but four seniors can review (intermediate or above, C 4.2.1)
    assert.equal(roster.reviewCapable.headcount, 4)
  })

  test('exactly 20% and 10% meet the rule; just under does not', ({ assert }) => {
    const met = rosterTitleMix(
      rosterSummary(
        people([
          ['doctor', 'junior', 7],
          ['doctor', 'intermediate', 2],
          ['doctor', 'senior', 1],
        ])
      ),
      ratios.titleMix
    )
    assert.isTrue(met.intermediateMet && met.seniorMet)
    const under = rosterTitleMix(
      rosterSummary(
        people([
          ['doctor', 'junior', 8],
          ['doctor', 'intermediate', 2],
          ['doctor', 'senior', 1],
        ])
      ),
      ratios.titleMix
    )
    assert.equal(under.intermediateSharePct, 18.2)
    assert.isFalse(under.intermediateMet)
    assert.isFalse(under.seniorMet)
  })
})

test.group('Gap against the roster', () => {
  test('a small centre with 3 doctors is 5 doctors short; title rows count people', ({
    assert,
  }) => {
    const req = leadRequirement(workload({ dr: 20000 }), workload({ dr: 20000 }), ratios)
    const roster = rosterSummary(
      people([
        ['doctor', 'junior', 2],
        ['doctor', 'intermediate', 1],
        ['technologist', 'junior', 5],
        ['nurse', 'junior', 2],
      ])
    )
    const gap = Object.fromEntries(leadGap(req, roster, ratios).map((g) => [g.role, g]))
    assert.equal(gap.doctors.gap, -5)
    assert.equal(gap.doctors.toAdd, 5)
    assert.isFalse(gap.doctors.met)
    assert.equal(gap.reviewers.gap, 0.5)
    assert.isTrue(gap.reviewers.met)
    assert.equal(gap.intermediate.gap, -1)
    assert.equal(gap.senior.gap, -1)
    assert.isTrue(gap.technologists.met)
    assert.isTrue(gap.nurses.met)
  })

  test('part-time nurses meet the floor by head (专/兼职), but workload is met in FTE', ({
    assert,
  }) => {
    const small = leadRequirement(emptyWorkload(), emptyWorkload(), ratios)
    const partTime = rosterSummary(people([['nurse', 'junior', 2, 0.5]]))
    assert.isTrue(leadGap(small, partTime, ratios).find((g) => g.role === 'nurses')!.met)
    // 8,000 contrast CT needs 1.5 nurse FTE; two half-time nurses give 1.0
    const busy = leadRequirement(emptyWorkload(), workload({ ct_contrast: 8000 }), ratios)
    const nurses = leadGap(busy, partTime, ratios).find((g) => g.role === 'nurses')!
    assert.equal(nurses.gap, -0.5)
    assert.equal(nurses.toAdd, 1)
  })

  test('part-time doctors count by their FTE against the floor of full-time doctors', ({
    assert,
  }) => {
    const req = leadRequirement(emptyWorkload(), emptyWorkload(), ratios)
    const roster = rosterSummary(
      people([
        ['doctor', 'junior', 8, 0.5],
        ['doctor', 'senior', 4],
      ])
    )
    const doctors = leadGap(req, roster, ratios).find((g) => g.role === 'doctors')!
    assert.equal(roster.doctors.headcount, 12)
    assert.equal(doctors.actualFte, 8)
    assert.equal(doctors.gap, 0)
    assert.isTrue(doctors.met)
  })
})

test.group('Member device rule (C 7.2.2, C 7.2.3)', () => {
  const device = (kind: any, extra: Record<string, unknown> = {}) => ({
    kind,
    contrastCapable: false,
    status: 'in_service' as const,
    ...extra,
  })

  test('1 device needs 2 technologists, 2 devices 3, 3 devices 4', ({ assert }) => {
    assert.equal(memberDeviceRule([device('dr')], ratios.memberRule).technologists, 2)
    assert.equal(memberDeviceRule([device('dr'), device('ct')], ratios.memberRule).technologists, 3)
    assert.equal(
      memberDeviceRule([device('dr'), device('dr'), device('ct')], ratios.memberRule).technologists,
      4
    )
  })

  test('no device needs no technologist; a retired one needs nobody, one under repair still does', ({
    assert,
  }) => {
    assert.equal(memberDeviceRule([], ratios.memberRule).technologists, 0)
    const rule = memberDeviceRule(
      [device('dr'), device('ct', { status: 'retired' }), device('dr', { status: 'under_repair' })],
      ratios.memberRule
    )
    assert.equal(rule.devices, 2)
    assert.equal(rule.technologists, 3)
  })

  test('one nurse per contrast CT or MRI, and only those', ({ assert }) => {
    const rule = memberDeviceRule(
      [
        device('ct', { contrastCapable: true }),
        device('mri', { contrastCapable: true }),
        device('ct'),
        device('dr', { contrastCapable: true }),
      ],
      ratios.memberRule
    )
    assert.equal(rule.contrastDevices, 2)
    assert.equal(rule.nurses, 2)
  })

  test("a member's gap counts people (专/兼职 allowed)", ({ assert }) => {
    const roster = rosterSummary(people([['technologist', 'junior', 2, 0.5]]))
    const gap = memberGap({ technologists: 3, nurses: 1 }, roster)
    assert.deepEqual(gap.technologists, {
      required: 3,
      actualHeadcount: 2,
      actualFte: 1,
      gap: -1,
      met: false,
    })
    assert.isFalse(gap.nurses.met)
  })
})

test.group('Certificates (C 7.1.2–7.1.4)', () => {
  const today = DateTime.fromISO('2026-11-22', { zone: 'utc' })
  const on = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' })

  test('valid through the expiry day, expiring within 60 days, expired the day after', ({
    assert,
  }) => {
    assert.deepEqual(certificateState(on('2026-11-22'), today), { state: 'expiring', daysLeft: 0 })
    assert.deepEqual(certificateState(on('2026-11-21'), today), { state: 'expired', daysLeft: -1 })
    assert.deepEqual(certificateState(on('2027-01-21'), today), { state: 'expiring', daysLeft: 60 })
    assert.deepEqual(certificateState(on('2027-01-22'), today), { state: 'valid', daysLeft: 61 })
    assert.deepEqual(certificateState(null, today), { state: 'no_expiry', daysLeft: null })
  })

  test('a doctor without a radiation-worker certificate, with an imaging-scope-less licence, is flagged', ({
    assert,
  }) => {
    const flags = certificateFlags(
      'doctor',
      [
        { kind: 'physician_qualification', expiresOn: null, imagingScope: false },
        { kind: 'physician_practice', expiresOn: null, imagingScope: false },
      ],
      today
    )
    assert.deepEqual(flags, [
      { code: 'missing', kind: 'radiation_worker' },
      { code: 'scope', kind: 'physician_practice' },
    ])
  })

  test('a nurse with everything valid has no flag; an expiring licence is flagged with its date', ({
    assert,
  }) => {
    const valid = [
      { kind: 'nurse_qualification' as const, expiresOn: null, imagingScope: false },
      { kind: 'nurse_practice' as const, expiresOn: on('2029-03-01'), imagingScope: false },
      { kind: 'radiation_worker' as const, expiresOn: on('2027-06-30'), imagingScope: false },
    ]
    assert.deepEqual(certificateFlags('nurse', valid, today), [])
    const expiring = valid.map((c) =>
      c.kind === 'radiation_worker' ? { ...c, expiresOn: on('2026-12-15') } : c
    )
    assert.deepEqual(certificateFlags('nurse', expiring, today), [
      { code: 'expiring', kind: 'radiation_worker', expiresOn: '2026-12-15', daysLeft: 23 },
    ])
  })
})

test.group('Required equipment (C 6)', () => {
  const d = (kind: any, status: any = 'in_service') => ({ kind, status })

  test('the lead hospital must have DR, mobile DR, digital GI, mammography, CT and MRI', ({
    assert,
  }) => {
    const check = equipmentCheck(EQUIPMENT_STANDARDS.lead_hospital, [
      d('dr'),
      d('dr'),
      d('ct'),
      d('mri', 'retired'),
    ])
    assert.deepEqual(check.missing, ['mobile_dr', 'digital_gi', 'mammography', 'mri'])
    assert.isFalse(check.met)
    assert.deepEqual(check.recommendedMissing, [['qct', 'dxa']])
    const full = equipmentCheck(
      EQUIPMENT_STANDARDS.lead_hospital,
      ['dr', 'mobile_dr', 'digital_gi', 'mammography', 'ct', 'mri', 'dxa'].map((k) => d(k))
    )
    assert.isTrue(full.met)
    assert.deepEqual(full.recommendedMissing, [])
  })

  test('a member must have a DR; CT is recommended, not required', ({ assert }) => {
    assert.deepEqual(equipmentCheck(EQUIPMENT_STANDARDS.member_clinic, [d('ct')]).missing, ['dr'])
    const ok = equipmentCheck(EQUIPMENT_STANDARDS.member_clinic, [d('dr', 'under_repair')])
    assert.isTrue(ok.met)
    assert.deepEqual(ok.recommendedMissing, [['ct']])
  })

  test('calibration/QC older than 12 months, or never recorded, is due', ({ assert }) => {
    const today = DateTime.fromISO('2026-11-22', { zone: 'utc' })
    assert.equal(
      qcState(
        { status: 'in_service', lastQcOn: DateTime.fromISO('2025-11-22', { zone: 'utc' }) },
        today
      ),
      'ok'
    )
    assert.equal(
      qcState(
        { status: 'in_service', lastQcOn: DateTime.fromISO('2025-11-21', { zone: 'utc' }) },
        today
      ),
      'overdue'
    )
    assert.equal(qcState({ status: 'in_service', lastQcOn: null }, today), 'never')
    assert.equal(qcState({ status: 'retired', lastQcOn: null }, today), 'retired')
  })
})

test.group('Chart', () => {
  test('draws one required and one actual bar per role, red where short', ({ assert }) => {
    const bars: ChartBar[] = [
      { key: 'doctors', label: '医师 <all>', required: 8, actual: 3, unit: 'fte', met: false },
      // two half-time nurses meet a floor of 2 people: green although 1 < 2
      { key: 'nurses', label: 'Nurses', required: 2, actual: 1, unit: 'fte', met: true },
    ]
    const svg = chartSvg(bars, {
      title: 'Required vs actual',
      required: 'Required',
      actual: 'Actual',
    })
    assert.match(svg, /^<svg /)
    assert.equal((svg.match(/<rect [^>]*data-role=/g) ?? []).length, 4)
    assert.match(svg, /data-role="doctors" data-series="actual" data-value="3"/)
    assert.match(svg, /fill="#b42318" data-role="doctors" data-series="actual"/)
    assert.match(svg, /fill="#1f7a3d" data-role="nurses" data-series="actual"/)
    assert.include(svg, '医师 &lt;all&gt;')
    assert.notInclude(svg, '<all>')
  })
})
