import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtemp, writeFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Clock, ManualClock } from '#app/platform/clock'
import { acquireLease, releaseLease, runExclusive } from '#app/platform/job_lease'
import { Training } from '#app/assessments/services/training'
import { QuarterlyAssessment } from '#app/assessments/services/quarterly_assessment'
import { SpotChecks, drawSample } from '#app/assessments/services/spot_checks'
import { spotCheckPassRate } from '#app/assessments/services/own_indicators'
import { currentChecklists } from '#app/quality/services/checklists'
import { parseQuarter } from '#app/assessments/services/quarters'
import { draftQuarterlyBulletin } from '#app/assessments/jobs'
import { DEFAULT_WEIGHTS } from '#app/assessments/services/assessment_weights'
import { clinicIndicators } from '#app/platform/clinic_indicators'
import * as make from '#tests/support/fixtures'
import { apiToken } from '#tests/support/http'
import { staff } from '#tests/support/staffing_fixtures'
import { imagedExam, trainingSession, assessmentRound } from '#tests/support/assessments_fixtures'

const run = promisify(execFile)
const Q3 = parseQuarter('2016-Q3')!

function useClock(at: string) {
  const clock = new ManualClock(at)
  app.container.swap(Clock, () => clock)
  return clock
}

test.group('Assessments | training and assessment flags move with the clock', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.teardown(() => app.container.restore(Clock))

  test('two sessions in 12 months (C 7.3.1): ok, then at risk before the shortfall, then short', async ({
    assert,
  }) => {
    const clinic = await make.institution('member_clinic')
    const person = await staff(clinic, 'technologist', 'junior')
    await trainingSession(clinic, '2016-01-10', [person.id])
    await trainingSession(clinic, '2016-03-01', [person.id])
    await trainingSession(clinic, '2016-05-01', [person.id], false) // not signed off: does not count
    const clock = useClock('2016-10-01T02:00:00Z')
    const stateOf = async () => {
      const rows = await (await app.container.make(Training)).coverage({ institutionId: clinic.id })
      return rows.find((r: any) => r.id === person.id)!.training
    }
    assert.deepEqual(await stateOf(), {
      state: 'ok',
      sessionsInYear: 2,
      fallsBelowOn: '2017-01-10',
    })
    clock.set('2016-12-01T02:00:00Z')
    assert.equal((await stateOf()).state, 'at_risk')
    clock.set('2017-01-10T02:00:00Z')
    assert.deepInclude(await stateOf(), { state: 'below', sessionsInYear: 1 })
    // The person's history says the same.
    const history = await (await app.container.make(Training)).history(person.id)
    assert.equal(history!.training.state, 'below')
    assert.lengthOf(history!.sessions, 3)
  })

  test('assessed every 6 months (C 9.3): ok, at risk, overdue; never assessed is flagged', async ({
    assert,
  }) => {
    const clinic = await make.institution('member_clinic')
    const assessed = await staff(clinic, 'doctor', 'junior')
    const never = await staff(clinic, 'nurse', 'junior')
    await assessmentRound('2016-06-15', [
      { staffMemberId: assessed.id, institutionId: clinic.id, score: 75 },
    ])
    const clock = useClock('2016-10-01T02:00:00Z')
    const states = async () => {
      const rows = await (await app.container.make(Training)).coverage({ institutionId: clinic.id })
      return Object.fromEntries(rows.map((r: any) => [r.id, r.assessment]))
    }
    assert.deepEqual((await states())[assessed.id], { state: 'ok', dueOn: '2016-12-15' })
    assert.deepEqual((await states())[never.id], { state: 'below', dueOn: null })
    clock.set('2016-11-01T02:00:00Z')
    assert.equal((await states())[assessed.id].state, 'at_risk')
    clock.set('2016-12-15T02:00:00Z')
    assert.equal((await states())[assessed.id].state, 'below')
  })
})

