import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import {
  canRaise,
  contactRefusal,
  dueEscalationSteps,
  escalationTimes,
  mayAcknowledge,
  percentile,
  raiseRefusal,
  readBackCoverage,
  readBackMatches,
} from '#app/critical_values/critical_value_rules'
import { ackChartSvg } from '#app/critical_values/ack_chart'
import { DEFAULT_CRITICAL_FINDINGS } from '#app/critical_values/default_findings'

const lead = { kind: 'lead_hospital' }
const clinic = { kind: 'member_clinic' }
const person = (role: string, institution = clinic, extra: Record<string, unknown> = {}) =>
  ({
    role,
    institutionId: 7,
    institution,
    status: 'active',
    lockedUntil: null,
    expiresOn: null,
    ...extra,
  }) as any

test.group('Critical values · read-back (复述确认)', () => {
  const message = '右侧基底节区急性脑出血，量约30ml，中线左移5mm'
  const finding = '急性颅内出血（脑实质出血、蛛网膜下腔出血、硬膜下/硬膜外血肿）'

  test('repeating the message, even in other punctuation, passes', ({ assert }) => {
    assert.isTrue(readBackMatches(message, finding, message))
    assert.isTrue(readBackMatches(message, finding, '右侧基底节区 急性脑出血 约30ml 中线左移5mm'))
    assert.isTrue(readBackMatches(message, finding, '右侧基底节区急性脑出血，中线左移'))
  })

  test('naming the finding passes even when the details are said differently', ({ assert }) => {
    assert.isTrue(readBackMatches(message, finding, '患者急性颅内出血，马上处理'))
  })

  test('"received", "ok" or an unrelated text is not a read-back', ({ assert }) => {
    for (const said of ['收到', '好的', 'ok', '已阅', '', '   ', '肺部感染，抗感染治疗']) {
      assert.isFalse(readBackMatches(message, finding, said), said)
    }
  })

  test('coverage counts the share of the message repeated', ({ assert }) => {
    assert.equal(readBackCoverage('abcd', 'abcd'), 1)
    assert.equal(readBackCoverage('abcd', 'xyz'), 0)
    assert.closeTo(readBackCoverage('Tension pneumothorax, left', 'tension pneumothorax'), 0.8, 0.1)
  })
})

test.group('Critical values · escalation times (C 8.2.2)', () => {
  const sent = DateTime.fromISO('2026-11-22T08:00:00Z', { zone: 'utc' })

  test('default: escalate at 10 minutes, telephone at 30', ({ assert }) => {
    const { dueAt, phoneDueAt } = escalationTimes(sent, 10)
    assert.equal(dueAt.toISO(), '2026-11-22T08:10:00.000Z')
    assert.equal(phoneDueAt.toISO(), '2026-11-22T08:30:00.000Z')
  })

  test('a finding with a long deadline still telephones 20 minutes after escalating', ({
    assert,
  }) => {
    const { dueAt, phoneDueAt } = escalationTimes(sent, 25)
    assert.equal(dueAt.toISO(), '2026-11-22T08:25:00.000Z')
    assert.equal(phoneDueAt.toISO(), '2026-11-22T08:45:00.000Z')
  })

  test('steps due at a moment, never telephone before escalation, nothing once closed', ({
    assert,
  }) => {
    const { dueAt, phoneDueAt } = escalationTimes(sent, 10)
    const open = { status: 'open', escalationLevel: 0, dueAt, phoneDueAt }
    assert.deepEqual(dueEscalationSteps(open, sent.plus({ minutes: 9 })), [])
    assert.deepEqual(dueEscalationSteps(open, sent.plus({ minutes: 10 })), ['escalate'])
    assert.deepEqual(dueEscalationSteps(open, sent.plus({ minutes: 31 })), ['escalate', 'phone'])
    assert.deepEqual(
      dueEscalationSteps({ ...open, escalationLevel: 1 }, sent.plus({ minutes: 20 })),
      []
    )
    assert.deepEqual(
      dueEscalationSteps({ ...open, escalationLevel: 1 }, sent.plus({ minutes: 30 })),
      ['phone']
    )
    assert.deepEqual(
      dueEscalationSteps({ ...open, escalationLevel: 2 }, sent.plus({ hours: 3 })),
      []
    )
    assert.deepEqual(
      dueEscalationSteps({ ...open, status: 'acknowledged' }, sent.plus({ hours: 3 })),
      []
    )
  })
})

