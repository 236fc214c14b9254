import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import {
  type CatalogueFacts,
  type InstitutionFacts,
  institutionQualifies,
  itemEvaluationInForce,
  receiverAccepts,
  suspendedAt,
  widestMark,
  withinWindow,
} from '#app/recognition/services/recognition_rules'
import {
  isWorkingDay,
  longestGap,
  workingMinutesBetween,
} from '#app/recognition/services/data_quality'

const CHUANYU: CatalogueFacts = {
  code: 'chuanyu',
  name: '川渝',
  mark: '川渝HR',
  scopeRank: 30,
  minLevel: '二级乙等',
  requiresPublic: true,
}
const HECHI: CatalogueFacts = {
  code: 'hechi',
  name: '河池',
  mark: '桂HR',
  scopeRank: 20,
  minLevel: '二级甲等',
  requiresPublic: false,
}

let ids = 1
const institution = (
  kind: string,
  level: string | null,
  extra: Partial<InstitutionFacts> = {}
): InstitutionFacts => ({
  id: ids++,
  name: `机构${ids}`,
  kind,
  level,
  isPublic: true,
  qcEvaluationPassedOn: null,
  qcEvaluationValidUntil: null,
  ...extra,
})

test.group('Recognised institutions (R 6.2, H 一)', () => {
  test('R recognises level-2 public hospitals and above; H only 二级甲等 and above', ({
    assert,
  }) => {
    const secondB = institution('upper_hospital', '二级乙等')
    assert.isTrue(institutionQualifies(secondB, CHUANYU, '2026-11-01'))
    assert.isFalse(institutionQualifies(secondB, HECHI, '2026-11-01'))
    assert.isTrue(
      institutionQualifies(institution('upper_hospital', '二级甲等'), HECHI, '2026-11-01')
    )
    assert.isFalse(
      institutionQualifies(
        institution('upper_hospital', '三级甲等', { isPublic: false }),
        CHUANYU,
        '2026-11-01'
      )
    )
    assert.isTrue(
      institutionQualifies(
        institution('upper_hospital', '三级甲等', { isPublic: false }),
        HECHI,
        '2026-11-01'
      )
    )
    assert.isFalse(
      institutionQualifies(institution('member_clinic', '一级'), CHUANYU, '2026-11-01')
    )
  })

  test('below level 2, a passed QC-centre evaluation counts while it is in force', ({ assert }) => {
    const clinic = institution('member_clinic', '一级', {
      qcEvaluationPassedOn: '2026-03-01',
      qcEvaluationValidUntil: '2026-12-31',
    })
    assert.isTrue(institutionQualifies(clinic, CHUANYU, '2026-11-01'))
    assert.isFalse(institutionQualifies(clinic, CHUANYU, '2026-02-28'))
    assert.isFalse(institutionQualifies(clinic, CHUANYU, '2027-01-01'))
  })

  test('lower levels accept upper ones and peers accept each other, not the other way; alliance members all accept each other', ({
    assert,
  }) => {
    const county = institution('upper_hospital', '二级甲等')
    const city = institution('upper_hospital', '三级甲等')
    const peer = institution('upper_hospital', '二级甲等')
    assert.isTrue(receiverAccepts(county, city, CHUANYU, '2026-11-01'))
    assert.isTrue(receiverAccepts(county, peer, CHUANYU, '2026-11-01'))
    assert.isFalse(receiverAccepts(city, county, CHUANYU, '2026-11-01'))

    const lead = institution('lead_hospital', '二级甲等')
    const clinicA = institution('member_clinic', '一级')
    const clinicB = institution('member_clinic', '一级')
    assert.isTrue(receiverAccepts(clinicA, clinicB, CHUANYU, '2026-11-01'))
    assert.isTrue(receiverAccepts(lead, clinicA, CHUANYU, '2026-11-01'))
    // a first-level institution outside the alliance is not in scope for anyone else
    assert.isFalse(
      receiverAccepts(clinicA, institution('specialty_centre', '一级'), CHUANYU, '2026-11-01')
    )
  })
})