test.group('Assessments | refusals change nothing', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('attendance for a person of another clinic is refused', async ({ client, assert }) => {
    const a = await make.institution('member_clinic')
    const b = await make.institution('member_clinic')
    const ours = await staff(a, 'technologist', 'junior')
    const theirs = await staff(b, 'technologist', 'junior', { fullName: '外院技师' })
    const token = await apiToken(await make.user('qc_officer'))
    const response = await client
      .post('/api/v1/assessments/training')
      .bearerToken(token)
      .json({
        topic: '乳腺摄影质控',
        heldOn: '2016-08-01',
        trainer: '王主任',
        institutionId: a.id,
        attendeeIds: [ours.id, theirs.id],
      })
    response.assertStatus(422)
    assert.equal(response.body().errors[0].code, 'attendee_of_another_clinic')
    assert.include(response.body().errors[0].message, '外院技师')
    assert.lengthOf(await db.from('training_sessions').where('institution_id', a.id), 0)

    const ok = await client
      .post('/api/v1/assessments/training')
      .bearerToken(token)
      .json({
        topic: '乳腺摄影质控',
        heldOn: '2016-08-01',
        trainer: '王主任',
        institutionId: a.id,
        attendeeIds: [ours.id],
      })
    ok.assertStatus(200)
    const id = ok.body().data.id
    const change = await client
      .put(`/api/v1/assessments/training/${id}/attendance`)
      .bearerToken(token)
      .json({ attendeeIds: [theirs.id] })
    assert.equal(change.body().errors[0].code, 'attendee_of_another_clinic')
    assert.deepEqual(
      (await db.from('training_attendances').where('training_session_id', id)).map(
        (r: any) => r.staff_member_id
      ),
      [ours.id]
    )
  })

  test('attendance is fixed once signed off', async ({ client, assert }) => {
    useClock('2016-08-02T02:00:00Z')
    const a = await make.institution('member_clinic')
    const person = await staff(a, 'technologist', 'junior')
    const token = await apiToken(await make.user('qc_officer'))
    const id = (
      await client
        .post('/api/v1/assessments/training')
        .bearerToken(token)
        .json({
          topic: 'CT 剂量',
          heldOn: '2016-08-01',
          trainer: '李老师',
          institutionId: a.id,
          attendeeIds: [person.id],
        })
    ).body().data.id
    ;(
      await client.post(`/api/v1/assessments/training/${id}/sign-off`).bearerToken(token)
    ).assertStatus(200)
    const again = await client
      .post(`/api/v1/assessments/training/${id}/sign-off`)
      .bearerToken(token)
    again.assertStatus(409)
    const change = await client
      .put(`/api/v1/assessments/training/${id}/attendance`)
      .bearerToken(token)
      .json({ attendeeIds: [] })
    assert.equal(change.body().errors[0].code, 'attendance_signed_off')
    app.container.restore(Clock)
  })

  test('materials are uploaded and downloaded; the session and a person’s history show to their own clinic only', async ({
    client,
    assert,
  }) => {
    useClock('2016-08-02T02:00:00Z')
    const a = await make.institution('member_clinic')
    const person = await staff(a, 'technologist', 'junior', { fullName: '周技师' })
    const qc = await make.user('qc_officer')
    const token = await apiToken(qc)
    const id = (
      await client
        .post('/api/v1/assessments/training')
        .bearerToken(token)
        .json({
          topic: '造影剂安全',
          heldOn: '2016-08-01',
          trainer: '李老师',
          institutionId: a.id,
          attendeeIds: [person.id],
        })
    ).body().data.id
    const pdf = Buffer.from('%PDF-1.4 课件')
    const uploaded = await client
      .post(`/assessments/training/${id}/materials`)
      .loginAs(qc)
      .withCsrfToken()
      .file('material', pdf, { filename: '造影剂课件.pdf' })
      .redirects(0)
    uploaded.assertStatus(302)
    const material = await db.from('training_materials').where('training_session_id', id).first()
    assert.equal(material.file_name, '造影剂课件.pdf')
    const nurse = await make.user('clinic_staff', a)
    const download = await client
      .get(`/assessments/training/${id}/materials/${material.id}`)
      .loginAs(nurse)
    download.assertStatus(200)
    assert.equal(Buffer.compare(material.content, pdf), 0)
    assert.equal(download.header('content-type'), 'application/pdf')
    assert.include(download.header('content-disposition'), encodeURIComponent('造影剂课件.pdf'))
    const sessionPage = await client.get(`/assessments/training/${id}`).loginAs(nurse)
    sessionPage.assertStatus(200)
    assert.include(sessionPage.text(), '造影剂课件.pdf')
    const history = await client.get(`/assessments/people/${person.id}`).loginAs(nurse)
    history.assertStatus(200)
    assert.include(history.text(), '造影剂安全')
    const stranger = await make.user('clinic_staff', await make.institution('member_clinic'))
    ;(await client.get(`/assessments/training/${id}`).loginAs(stranger)).assertStatus(404)
    ;(await client.get(`/assessments/people/${person.id}`).loginAs(stranger)).assertStatus(404)
    ;(
      await client.get(`/assessments/training/${id}/materials/${material.id}`).loginAs(stranger)
    ).assertStatus(404)
    ;(await client.get('/assessments/training').loginAs(nurse)).assertStatus(200)
    app.container.restore(Clock)
  })

  test('a score outside the scale is refused and nothing of the batch is stored', async ({
    client,
    assert,
  }) => {
    const a = await make.institution('member_clinic')
    const p1 = await staff(a, 'technologist', 'junior')
    const p2 = await staff(a, 'technologist', 'junior')
    const token = await apiToken(await make.user('qc_officer'))
    const round = await client.post('/api/v1/assessments/rounds').bearerToken(token).json({
      title: '实操考核',
      heldOn: '2016-08-01',
      kind: 'practical',
      maxScore: 100,
      passMark: 60,
    })
    round.assertStatus(200)
    const roundId = round.body().data.id
    const bad = await client
      .put(`/api/v1/assessments/rounds/${roundId}/scores`)
      .bearerToken(token)
      .json({ scores: { [p1.id]: 80, [p2.id]: 120 } })
    bad.assertStatus(422)
    assert.equal(bad.body().errors[0].code, 'score_outside_scale')
    assert.lengthOf(await db.from('assessment_scores').where('assessment_round_id', roundId), 0)
    const good = await client
      .put(`/api/v1/assessments/rounds/${roundId}/scores`)
      .bearerToken(token)
      .json({ scores: { [p1.id]: 80, [p2.id]: 55 } })
    good.assertStatus(200)
    assert.deepEqual(
      good
        .body()
        .data.map((r: any) => [r.staff_member_id, Boolean(r.passed)])
        .sort(),
      [
        [p1.id, true],
        [p2.id, false],
      ].sort()
    )
    const passMark = await client
      .post('/api/v1/assessments/rounds')
      .bearerToken(token)
      .json({ title: '笔试', heldOn: '2016-08-01', kind: 'written', maxScore: 50, passMark: 60 })
    assert.equal(passMark.body().errors[0].code, 'pass_mark_outside_scale')
  })

  test('weights that do not add up are refused; a good revision is a new version', async ({
    client,
    assert,
  }) => {
    const token = await apiToken(await make.user('qc_officer'))
    const current = (await client.get('/api/v1/assessments/weights').bearerToken(token)).body().data
      .current
    assert.equal(current.version, 1)
    const bad = await client
      .post('/api/v1/assessments/weights')
      .bearerToken(token)
      .json({
        baseVersion: 1,
        note: '提高时限权重',
        weights: { 'assessments.turnaround_within_limit': 50, 'assessments.workload': 40 },
      })
    bad.assertStatus(422)
    assert.equal(bad.body().errors[0].code, 'weights_do_not_add_up')
    assert.include(bad.body().errors[0].message, '90')
    assert.lengthOf(await db.from('assessment_weight_sets'), 1)
    const good = await client
      .post('/api/v1/assessments/weights')
      .bearerToken(token)
      .json({
        baseVersion: 1,
        note: '提高时限权重',
        weights: {
          'assessments.turnaround_within_limit': 60,
          'assessments.workload': 40,
          'quality.image_pass_rate': 0,
        },
      })
    good.assertStatus(200)
    assert.deepEqual(good.body().data.weights, {
      'assessments.turnaround_within_limit': 60,
      'assessments.workload': 40,
    })
    const stale = await client
      .post('/api/v1/assessments/weights')
      .bearerToken(token)
      .json({ baseVersion: 1, note: 'x', weights: { 'assessments.workload': 100 } })
    stale.assertStatus(409)
    const clinicToken = await apiToken(await make.user('clinic_staff'))
    ;(
      await client
        .post('/api/v1/assessments/weights')
        .bearerToken(clinicToken)
        .json({ baseVersion: 2, note: 'x', weights: { 'assessments.workload': 100 } })
    ).assertStatus(403)
  })
})

