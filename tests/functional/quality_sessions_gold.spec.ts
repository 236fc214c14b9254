import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import AuditEvent from '#models/audit_event'
import type User from '#models/user'
import * as make from '#tests/support/fixtures'
import { apiToken } from '#tests/support/http'
import { api, CT_REPORT, doctor, examWithImages, manualClock } from '#tests/support/reading'
import { currentChecklists } from '#app/quality/services/checklists'
import { QcSessions } from '#app/quality/services/qc_sessions'

/** A signed exam: written by a junior, signed by the given reviewer (a 中级 one by default). */
async function signedExam(reviewer?: User) {
  const clinic = await make.user('clinic_staff')
  const { exam } = await examWithImages(clinic, 'CT')
  const junior = await doctor('junior')
  const signer = reviewer ?? (await doctor('intermediate'))
  const juniorToken = await apiToken(junior)
  const claimed = await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, juniorToken)
  const submitted = await api(
    'POST',
    `/reading/exams/${exam.accessionNumber}/submit`,
    juniorToken,
    { ...CT_REPORT, revision: claimed.body.data.report.revision }
  )
  const signed = await api(
    'POST',
    `/reading/exams/${exam.accessionNumber}/sign`,
    await apiToken(signer),
    { revision: submitted.body.data.report.revision }
  )
  if (signed.status !== 200) throw new Error(JSON.stringify(signed.body))
  await exam.refresh()
  return { exam, junior, signer, clinic }
}

async function ticks(item: string, met: number) {
  const list = (await currentChecklists(DateTime.utc())).get(item as any)!
  return {
    checklistId: list.id,
    criteria: list.entries
      .filter((e) => e.kind === 'criterion')
      .slice(0, met)
      .map((e) => e.id),
    findings: [],
  }
}

test.group('Centralised QC sessions', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  let restore: () => void
  group.each.setup(() => {
    restore = manualClock().restore
    return () => restore()
  })

  test('a QC officer filters exams into a session, scores them in it, and closes it', async ({
    assert,
  }) => {
    const a = await signedExam()
    const b = await signedExam()
    const qc = await make.user('qc_officer')
    const token = await apiToken(qc)
    const listed = await api(
      'GET',
      `/quality/sessions?institutionId=${a.exam.institutionId}&modality=CT`,
      token
    )
    assert.equal(listed.status, 200, JSON.stringify(listed.body))
    assert.deepEqual(
      listed.body.candidates.map((c: any) => c.id),
      [a.exam.id]
    )

    const opened = await api('POST', '/quality/sessions', token, {
      title: '周一晨会',
      purpose: '晨会读片',
      modality: 'CT',
    })
    assert.equal(opened.status, 200, JSON.stringify(opened.body))
    assert.includeMembers(opened.body.data.examIds, [a.exam.id, b.exam.id])
    const sessionId = opened.body.data.id

    const scored = await api('POST', `/quality/exams/${a.exam.accessionNumber}/scores`, token, {
      item: 'report_quality',
      ...(await ticks('report_quality', 4)),
      mode: 'centralised',
      sessionId,
    })
    assert.equal(scored.status, 200, JSON.stringify(scored.body))
    const session = await api('GET', `/quality/sessions/${sessionId}`, token)
    assert.isTrue(session.body.data.exams.find((e: any) => e.id === a.exam.id).done)
    assert.isFalse(session.body.data.exams.find((e: any) => e.id === b.exam.id).done)

    const closed = await api('POST', `/quality/sessions/${sessionId}/close`, token)
    assert.equal(closed.body.data.status, 'closed')
    const again = await api('POST', `/quality/sessions/${sessionId}/close`, token)
    assert.equal(again.status, 409)
    assert.equal(again.body.errors[0].code, 'session_closed')
  })

  test('open() from a list of exam ids, as the assessments call it; bad lists are refused', async ({
    assert,
  }) => {
    const a = await signedExam()
    const qc = await make.user('qc_officer')
    const sessions = await app.container.make(QcSessions)
    const session = await sessions.open({
      title: '季度考核抽查',
      purpose: 'C 9.3',
      examIds: [a.exam.id, a.exam.id],
      openedBy: qc.id,
    })
    assert.deepEqual(session.examIds, [a.exam.id])
    assert.equal(session.status, 'open')
    await assert.rejects(() => sessions.open({ title: 'x', examIds: [a.exam.id], openedBy: qc.id }))
    await assert.rejects(() => sessions.open({ title: '空会话', examIds: [], openedBy: qc.id }))
    await assert.rejects(() =>
      sessions.open({ title: '不存在', examIds: [999999999], openedBy: qc.id })
    )
    assert.lengthOf(await db.from('qc_sessions'), 1)
  })

  test('a random sample of N is reproducible and N long; a reader cannot open sessions', async ({
    assert,
  }) => {
    for (let i = 0; i < 3; i++) await signedExam()
    const qc = await make.user('qc_officer')
    const sessions = await app.container.make(QcSessions)
    const first = await sessions.candidates({ modality: 'CT', sample: 2 })
    const second = await sessions.candidates({ modality: 'CT', sample: 2 })
    assert.lengthOf(first, 2)
    assert.deepEqual(first, second)
    const reader = await doctor('senior')
    const refused = await api('POST', '/quality/sessions', await apiToken(reader), {
      title: '晨会',
      modality: 'CT',
    })
    assert.equal(refused.status, 403)
    assert.isOk(
      await AuditEvent.query()
        .where('action', 'quality.session_open')
        .where('outcome', 'denied')
        .first()
    )
    assert.isOk(qc)
  })
})

