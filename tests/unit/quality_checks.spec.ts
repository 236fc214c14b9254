import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import {
  intakeFindings,
  submissionWarnings,
  type IntakeInput,
} from '#app/quality/services/automatic_checks'

const zone = 'Asia/Shanghai'
const slices = (numbers: number[]) =>
  numbers.map((n) => ({ number: String(n), position: `0\\0\\${(n - 1) * 5}` }))
const good = (): IntakeInput => ({
  patientName: 'Zhang^San',
  patientId: 'P1',
  studyDescription: 'CT 胸部平扫',
  studyDate: '20261122',
  studyTime: '083000',
  series: [
    {
      number: '1',
      modality: 'CT',
      bodyPart: 'CHEST',
      operator: 'Wang^Li',
      instances: slices([1, 2, 3, 4, 5]),
    },
  ],
  ordered: { modality: 'CT', bodyParts: ['胸部'], names: ['CT 胸部 平扫'] },
  receivedAt: DateTime.fromISO('2026-11-22T09:00:00', { zone }),
  zone,
})
const codes = (input: IntakeInput) => intakeFindings(input).map((f) => f.code)

test.group('Automatic checks at intake', () => {
  test('a good study raises nothing', ({ assert }) => {
    assert.deepEqual(intakeFindings(good()), [])
  })

  test('each R 7.1.3 field missing is a finding of its own', ({ assert }) => {
    const input = good()
    input.patientName = ''
    input.studyDescription = null
    input.series[0].bodyPart = null
    input.series[0].operator = '  '
    assert.deepEqual(
      intakeFindings(input).map((f) => f.details.field),
      ['PatientName', 'StudyDescription', 'BodyPartExamined', 'OperatorsName']
    )
  })

  test('body part and modality that disagree with the ordered item', ({ assert }) => {
    const input = good()
    input.series[0].bodyPart = 'KNEE'
    assert.deepEqual(codes(input), ['body_part_mismatch'])
    const mr = good()
    mr.series[0].modality = 'MR'
    assert.include(codes(mr), 'modality_mismatch')
    // A structured report or presentation state in the study is not an image of another modality.
    const withSr = good()
    withSr.series.push({
      number: '99',
      modality: 'SR',
      bodyPart: null,
      operator: null,
      instances: [{ number: '1', position: null }],
    })
    assert.deepEqual(codes(withSr), [])
  })

  test('missing and duplicated slices in a CT series; a DR study is not counted', ({ assert }) => {
    const gap = good()
    gap.series[0].instances = slices([1, 2, 4, 5])
    assert.deepEqual(intakeFindings(gap), [
      { code: 'missing_slices', details: { series: '1', numbers: '3' } },
    ])
    const dup = good()
    dup.series[0].instances = [...slices([1, 2, 3]), { number: '3', position: '0\\0\\10' }]
    assert.deepEqual(codes(dup), ['duplicate_slices'])
    const samePosition = good()
    samePosition.series[0].instances = [...slices([1, 2, 3]), { number: '4', position: '0\\0\\10' }]
    assert.deepEqual(codes(samePosition), ['duplicate_slices'])
    const dr = good()
    dr.ordered.modality = 'DR'
    dr.series[0] = { ...dr.series[0], modality: 'DX', instances: slices([1, 3]) }
    assert.deepEqual(codes(dr), [])
  })

  test('uploaded more than 1 hour after the exam (R 7.1.1), in hospital time', ({ assert }) => {
    const late = good()
    late.studyTime = '074500'
    assert.deepEqual(intakeFindings(late), [{ code: 'late_upload', details: { minutes: 75 } }])
    const onTime = good()
    onTime.studyTime = '080000'
    assert.deepEqual(intakeFindings(onTime), [])
  })
})

test.group('Automatic checks at report submission', () => {
  const ok = {
    sex: 'F',
    findings: '右肺下叶见一结节，直径约 8 mm。余肺未见异常。',
    impression: '右肺下叶结节，建议随访。',
  }

  test('a consistent report raises nothing', ({ assert }) => {
    assert.deepEqual(submissionWarnings(ok), [])
    assert.deepEqual(
      submissionWarnings({
        sex: 'M',
        findings: '双肺纹理清晰，未见结节。',
        impression: '胸部 CT 平扫未见异常。',
      }),
      []
    )
  })

  test('an organ of the other sex (Q 4.2.5c)', ({ assert }) => {
    assert.deepEqual(
      submissionWarnings({ sex: 'M', findings: '子宫大小正常。', impression: '盆腔未见异常。' }),
      [{ code: 'sex_organ', details: { organ: '子宫' } }]
    )
    assert.deepEqual(
      submissionWarnings({ sex: 'F', findings: '前列腺不大。', impression: '未见异常。' }),
      [{ code: 'sex_organ', details: { organ: '前列腺' } }]
    )
  })

  test('left and right that disagree between findings and impression (Q 4.2.5b)', ({ assert }) => {
    assert.deepEqual(submissionWarnings({ ...ok, impression: '左肺下叶结节，建议随访。' }), [
      { code: 'laterality', details: { organ: '肺' } },
    ])
  })

  test('an empty impression, or one that leaves out a positive finding (Q 4.2.5f)', ({
    assert,
  }) => {
    assert.deepEqual(submissionWarnings({ ...ok, impression: ' ' }), [
      { code: 'empty_impression', details: {} },
    ])
    assert.deepEqual(submissionWarnings({ ...ok, impression: '右肺下叶炎症。' }), [
      { code: 'positive_not_in_impression', details: { finding: '结节' } },
    ])
  })
})

test.group('B appendix B quarterly sheet', () => {
  test('30 points; −5 below 90 % agreement; below 21 fails', async ({ assert }) => {
    const { sheetTotal } = await import('#app/quality/services/report_sheets')
    assert.deepEqual(sheetTotal([2, 2, 2, 2, 2], 0, 0, 1), {
      rules: 10,
      description: 10,
      diagnosis: 10,
      total: 30,
      passed: true,
    })
    assert.deepEqual(sheetTotal([2, 2, 1, 2, 0], 2, 2, 0.8), {
      rules: 7,
      description: 8,
      diagnosis: 3,
      total: 18,
      passed: false,
    })
    assert.equal(sheetTotal([2, 2, 2, 2, 2], 0, 0, 0.9).total, 30)
    assert.isTrue(
      sheetTotal([2, 2, 1, 0, 0], 2, 2, null).total === 21 &&
        sheetTotal([2, 2, 1, 0, 0], 2, 2, null).passed
    )
  })
})
