import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Exam from '#models/exam'
import AuditEvent from '#models/audit_event'
import type User from '#models/user'
import * as make from '#tests/support/fixtures'
import { apiToken } from '#tests/support/http'
import {
  api,
  CT_REPORT,
  doctor,
  examWithImages,
  manualClock,
  revisionOf,
} from '#tests/support/reading'
import { currentChecklists, reviseChecklist, setRoleItems } from '#app/quality/services/checklists'
import { saveSamplingRule } from '#app/quality/services/forced_qc'
import { DomainRefusal } from '#app/platform/domain_refusal'

/** An exam written by a junior and submitted: it waits for a 中级 reviewer's signature. */
async function submittedExam(modality: 'CT' | 'DR' = 'CT') {
  const clinic = await make.user('clinic_staff')
  const { exam } = await examWithImages(clinic, modality)
  const junior = await doctor('junior')
  const reviewer = await doctor('intermediate')
  const juniorToken = await apiToken(junior)
  const claimed = await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, juniorToken)
  const submitted = await api(
    'POST',
    `/reading/exams/${exam.accessionNumber}/submit`,
    juniorToken,
    { ...CT_REPORT, revision: claimed.body.data.report.revision }
  )
  if (submitted.status !== 200) throw new Error(JSON.stringify(submitted.body))
  return { clinic, exam, junior, reviewer, juniorToken, reviewerToken: await apiToken(reviewer) }
}

async function forceAll(by: User, modality = 'CT') {
  await saveSamplingRule({ modality, ratePercent: 100, seed: 'test' }, by.id, DateTime.utc())
}

/** A score as the form sends it: the criteria met by their position in the current checklist. */
async function scoreBody(item: string, met: number, severe = 0) {
  const list = (await currentChecklists(DateTime.utc())).get(item as any)!
  return {
    item,
    checklistId: list.id,
    criteria: list.entries
      .filter((e) => e.kind === 'criterion')
      .slice(0, met)
      .map((e) => e.id),
    findings: list.entries
      .filter((e) => e.kind === 'severe' || e.kind === 'finding')
      .slice(0, severe)
      .map((e) => e.id),
    note: severe ? '摆位不当' : undefined,
  }
}