test.group('Gold standard', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  let restore: () => void
  group.each.setup(() => {
    restore = manualClock().restore
    return () => restore()
  })

  test('two seniors agree: decided with their score; blind to each other until then', async ({
    assert,
  }) => {
    const { exam } = await signedExam()
    const qc = await make.user('qc_officer')
    const [s1, s2] = [await doctor('senior'), await doctor('senior')]
    const opened = await api(
      'POST',
      `/quality/exams/${exam.accessionNumber}/gold`,
      await apiToken(qc),
      { item: 'report_quality', firstReviewerId: s1.id, secondReviewerId: s2.id }
    )
    assert.equal(opened.status, 200, JSON.stringify(opened.body))
    const goldId = opened.body.data.id
    const t1 = await apiToken(s1)
    const t2 = await apiToken(s2)

    const first = await api(
      'POST',
      `/quality/gold/${goldId}/review`,
      t1,
      await ticks('report_quality', 3)
    )
    assert.equal(first.status, 200, JSON.stringify(first.body))
    assert.equal(first.body.data.status, 'reviewing')
    // The second reviewer sees neither the first's score, nor who they are, nor the author or clinic.
    const blind = await api('GET', `/quality/gold/${goldId}`, t2)
    assert.equal(blind.status, 200)
    assert.lengthOf(blind.body.data.scores, 0)
    assert.equal(blind.body.data.gold.firstReviewerId, 0)
    const text = JSON.stringify(blind.body)
    assert.notInclude(text, 'institution')
    assert.notInclude(text, 'author')
    // Not a participant: 404.
    const outsider = await api(
      'GET',
      `/quality/gold/${goldId}`,
      await apiToken(await doctor('senior'))
    )
    assert.equal(outsider.status, 404)

    const second = await api(
      'POST',
      `/quality/gold/${goldId}/review`,
      t2,
      await ticks('report_quality', 3)
    )
    assert.deepEqual(
      { status: second.body.data.status, finalScore: second.body.data.finalScore },
      { status: 'decided', finalScore: 4 }
    )
    const after = await api('GET', `/quality/gold/${goldId}`, t2)
    assert.lengthOf(after.body.data.scores, 2)
    const twice = await api(
      'POST',
      `/quality/gold/${goldId}/review`,
      t2,
      await ticks('report_quality', 3)
    )
    assert.equal(twice.status, 409)
    assert.lengthOf(
      await AuditEvent.query().where('action', 'quality.gold_review').where('outcome', 'success'),
      2
    )
  })

  test('the seniors disagree: a third senior arbitrates and the result keeps all three', async ({
    assert,
  }) => {
    const { exam } = await signedExam()
    const qc = await make.user('qc_officer')
    const [s1, s2, s3] = [await doctor('senior'), await doctor('senior'), await doctor('senior')]
    const opened = await api(
      'POST',
      `/quality/exams/${exam.accessionNumber}/gold`,
      await apiToken(qc),
      { item: 'report_quality', firstReviewerId: s1.id, secondReviewerId: s2.id }
    )
    const goldId = opened.body.data.id
    await api(
      'POST',
      `/quality/gold/${goldId}/review`,
      await apiToken(s1),
      await ticks('report_quality', 4)
    )
    const second = await api(
      'POST',
      `/quality/gold/${goldId}/review`,
      await apiToken(s2),
      await ticks('report_quality', 1)
    )
    assert.equal(second.body.data.status, 'arbitration')
    // The arbiter cannot score before being named; then decides.
    const t3 = await apiToken(s3)
    assert.equal(
      (await api('POST', `/quality/gold/${goldId}/review`, t3, await ticks('report_quality', 3)))
        .status,
      404
    )
    const assigned = await api('POST', `/quality/gold/${goldId}/arbiter`, await apiToken(qc), {
      arbiterId: s3.id,
    })
    assert.equal(assigned.status, 200, JSON.stringify(assigned.body))
    const arbiterView = await api('GET', `/quality/gold/${goldId}`, t3)
    assert.lengthOf(arbiterView.body.data.scores, 2)
    const decided = await api(
      'POST',
      `/quality/gold/${goldId}/review`,
      t3,
      await ticks('report_quality', 3)
    )
    assert.deepEqual(
      { status: decided.body.data.status, finalScore: decided.body.data.finalScore },
      { status: 'decided', finalScore: 4 }
    )
    const scores = await db.from('qc_scores').where('gold_case_id', goldId).orderBy('id')
    assert.deepEqual(
      scores.map((s: any) => [s.scorer_id, s.mode, s.score]),
      [
        [s1.id, 'gold', 5],
        [s2.id, 'gold', 2],
        [s3.id, 'arbitration', 4],
      ]
    )
  })

  test('nobody reviews their own work; reviewers must be senior and different', async ({
    assert,
  }) => {
    const signer = await doctor('senior')
    const { exam } = await signedExam(signer)
    const qc = await make.user('qc_officer')
    const token = await apiToken(qc)
    const other = await doctor('senior')
    const own = await api('POST', `/quality/exams/${exam.accessionNumber}/gold`, token, {
      item: 'review_quality',
      firstReviewerId: signer.id,
      secondReviewerId: other.id,
    })
    assert.equal(own.status, 422)
    assert.equal(own.body.errors[0].code, 'gold_own_work')
    const junior = await doctor('intermediate')
    const notSenior = await api('POST', `/quality/exams/${exam.accessionNumber}/gold`, token, {
      item: 'report_quality',
      firstReviewerId: junior.id,
      secondReviewerId: other.id,
    })
    assert.equal(notSenior.body.errors[0].code, 'gold_not_senior')
    const same = await api('POST', `/quality/exams/${exam.accessionNumber}/gold`, token, {
      item: 'report_quality',
      firstReviewerId: other.id,
      secondReviewerId: other.id,
    })
    assert.equal(same.body.errors[0].code, 'gold_same_reviewer')
    assert.lengthOf(await db.from('qc_gold_cases'), 0)
  })
})