test.group('Assessments | the weights form', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('the form as left (defaults) changes nothing; changed weights that add up make version 2', async ({
    client,
    assert,
  }) => {
    const qc = await make.user('qc_officer')
    const page = await client.get('/assessments/weights').loginAs(qc)
    page.assertStatus(200)
    assert.include(page.text(), 'name="weights[quality.image_pass_rate]"')
    const form: Record<string, string> = { baseVersion: '1', note: '季度质控会议' }
    for (const [key, weight] of Object.entries(DEFAULT_WEIGHTS))
      form[`weights[${key}]`] = String(weight)
    const unchanged = await client
      .post('/assessments/weights')
      .loginAs(qc)
      .withCsrfToken()
      .form(form)
      .redirects(0)
    unchanged.assertStatus(302)
    assert.lengthOf(await db.from('assessment_weight_sets'), 1)
    form['weights[assessments.workload]'] = '0'
    form['weights[assessments.turnaround_within_limit]'] = '15'
    const saved = await client
      .post('/assessments/weights')
      .loginAs(qc)
      .withCsrfToken()
      .form(form)
      .redirects(0)
    saved.assertStatus(302)
    const latest = await db.from('assessment_weight_sets').orderBy('version', 'desc').first()
    assert.equal(latest.version, 2)
    assert.equal(JSON.parse(latest.weights)['assessments.turnaround_within_limit'], 15)
    assert.isUndefined(JSON.parse(latest.weights)['assessments.workload'])
  })
})