test.group('Random (forced) QC blocks the signature', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  let restore: () => void
  group.each.setup(() => {
    restore = manualClock().restore
    return () => restore()
  })

  test('API: a marked exam is refused a signature until its image items are scored, then signs', async ({
    assert,
  }) => {
    const qc = await make.user('qc_officer')
    await forceAll(qc)
    const { exam, reviewer, reviewerToken } = await submittedExam()
    const revision = await revisionOf(exam)

    const reading = await api('GET', `/reading/exams/${exam.accessionNumber}`, reviewerToken)
    assert.isTrue(reading.body.data.qc.marked)
    assert.deepEqual(reading.body.data.qc.missing, ['image_quality', 'film_layout'])

    const refused = await api(
      'POST',
      `/reading/exams/${exam.accessionNumber}/sign`,
      reviewerToken,
      { revision }
    )
    assert.equal(refused.status, 409, JSON.stringify(refused.body))
    assert.equal(refused.body.errors[0].code, 'qc_required')
    assert.equal((await Exam.findOrFail(exam.id)).status, 'pending_review')
    const denied = await AuditEvent.query()
      .where('action', 'report.sign')
      .where('target_id', String(exam.id))
      .firstOrFail()
    assert.equal(denied.outcome, 'refused')

    const first = await api(
      'POST',
      `/quality/exams/${exam.accessionNumber}/scores`,
      reviewerToken,
      { ...(await scoreBody('image_quality', 4)), mode: 'random' }
    )
    assert.equal(first.status, 200, JSON.stringify(first.body))
    assert.include(first.body.data, { score: 4, band: 'good', passed: true })
    // One item is not enough.
    assert.equal(
      (
        await api('POST', `/reading/exams/${exam.accessionNumber}/sign`, reviewerToken, {
          revision,
        })
      ).status,
      409
    )
    const second = await api(
      'POST',
      `/quality/exams/${exam.accessionNumber}/scores`,
      reviewerToken,
      { ...(await scoreBody('film_layout', 4, 1)), mode: 'random' }
    )
    assert.include(second.body.data, { score: 1, band: 'fail', passed: false })

    const signed = await api('POST', `/reading/exams/${exam.accessionNumber}/sign`, reviewerToken, {
      revision,
    })
    assert.equal(signed.status, 200, JSON.stringify(signed.body))
    assert.equal(signed.body.data.status, 'signed')
    const scores = await db.from('qc_scores').where('exam_id', exam.id).orderBy('id')
    assert.deepEqual(
      scores.map((s: any) => [s.item, s.score, s.mode, s.scorer_id, s.institution_id]),
      [
        ['image_quality', 4, 'random', reviewer.id, exam.institutionId],
        ['film_layout', 1, 'random', reviewer.id, exam.institutionId],
      ]
    )
    const audited = await AuditEvent.query()
      .where('action', 'quality.score')
      .where('target_id', String(exam.id))
    assert.lengthOf(audited, 2)
  })

  test('HTTP: the sign form comes back with the QC form; once completed the signature goes through', async ({
    client,
    assert,
  }) => {
    const qc = await make.user('qc_officer')
    await forceAll(qc)
    const { exam, reviewer } = await submittedExam()
    const revision = await revisionOf(exam)

    const refused = await client
      .post(`/reading/exams/${exam.id}/sign`)
      .loginAs(reviewer)
      .withCsrfToken()
      .header('referer', `/reading/exams/${exam.id}`)
      .form({ revision })
      .redirects(0)
    assert.equal(refused.status(), 302)
    assert.equal((await Exam.findOrFail(exam.id)).status, 'pending_review')
    const page = await client.get(`/reading/exams/${exam.id}`).loginAs(reviewer)
    assert.include(page.text(), 'id="qc-required"')
    assert.include(page.text(), 'data-item="image_quality"')
    assert.include(page.text(), 'data-item="film_layout"')

    for (const item of ['image_quality', 'film_layout']) {
      const body = await scoreBody(item, 4)
      const posted = await client
        .post(`/quality/exams/${exam.id}/scores`)
        .loginAs(reviewer)
        .withCsrfToken()
        .form({
          item,
          checklistId: body.checklistId,
          criteria: body.criteria,
          mode: 'random',
          returnTo: `/reading/exams/${exam.id}`,
        })
        .redirects(0)
      assert.equal(posted.status(), 302)
      assert.equal(posted.header('location'), `/reading/exams/${exam.id}`)
    }
    const after = await client.get(`/reading/exams/${exam.id}`).loginAs(reviewer)
    assert.include(after.text(), 'id="qc-done"')
    const signed = await client
      .post(`/reading/exams/${exam.id}/sign`)
      .loginAs(reviewer)
      .withCsrfToken()
      .form({ revision })
      .redirects(0)
    assert.equal(signed.status(), 302)
    assert.equal((await Exam.findOrFail(exam.id)).status, 'signed')
  })

  test('an exam the rule does not draw signs at once; the mark is kept when the rule changes', async ({
    assert,
  }) => {
    const qc = await make.user('qc_officer')
    await saveSamplingRule({ modality: 'CT', ratePercent: 0, seed: 'none' }, qc.id, DateTime.utc())
    const { exam, reviewerToken } = await submittedExam()
    const reading = await api('GET', `/reading/exams/${exam.accessionNumber}`, reviewerToken)
    assert.isFalse(reading.body.data.qc.marked)
    await forceAll(qc)
    const signed = await api('POST', `/reading/exams/${exam.accessionNumber}/sign`, reviewerToken, {
      revision: await revisionOf(exam),
    })
    assert.equal(signed.status, 200, JSON.stringify(signed.body))
  })

  test('a sampling rate outside 0..100 % is refused and nothing is saved', async ({ assert }) => {
    const qc = await make.user('qc_officer')
    for (const rate of [-1, 100.5, 250]) {
      const error = await saveSamplingRule({ ratePercent: rate }, qc.id, DateTime.utc()).catch(
        (e) => e
      )
      assert.instanceOf(error, DomainRefusal)
      assert.equal(error.code, 'rate_out_of_range')
    }
    assert.lengthOf(await db.from('qc_sampling_rules'), 0)
  })
})

