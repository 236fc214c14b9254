import { test } from '@japa/runner'
import { readFileSync } from 'node:fs'
import { parseCsv } from '#app/platform/csv'
import { bandOf, deductionRule, parseRule, scoreItem } from '#app/quality/services/scoring'
import { draw, isSampled, rateRefusal, ruleFor } from '#app/quality/services/sampling'

/*
| Every row of the `rule` column of qc-checklists.csv (Q appendix A) is
| scored here against the table it states, by hand.
*/
const rows = parseCsv(readFileSync('database/data/qc-checklists.csv', 'utf8'))
const ruleRows = rows.filter((r) => r.rule && r.rule.trim())
const criterionRule = (item: string) =>
  ruleRows.find((r) => r.item === item && r.kind === 'criterion')!.rule

// met → score, as each row says in words
const EXPECTED: Record<string, number[]> = {
  image_quality: [1, 2, 3, 3, 4, 5],
  film_layout: [1, 2, 3, 4, 5],
  reconstruction_3d: [1, 2, 3, 4, 5],
  report_quality: [1, 2, 3, 4, 5],
  review_quality: [1, 2, 3, 4, 5],
}

test.group('QC scoring by the rules of Q appendix A', () => {
  test('the CSV has a rule for each of the six items and every rule row is read', ({ assert }) => {
    assert.deepEqual([...new Set(ruleRows.map((r) => r.item))].sort(), [
      'application_form',
      'film_layout',
      'image_quality',
      'reconstruction_3d',
      'report_quality',
      'review_quality',
    ])
    assert.lengthOf(ruleRows, 11)
  })

  for (const row of ruleRows) {
    test(`${row.item} / ${row.kind}: ${row.rule}`, ({ assert }) => {
      if (row.kind === 'finding') {
        // application form: any finding makes it non-compliant
        const rule = parseRule(row.rule)
        assert.deepEqual(scoreItem(rule, { severe: 0, findings: 0, met: 0 }), {
          score: 5,
          band: 'compliant',
          passed: true,
        })
        for (const n of [1, 2, 5])
          assert.deepEqual(scoreItem(rule, { severe: 0, findings: n, met: 0 }), {
            score: 1,
            band: 'non_compliant',
            passed: false,
          })
        return
      }
      const rule = parseRule(criterionRule(row.item))
      const criteria = EXPECTED[row.item].length - 1
      if (row.kind === 'severe') {
        // any severe finding scores 1, even with every criterion met
        for (const met of [0, criteria])
          assert.equal(scoreItem(rule, { severe: 1, findings: 0, met }).score, 1)
        assert.equal(scoreItem(rule, { severe: 3, findings: 0, met: criteria }).band, 'fail')
        return
      }
      for (let met = 0; met <= criteria; met++) {
        const scored = scoreItem(rule, { severe: 0, findings: 0, met })
        assert.equal(scored.score, EXPECTED[row.item][met], `${met} met`)
        assert.equal(scored.passed, scored.score >= 3)
      }
      assert.throws(() => scoreItem(rule, { severe: 0, findings: 0, met: criteria + 1 }))
    })
  }

  test('bands of Q 6.4: 5 excellent, 4 good, 3 pass, 2 and 1 fail', ({ assert }) => {
    assert.deepEqual([5, 4, 3, 2, 1].map(bandOf), ['excellent', 'good', 'pass', 'fail', 'fail'])
  })

  test('a checklist with an added criterion scores by deduction; an unreadable rule is refused', ({
    assert,
  }) => {
    const rule = parseRule(deductionRule(6))
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6].map((met) => scoreItem(rule, { severe: 0, findings: 0, met }).score),
      [1, 1, 1, 2, 3, 4, 5]
    )
    assert.throws(() => parseRule('score as you like'))
    assert.throws(() => parseRule('4 criteria: 4 met = 5; 3 = 4'))
  })
})

test.group('Random QC sampling', () => {
  test('reproducible: the same seed marks the same exams, another seed others', ({ assert }) => {
    const a = Array.from({ length: 500 }, (_, i) =>
      isSampled({ seed: 's1', ratePercent: 20 }, i + 1)
    )
    const b = Array.from({ length: 500 }, (_, i) =>
      isSampled({ seed: 's1', ratePercent: 20 }, i + 1)
    )
    const c = Array.from({ length: 500 }, (_, i) =>
      isSampled({ seed: 's2', ratePercent: 20 }, i + 1)
    )
    assert.deepEqual(a, b)
    assert.notDeepEqual(a, c)
    assert.equal(draw('s1', 42), draw('s1', 42))
  })

  test('near its rate over 10,000 simulated exams, for 5 %, 1 %, 30 %; 0 % marks none and 100 % all', ({
    assert,
  }) => {
    for (const rate of [5, 1, 30]) {
      let marked = 0
      for (let id = 1; id <= 10_000; id++)
        if (isSampled({ seed: 'county', ratePercent: rate }, id)) marked++
      // binomial sd at 10,000: ≤ 0.46 %; 4 sd of slack
      const sd = Math.sqrt(10_000 * (rate / 100) * (1 - rate / 100))
      assert.isAtMost(Math.abs(marked - rate * 100), 4 * sd, `rate ${rate}: ${marked}`)
    }
    let none = 0
    let all = 0
    for (let id = 1; id <= 10_000; id++) {
      if (isSampled({ seed: 'x', ratePercent: 0 }, id)) none++
      if (isSampled({ seed: 'x', ratePercent: 100 }, id)) all++
    }
    assert.equal(none, 0)
    assert.equal(all, 10_000)
  })

  test('a rate outside 0..100 % is refused', ({ assert }) => {
    assert.isNull(rateRefusal(0))
    assert.isNull(rateRefusal(100))
    assert.isNull(rateRefusal('5'))
    assert.equal(rateRefusal(-1), 'rate_out_of_range')
    assert.equal(rateRefusal(100.5), 'rate_out_of_range')
    assert.equal(rateRefusal('abc'), 'rate_not_a_number')
  })

  test('the most specific rule wins: reader over clinic over modality over the default 5 %', ({
    assert,
  }) => {
    const rules = [
      { id: 1, modality: 'CT', institutionId: null, readerId: null, ratePercent: 10, seed: 'm' },
      { id: 2, modality: null, institutionId: 7, readerId: null, ratePercent: 20, seed: 'c' },
      { id: 3, modality: null, institutionId: null, readerId: 9, ratePercent: 50, seed: 'r' },
    ]
    assert.equal(ruleFor(rules, { modality: 'CT', institutionId: 1, readerId: null }).id, 1)
    assert.equal(ruleFor(rules, { modality: 'CT', institutionId: 7, readerId: null }).id, 2)
    assert.equal(ruleFor(rules, { modality: 'CT', institutionId: 7, readerId: 9 }).id, 3)
    assert.equal(ruleFor(rules, { modality: 'DR', institutionId: 1, readerId: 2 }).ratePercent, 5)
  })
})