test.group('Assessments | who sees which quarter', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.teardown(() => app.container.restore(Clock))

  test('a member sees its own row and rank; QC officers see all; others are refused or answered 404', async ({
    client,
    assert,
  }) => {
    useClock('2016-10-05T02:00:00Z')
    const a = await make.institution('member_clinic')
    const b = await make.institution('member_clinic')
    await imagedExam(a, {
      modality: 'DR',
      imagesAt: '2016-07-01T01:00:00',
      dueAt: '2016-07-01T01:30:00',
      signedAt: '2016-07-01T01:10:00',
    })
    await imagedExam(b, {
      modality: 'DR',
      imagesAt: '2016-07-01T01:00:00',
      dueAt: '2016-07-01T01:30:00',
      signedAt: '2016-07-01T02:10:00',
    })
    const nurse = await make.user('clinic_staff', a)
    const qc = await make.user('qc_officer')
    const mine = await client
      .get('/api/v1/assessments?quarter=2016-Q3')
      .bearerToken(await apiToken(nurse))
    mine.assertStatus(200)
    assert.deepEqual(
      mine.body().data.clinics.map((c: any) => c.clinicId),
      [a.id]
    )
    // Other suites commit member clinics of their own (two app nodes, crash tests): count what is there.
    const members = await db
      .from('institutions')
      .where('kind', 'member_clinic')
      .count('* as n')
      .first()
    assert.equal(mine.body().data.memberCount, Number(members.n))
    const all = await client
      .get('/api/v1/assessments?quarter=2016-Q3')
      .bearerToken(await apiToken(qc))
    const shown = all.body().data.clinics.map((c: any) => c.clinicId)
    assert.includeMembers(shown, [a.id, b.id])
    assert.lengthOf(shown, Number(members.n))
    // turnaround 1/1 against 0/1: a ranks above b
    const rankOf = (id: number) => all.body().data.clinics.find((c: any) => c.clinicId === id).rank
    assert.isBelow(rankOf(a.id), rankOf(b.id))
    ;(
      await client
        .get(`/api/v1/assessments/clinics/${b.id}?quarter=2016-Q3`)
        .bearerToken(await apiToken(nurse))
    ).assertStatus(404)
    ;(
      await client
        .get(
          `/api/v1/assessments/records?indicator=assessments.workload&clinicId=${b.id}&from=2016-07-01&to=2016-10-01`
        )
        .bearerToken(await apiToken(nurse))
    ).assertStatus(404)
    const records = await client
      .get(
        `/api/v1/assessments/records?indicator=assessments.workload&clinicId=${a.id}&from=2016-07-01&to=2016-10-01`
      )
      .bearerToken(await apiToken(nurse))
    assert.lengthOf(records.body().data.rows, 1)
    ;(
      await client
        .get('/api/v1/assessments')
        .bearerToken(await apiToken(await make.user('radiologist')))
    ).assertStatus(403)
    ;(
      await client
        .post('/api/v1/assessments/quarters/close')
        .bearerToken(await apiToken(nurse))
        .json({ quarter: '2016-Q3' })
    ).assertStatus(403)
    const page = await client.get('/assessments?quarter=2016-Q3').loginAs(qc)
    page.assertStatus(200)
    assert.include(page.text(), 'ranking-chart')
    const clinicPage = await client
      .get(`/assessments/clinics/${a.id}?quarter=2016-Q3`)
      .loginAs(nurse)
    clinicPage.assertStatus(200)
    assert.include(clinicPage.text(), 'trend-chart')
  })

  test('a closed quarter does not change; a correction is a new version with a reason', async ({
    client,
    assert,
  }) => {
    const clock = useClock('2016-09-20T02:00:00Z')
    const a = await make.institution('member_clinic')
    await imagedExam(a, {
      modality: 'CT',
      imagesAt: '2016-07-10T01:00:00',
      dueAt: '2016-07-11T01:00:00',
      signedAt: '2016-07-10T05:00:00',
    })
    const token = await apiToken(await make.user('qc_officer'))
    const early = await client
      .post('/api/v1/assessments/quarters/close')
      .bearerToken(token)
      .json({ quarter: '2016-Q3' })
    assert.equal(early.body().errors[0].code, 'quarter_not_over')
    clock.set('2016-10-02T02:00:00Z')
    const closed = await client
      .post('/api/v1/assessments/quarters/close')
      .bearerToken(token)
      .json({ quarter: '2016-Q3' })
    closed.assertStatus(200)
    assert.equal(closed.body().data.closed.version, 1)
    const twice = await client
      .post('/api/v1/assessments/quarters/close')
      .bearerToken(token)
      .json({ quarter: '2016-Q3' })
    twice.assertStatus(409)
    // A late-registered exam of the quarter does not move the closed figures…
    await imagedExam(a, {
      modality: 'CT',
      imagesAt: '2016-08-10T01:00:00',
      dueAt: '2016-08-11T01:00:00',
      signedAt: '2016-08-10T05:00:00',
    })
    const assessment = await app.container.make(QuarterlyAssessment)
    const frozen = await assessment.forQuarter(Q3)
    assert.equal(
      frozen.clinics.find((c) => c.clinicId === a.id)!.values['assessments.workload'].value,
      1
    )
    // …until a correction, which needs a reason.
    const noReason = await client
      .post('/api/v1/assessments/quarters/correct')
      .bearerToken(token)
      .json({ quarter: '2016-Q3', reason: '' })
    noReason.assertStatus(422)
    const corrected = await client
      .post('/api/v1/assessments/quarters/correct')
      .bearerToken(token)
      .json({ quarter: '2016-Q3', reason: '补录 8 月检查' })
    corrected.assertStatus(200)
    assert.equal(corrected.body().data.closed.version, 2)
    const now = await assessment.forQuarter(Q3)
    assert.equal(
      now.clinics.find((c) => c.clinicId === a.id)!.values['assessments.workload'].value,
      2
    )
    assert.equal(now.closed!.reason, '补录 8 月检查')
    assert.lengthOf(await db.from('assessment_quarters').where('quarter', '2016-Q3'), 2)
  })
})