test.group('QC form refusals', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  let restore: () => void
  group.each.setup(() => {
    restore = manualClock().restore
    return () => restore()
  })

  test('the score is computed on the server from the ticks; a typed score is ignored', async ({
    assert,
  }) => {
    const { exam } = await submittedExam()
    const qc = await make.user('qc_officer')
    const token = await apiToken(qc)
    const scored = await api('POST', `/quality/exams/${exam.accessionNumber}/scores`, token, {
      ...(await scoreBody('image_quality', 2)),
      score: 5,
    })
    assert.equal(scored.status, 200, JSON.stringify(scored.body))
    assert.include(scored.body.data, { score: 3, band: 'pass' })
    const report = await api(
      'POST',
      `/quality/exams/${exam.accessionNumber}/scores`,
      token,
      await scoreBody('report_quality', 3)
    )
    assert.include(report.body.data, { score: 4, band: 'good' })
    const row = await db.from('qc_scores').where('id', report.body.data.id).first()
    assert.equal(
      row.scored_user_id,
      (await db.from('report_versions').where('exam_id', exam.id).first()).author_id
    )
  })

  test('scoring one’s own work is refused (403) and saves nothing', async ({ assert }) => {
    const { exam, juniorToken } = await submittedExam()
    const refused = await api(
      'POST',
      `/quality/exams/${exam.accessionNumber}/scores`,
      juniorToken,
      await scoreBody('report_quality', 4)
    )
    assert.equal(refused.status, 403, JSON.stringify(refused.body))
    assert.equal(refused.body.errors[0].code, 'own_work')
    assert.lengthOf(await db.from('qc_scores').where('exam_id', exam.id), 0)
  })

  test('a finding of another checklist version, or an outdated version, is refused', async ({
    assert,
  }) => {
    const { exam } = await submittedExam()
    const qc = await make.user('qc_officer')
    const token = await apiToken(qc)
    const image = await scoreBody('image_quality', 5)
    const film = await scoreBody('film_layout', 4)
    const foreign = await api('POST', `/quality/exams/${exam.accessionNumber}/scores`, token, {
      ...image,
      criteria: [...image.criteria.slice(0, 4), film.criteria[0]],
    })
    assert.equal(foreign.status, 422)
    assert.equal(foreign.body.errors[0].code, 'foreign_entry')

    // A QC administrator adds 造影剂充盈度 (Q 6.2): version 2; the form of version 1 is refused.
    const v1 = (await currentChecklists(DateTime.utc())).get('image_quality')!
    const revised = await reviseChecklist(
      'image_quality',
      [
        ...v1.entries.map((e) => ({ kind: e.kind, no: e.no, text: e.text })),
        { kind: 'criterion', no: 6, text: '造影剂充盈度良好' },
      ],
      qc.id,
      DateTime.utc()
    )
    assert.equal(revised.version, 2)
    const outdated = await api(
      'POST',
      `/quality/exams/${exam.accessionNumber}/scores`,
      token,
      image
    )
    assert.equal(outdated.status, 409)
    assert.equal(outdated.body.errors[0].code, 'checklist_outdated')
    const fresh = await api(
      'POST',
      `/quality/exams/${exam.accessionNumber}/scores`,
      token,
      await scoreBody('image_quality', 5)
    )
    // 5 of 6 criteria on the deduction rule: 4.
    assert.include(fresh.body.data, { score: 4, checklistVersion: 2 })
    assert.lengthOf(await db.from('qc_scores').where('exam_id', exam.id), 1)
  })

  test('an exam one may not see answers 404 (audited); a role without QC items is refused 403', async ({
    assert,
  }) => {
    const { exam } = await submittedExam()
    await currentChecklists(DateTime.utc())
    // Graded QC gives clinic staff the application form; another clinic's exam is still not theirs.
    await setRoleItems('clinic_staff', ['application_form'])
    const other = await make.user('clinic_staff')
    const refused = await api(
      'POST',
      `/quality/exams/${exam.accessionNumber}/scores`,
      await apiToken(other),
      await scoreBody('application_form', 0)
    )
    assert.equal(refused.status, 404)
    const audit = await AuditEvent.query()
      .where('action', 'quality.score')
      .where('outcome', 'denied')
      .firstOrFail()
    assert.equal(audit.targetId, String(exam.id))
    assert.lengthOf(await db.from('qc_scores'), 0)

    await setRoleItems('clinic_staff', [])
    const admin = await make.user('admin')
    const forbidden = await api(
      'POST',
      `/quality/exams/${exam.accessionNumber}/scores`,
      await apiToken(admin),
      await scoreBody('application_form', 0)
    )
    assert.equal(forbidden.status, 403)
    // A reading doctor is not given the review item by default (graded QC).
    const doc = await doctor('senior')
    const notTheirs = await api(
      'POST',
      `/quality/exams/${exam.accessionNumber}/scores`,
      await apiToken(doc),
      await scoreBody('review_quality', 4)
    )
    assert.equal(notTheirs.status, 403)
    assert.equal(notTheirs.body.errors[0].code, 'item_not_yours')
  })
})