test.group('Marks and evaluations (R 6.4, B, R 9.1)', () => {
  test('the widest applicable scope wins', ({ assert }) => {
    const jjj = { ...CHUANYU, code: 'jjj', mark: 'JJJHR', scopeRank: 35 }
    const bj = { ...CHUANYU, code: 'beijing', mark: 'BJHR', scopeRank: 20 }
    assert.equal(widestMark([bj, jjj, CHUANYU])!.mark, 'JJJHR')
    assert.equal(widestMark([HECHI, CHUANYU])!.mark, '川渝HR')
    assert.isNull(widestMark([]))
  })

  test('an item evaluation counts only when passed and in force that day', ({ assert }) => {
    assert.isTrue(
      itemEvaluationInForce(
        { passed: true, evaluatedOn: '2026-01-01', validUntil: '2026-12-31' },
        '2026-06-01'
      )
    )
    assert.isFalse(
      itemEvaluationInForce(
        { passed: false, evaluatedOn: '2026-01-01', validUntil: null },
        '2026-06-01'
      )
    )
    assert.isFalse(
      itemEvaluationInForce(
        { passed: true, evaluatedOn: '2026-07-01', validUntil: null },
        '2026-06-01'
      )
    )
    assert.isFalse(
      itemEvaluationInForce(
        { passed: true, evaluatedOn: '2026-01-01', validUntil: '2026-05-31' },
        '2026-06-01'
      )
    )
    assert.isFalse(itemEvaluationInForce(null, '2026-06-01'))
  })

  test('an active suspension covers every result of its modality; a lifted one those made while it lasted', ({
    assert,
  }) => {
    const active = [
      { modality: 'CT', suspendedAt: DateTime.fromISO('2026-10-01T00:00:00Z'), liftedAt: null },
    ]
    assert.isTrue(suspendedAt(active, 'CT', DateTime.fromISO('2026-09-15T00:00:00Z')))
    const s = [
      {
        modality: 'CT',
        suspendedAt: DateTime.fromISO('2026-10-01T00:00:00Z'),
        liftedAt: DateTime.fromISO('2026-11-01T00:00:00Z'),
      },
    ]
    assert.isTrue(suspendedAt(s, 'CT', DateTime.fromISO('2026-10-15T00:00:00Z')))
    assert.isFalse(suspendedAt(s, 'DR', DateTime.fromISO('2026-10-15T00:00:00Z')))
    assert.isFalse(suspendedAt(s, 'CT', DateTime.fromISO('2026-11-02T00:00:00Z')))
  })

  test('the window (R 6.5): 29 days in, 32 days out', ({ assert }) => {
    const now = DateTime.fromISO('2026-11-22T02:00:00Z')
    assert.isTrue(withinWindow(now.minus({ days: 29 }), now, 30))
    assert.isFalse(withinWindow(now.minus({ days: 32 }), now, 30))
    assert.isFalse(withinWindow(now.plus({ minutes: 1 }), now, 30))
  })
})

test.group('Continuity in working-day time (R 7.1.5)', () => {
  // hospital time is Asia/Shanghai (UTC+8); 2026-11-20 is a Friday, 2026-11-23 a Monday
  const at = (local: string) => DateTime.fromISO(local, { zone: 'Asia/Shanghai' }).toUTC()

  test('a weekend is not counted: Friday 17:00 to Monday 09:00 is 16 working hours', ({
    assert,
  }) => {
    assert.equal(workingMinutesBetween(at('2026-11-20T17:00'), at('2026-11-23T09:00')), 16 * 60)
    assert.equal(workingMinutesBetween(at('2026-11-20T08:00'), at('2026-11-23T10:00')), 26 * 60)
  })

  test('the longest stretch touching a day includes the one still open', ({ assert }) => {
    const monday = at('2026-11-23T00:00')
    assert.equal(
      longestGap(
        at('2026-11-20T08:00'),
        [at('2026-11-23T10:00'), at('2026-11-23T11:00')],
        monday,
        at('2026-11-24T00:00')
      ),
      26 * 60
    )
    assert.equal(longestGap(at('2026-11-23T08:00'), [], monday, at('2026-11-24T00:00')), 16 * 60)
    assert.isNull(longestGap(null, [], monday, at('2026-11-24T00:00')))
  })

  test('a public holiday is not counted and an adjusted working day (调休) is', ({ assert }) => {
    // 劳动节 2026: Friday 1 May to Tuesday 5 May off, Saturday 9 May worked
    const calendar = new Map([
      ['2026-05-01', 'holiday'],
      ['2026-05-04', 'holiday'],
      ['2026-05-05', 'holiday'],
      ['2026-05-09', 'workday'],
    ] as const)
    // Thursday 30 April 17:00 to Wednesday 6 May 09:00: 7 h + 9 h
    assert.equal(
      workingMinutesBetween(at('2026-04-30T17:00'), at('2026-05-06T09:00'), calendar),
      16 * 60
    )
    // Friday 8 May 17:00 to Monday 11 May 09:00: 7 h + Saturday 24 h + 9 h
    assert.equal(
      workingMinutesBetween(at('2026-05-08T17:00'), at('2026-05-11T09:00'), calendar),
      40 * 60
    )
    assert.isFalse(isWorkingDay(at('2026-05-04T12:00'), calendar))
    assert.isTrue(isWorkingDay(at('2026-05-09T12:00'), calendar))
    assert.isFalse(isWorkingDay(at('2026-05-10T12:00'), calendar))
    // without the calendar, the week decides
    assert.isTrue(isWorkingDay(at('2026-05-04T12:00')))
  })
})