test.group('Assessments | spot checks and corrective actions', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.teardown(() => app.container.restore(Clock))

  test('a seeded draw is repeatable, becomes a centralised QC session, and its scores count in the quarter', async ({
    client,
    assert,
  }) => {
    useClock('2016-08-31T02:00:00Z')
    const a = await make.institution('member_clinic')
    const b = await make.institution('member_clinic')
    const ids: number[] = []
    for (let d = 1; d <= 20; d++)
      ids.push(
        (
          await imagedExam(a, {
            modality: 'DR',
            imagesAt: `2016-08-${String(d).padStart(2, '0')}T03:00:00`,
          })
        ).id
      )
    await imagedExam(a, { modality: 'DR', imagesAt: '2016-06-01T03:00:00' }) // outside the 60 days
    await imagedExam(b, { modality: 'DR', imagesAt: '2016-08-02T03:00:00' }) // another clinic
    assert.deepEqual(drawSample(ids, 5, 42), drawSample(ids, 5, 42))
    const token = await apiToken(await make.user('qc_officer'))
    const drawn = await client
      .post('/api/v1/assessments/spot-checks')
      .bearerToken(token)
      .json({ institutionId: a.id, days: 60, size: 5, seed: 42 })
    drawn.assertStatus(200)
    assert.deepEqual(drawn.body().data.examIds, drawSample(ids, 5, 42))
    const sessionId = drawn.body().data.qcSessionId
    assert.isNumber(sessionId)
    const inSession = await db
      .from('qc_session_exams')
      .where('session_id', sessionId)
      .orderBy('exam_id')
    assert.deepEqual(
      inSession.map((r: any) => Number(r.exam_id)),
      drawSample(ids, 5, 42)
    )
    assert.equal(
      (await db.from('qc_sessions').where('id', sessionId).first()).purpose,
      'spot_check'
    )
    // Three image-quality scores given in the session, two passing: the quarter's spot-check pass rate is 2/3.
    const checklist = (await currentChecklists(DateTime.fromISO('2016-08-31T02:00:00Z')))!.get(
      'image_quality'
    )!
    const scorer = await make.user('qc_officer')
    for (const [index, score] of [4, 3, 2].entries()) {
      await db.table('qc_scores').insert({
        exam_id: inSession[index].exam_id,
        item: 'image_quality',
        checklist_id: checklist.id,
        score,
        band: score >= 3 ? 'pass' : 'fail',
        passed: score >= 3,
        findings: '[]',
        criteria: '[]',
        institution_id: a.id,
        modality: 'DR',
        scorer_id: scorer.id,
        mode: 'centralised',
        session_id: sessionId,
        scored_at: '2016-08-31 02:30:00',
      })
    }
    const quarter = await spotCheckPassRate.compute({
      from: DateTime.fromISO('2016-07-01T00:00:00+08:00'),
      to: DateTime.fromISO('2016-10-01T00:00:00+08:00'),
      clinicIds: [a.id, b.id],
    })
    assert.equal(quarter.get(a.id)!.numerator, 2)
    assert.equal(quarter.get(a.id)!.denominator, 3)
    assert.isNull(quarter.get(b.id)!.value)
    const stored = await db
      .from('spot_check_exams')
      .where('spot_check_id', drawn.body().data.id)
      .orderBy('exam_id')
    assert.deepEqual(
      stored.map((r: any) => Number(r.exam_id)),
      drawSample(ids, 5, 42)
    )
    const again = await (
      await app.container.make(SpotChecks)
    ).draw(await make.user('qc_officer'), { institutionId: a.id, days: 60, size: 5, seed: 42 })
    assert.deepEqual(again.examIds, drawn.body().data.examIds)
    const tooMany = await client
      .post('/api/v1/assessments/spot-checks')
      .bearerToken(token)
      .json({ institutionId: a.id, days: 60, size: 500 })
    tooMany.assertStatus(422)
  })

  test('an overdue action shows on the QC officer’s and the clinic head’s home pages; the next quarter shows it closed', async ({
    client,
    assert,
  }) => {
    const clock = useClock('2016-10-10T02:00:00Z')
    const a = await make.institution('member_clinic')
    const head = await make.user('clinic_staff', a)
    const nurse = await make.user('clinic_staff', a)
    await db
      .table('critical_value_contacts')
      .insert({ user_id: head.id, duty: 'clinic_head', assigned_at: '2016-01-01 00:00:00' })
    const qc = await make.user('qc_officer')
    const token = await apiToken(qc)
    const opened = await client.post('/api/v1/assessments/actions').bearerToken(token).json({
      institutionId: a.id,
      quarter: '2016-Q3',
      problem: '胸片废片率偏高',
      owner: '张院长',
      dueOn: '2016-10-31',
    })
    opened.assertStatus(200)
    const id = opened.body().data.id
    assert.notInclude((await client.get('/').loginAs(qc)).text(), '胸片废片率偏高')
    clock.set('2016-11-02T02:00:00Z')
    assert.include((await client.get('/').loginAs(qc)).text(), '胸片废片率偏高')
    assert.include((await client.get('/').loginAs(head)).text(), '胸片废片率偏高')
    assert.notInclude((await client.get('/').loginAs(nurse)).text(), '胸片废片率偏高')
    const followed = await client
      .post(`/api/v1/assessments/actions/${id}/follow-ups`)
      .bearerToken(await apiToken(head))
      .json({ followUp: '已组织摆位培训', close: true })
    followed.assertStatus(200)
    assert.equal(followed.body().data.status, 'closed')
    const after = await client
      .post(`/api/v1/assessments/actions/${id}/follow-ups`)
      .bearerToken(token)
      .json({ followUp: '再次跟进' })
    after.assertStatus(409)
    const next = await client
      .get(`/api/v1/assessments/clinics/${a.id}?quarter=2016-Q4`)
      .bearerToken(token)
    assert.equal(next.body().data.previousActions[0].status, 'closed')
    const other = await make.user('clinic_staff', await make.institution('member_clinic'))
    ;(
      await client
        .post(`/api/v1/assessments/actions/${id}/follow-ups`)
        .bearerToken(await apiToken(other))
        .json({ followUp: 'x' })
    ).assertStatus(404)
  })
})