test.group('QC administration', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a QC administrator adds a criterion (new version, old kept); a reader may not', async ({
    assert,
  }) => {
    const qc = await make.user('qc_officer')
    const token = await apiToken(qc)
    const listed = await api('GET', '/quality/checklists', token)
    assert.equal(listed.status, 200)
    const image = listed.body.data.find((c: any) => c.item === 'image_quality')
    assert.equal(image.version, 1)
    const entries = [
      ...image.entries.map((e: any) => ({ kind: e.kind, text: e.text })),
      { kind: 'criterion', text: '造影剂充盈度：充盈良好' },
    ]
    const saved = await api('PUT', '/quality/checklists/image_quality', token, { entries })
    assert.equal(saved.status, 200, JSON.stringify(saved.body))
    assert.equal(saved.body.data.version, 2)
    assert.match(saved.body.data.rule, /^6 criteria: 6 met = 5; each one not met takes 1 off/)
    assert.lengthOf(await db.from('qc_checklists').where('item', 'image_quality'), 2)

    const reader = await doctor('senior')
    const refused = await api('PUT', '/quality/checklists/image_quality', await apiToken(reader), {
      entries,
    })
    assert.equal(refused.status, 403)
    assert.isOk(
      await AuditEvent.query()
        .where('action', 'quality.checklist_revise')
        .where('outcome', 'denied')
        .first()
    )
  })

  test('a sampling rate outside 0..100 % over HTTP: 422, audited, nothing saved', async ({
    assert,
  }) => {
    const qc = await make.user('qc_officer')
    const refused = await api('POST', '/quality/sampling', await apiToken(qc), {
      modality: 'CT',
      ratePercent: 120,
    })
    assert.equal(refused.status, 422)
    assert.equal(refused.body.errors[0].code, 'rate_out_of_range')
    assert.isOk(
      await AuditEvent.query()
        .where('action', 'quality.sampling_save')
        .where('outcome', 'refused')
        .first()
    )
    assert.lengthOf(await db.from('qc_sampling_rules'), 0)
    const saved = await api('POST', '/quality/sampling', await apiToken(qc), {
      modality: 'CT',
      ratePercent: 12.5,
    })
    assert.equal(saved.status, 200)
    assert.equal(Number((await db.from('qc_sampling_rules').first()).rate_percent), 12.5)
  })
})