test.group('Critical values · who may do what', () => {
  test('only lead-hospital radiologists raise', ({ assert }) => {
    assert.isTrue(canRaise(person('radiologist', lead)))
    assert.isFalse(canRaise(person('radiologist', { kind: 'upper_hospital' })))
    assert.isFalse(canRaise(person('qc_officer', lead)))
    assert.isFalse(canRaise(person('clinic_staff')))
    assert.isFalse(canRaise(person('admin', lead)))
  })

  test('from a draft onwards: once the images are in, and with a real message', ({ assert }) => {
    assert.equal(
      raiseRefusal({ status: 'registered' }, '右侧大量气胸，纵隔右移')?.code,
      'no_images_yet'
    )
    for (const status of [
      'images_received',
      'in_progress',
      'pending_review',
      'signed',
      'amended',
    ] as const) {
      assert.isNull(raiseRefusal({ status }, '右侧大量气胸，纵隔右移'), status)
    }
    assert.equal(raiseRefusal({ status: 'in_progress' }, ' 气胸 ')?.code, 'message_too_short')
    assert.equal(
      raiseRefusal({ status: 'in_progress' }, '气'.repeat(501))?.code,
      'message_too_long'
    )
  })

  test('only the requesting clinic acknowledges', ({ assert }) => {
    assert.isTrue(mayAcknowledge(person('clinic_staff'), { institutionId: 7 }))
    assert.isFalse(mayAcknowledge(person('clinic_staff'), { institutionId: 8 }))
    assert.isFalse(mayAcknowledge(person('radiologist', lead), { institutionId: 7 }))
  })

  test('duties: clinic staff on duty or head, lead-hospital readers at the duty desk, active accounts only', ({
    assert,
  }) => {
    assert.isNull(contactRefusal(person('clinic_staff'), 'on_duty'))
    assert.isNull(contactRefusal(person('clinic_staff'), 'clinic_head'))
    assert.isNull(contactRefusal(person('radiologist', lead), 'duty_desk'))
    assert.isNull(contactRefusal(person('qc_officer', lead), 'duty_desk'))
    assert.equal(contactRefusal(person('clinic_staff'), 'duty_desk')?.code, 'duty_desk_lead_only')
    assert.equal(contactRefusal(person('admin', lead), 'duty_desk')?.code, 'duty_desk_lead_only')
    assert.equal(contactRefusal(person('radiologist', lead), 'on_duty')?.code, 'clinic_staff_only')
    assert.equal(
      contactRefusal(person('clinic_staff', clinic, { status: 'disabled' }), 'on_duty')?.code,
      'inactive_user'
    )
  })
})

test.group('Critical values · registry statistics', () => {
  test('percentiles interpolate between ranks (Excel PERCENTILE.INC)', ({ assert }) => {
    assert.isNull(percentile([], 50))
    assert.equal(percentile([7], 90), 7)
    assert.equal(percentile([20, 2, 8, 4, 6], 50), 6)
    assert.closeTo(percentile([2, 4, 6, 8, 20], 90)!, 15.2, 1e-9)
    assert.equal(percentile([1, 2, 3, 4], 50), 2.5)
  })

  test('the chart draws one median and one p90 bar per clinic, escapes names, marks the deadline', ({
    assert,
  }) => {
    const svg = ackChartSvg(
      [
        { name: '城关镇卫生院', median: 6, p90: 15.2, acknowledged: 5 },
        { name: '<script>x</script>', median: 3, p90: 4, acknowledged: 2 },
        { name: '无记录', median: null, p90: null, acknowledged: 0 },
      ],
      10,
      { median: '中位数', p90: 'P90', deadline: '时限', minutes: '分钟', none: '无' }
    )
    assert.match(svg, /^<svg /)
    assert.notInclude(svg, '<script>')
    assert.include(svg, '&lt;script&gt;')
    assert.equal((svg.match(/<title>/g) ?? []).length, 4)
    assert.include(svg, '6 / 15.2 (n=5)')
    assert.include(svg, 'stroke="#b42318"')
  })

  test("the seeded list covers the issue's findings, each with a deadline", ({ assert }) => {
    const codes = DEFAULT_CRITICAL_FINDINGS.map((f) => f.code)
    for (const code of [
      'ICH',
      'INFARCT_MASS',
      'AORTIC_DISSECTION',
      'TENSION_PTX',
      'PE',
      'PERFORATION',
      'OBSTRUCTION',
      'VOLVULUS',
      'ECTOPIC_RUPTURE',
      'TESTICULAR_TORSION',
      'SPINE_UNSTABLE',
    ]) {
      assert.include(codes, code)
    }
    assert.equal(new Set(codes).size, codes.length)
    assert.isTrue(DEFAULT_CRITICAL_FINDINGS.every((f) => f.ackMinutes > 0 && f.name && f.nameEn))
  })
})