/*
| The bulletin job writes committed rows (two "nodes" race for the lease, each on
| its own connection), so this group runs outside a global transaction and removes
| what it made.
*/
test.group('Assessments | the quarterly bulletin', (group) => {
  const made: { clinics: number[] } = { clinics: [] }
  group.each.teardown(async () => {
    app.container.restore(Clock)
    await db.from('qc_bulletin_openings').delete()
    await db.from('qc_bulletins').delete()
    await db.from('job_leases').where('name', draftQuarterlyBulletin.name).delete()
    // Left in place but no longer members (the run's setup empties every table anyway).
    if (made.clinics.length)
      await db.from('institutions').whereIn('id', made.clinics).update({ active: false })
  })

  test('two nodes run the job at once: exactly one bulletin, in Chinese, with the figures', async ({
    assert,
  }) => {
    useClock('2016-10-01T00:00:00Z')
    const a = await make.institution('member_clinic', { name: '青山镇卫生院' } as any)
    made.clinics.push(a.id)
    await imagedExam(a, {
      modality: 'DR',
      imagesAt: '2016-07-01T01:00:00',
      dueAt: '2016-07-01T01:30:00',
      signedAt: '2016-07-01T01:10:00',
    })
    await imagedExam(a, {
      modality: 'DR',
      imagesAt: '2016-07-02T01:00:00',
      dueAt: '2016-07-02T01:30:00',
      signedAt: '2016-07-02T03:10:00',
    })
    const nodeB = async () => {
      if (
        !(await acquireLease(draftQuarterlyBulletin.name, draftQuarterlyBulletin.leaseMs, 'node-b'))
      )
        return false
      try {
        await draftQuarterlyBulletin.run()
      } finally {
        await releaseLease(draftQuarterlyBulletin.name, 'node-b')
      }
      return true
    }
    const ran = await Promise.all([
      runExclusive(
        draftQuarterlyBulletin.name,
        draftQuarterlyBulletin.leaseMs,
        draftQuarterlyBulletin.run
      ),
      nodeB(),
    ])
    assert.equal(ran.filter(Boolean).length >= 1, true)
    // And the next morning's run finds it already there.
    await runExclusive(
      draftQuarterlyBulletin.name,
      draftQuarterlyBulletin.leaseMs,
      draftQuarterlyBulletin.run
    )
    const rows = await db.from('qc_bulletins').select('id', 'quarter', 'status', 'pdf')
    assert.lengthOf(rows, 1)
    assert.equal(rows[0].quarter, '2016-Q3')
    assert.equal(rows[0].status, 'draft')
    const dir = await mkdtemp(join(tmpdir(), 'bulletin-'))
    try {
      await writeFile(join(dir, 'b.pdf'), rows[0].pdf)
      const { stdout } = await run('pdftotext', ['-layout', join(dir, 'b.pdf'), '-'])
      assert.include(stdout, '医共体影像质控通报（2016-Q3）')
      assert.include(stdout, '青山镇卫生院')
      assert.include(stdout, '综合排名')
      assert.include(stdout, '报告时限内完成率')
      assert.include(stdout, '50.0%')
      assert.match(stdout, /50\.0%\s+1\s*\/\s*2/)
      if (Object.keys(DEFAULT_WEIGHTS).some((key) => !clinicIndicators.get(key)))
        assert.include(stdout, '尚未记录')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('publishing: read-only once published, refused twice; staff see it on their home page; openings are recorded', async ({
    client,
    assert,
  }) => {
    useClock('2016-10-01T00:00:00Z')
    const a = await make.institution('member_clinic')
    made.clinics.push(a.id)
    const nurse = await make.user('clinic_staff', a)
    const qc = await make.user('qc_officer')
    const qcToken = await apiToken(qc)
    const nurseToken = await apiToken(nurse)
    const drafted = await client.post('/api/v1/assessments/bulletins').bearerToken(qcToken)
    drafted.assertStatus(200)
    const id = drafted.body().data.id
    ;(await client.get(`/api/v1/assessments/bulletins/${id}`).bearerToken(nurseToken)).assertStatus(
      404
    )
    ;(
      await client.post(`/api/v1/assessments/bulletins/${id}/publish`).bearerToken(nurseToken)
    ).assertStatus(403)
    assert.notInclude((await client.get('/').loginAs(nurse)).text(), 'home-bulletin')
    ;(
      await client.post(`/api/v1/assessments/bulletins/${id}/publish`).bearerToken(qcToken)
    ).assertStatus(200)
    const twice = await client
      .post(`/api/v1/assessments/bulletins/${id}/publish`)
      .bearerToken(qcToken)
    twice.assertStatus(409)
    assert.equal(twice.body().errors[0].code, 'bulletin_published')
    ;(
      await client.post(`/api/v1/assessments/bulletins/${id}/redraft`).bearerToken(qcToken)
    ).assertStatus(409)
    const before = await db.from('qc_bulletins').where('id', id).select('figures').first()
    assert.include((await client.get('/').loginAs(nurse)).text(), 'home-bulletin')
    const pdf = await client.get(`/assessments/bulletins/${id}/pdf`).loginAs(nurse)
    pdf.assertStatus(200)
    assert.equal(pdf.header('content-type'), 'application/pdf')
    ;(await client.get(`/assessments/bulletins/${id}/pdf`).loginAs(nurse)).assertStatus(200)
    const openings = await db.from('qc_bulletin_openings').where('qc_bulletin_id', id)
    assert.lengthOf(openings, 1)
    assert.equal(openings[0].user_id, nurse.id)
    assert.equal(openings[0].times, 2)
    assert.equal(
      (await db.from('qc_bulletins').where('id', id).select('figures').first()).figures,
      before.figures
    )
  })
})
