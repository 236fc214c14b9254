import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import AuditEvent from '#models/audit_event'
import Consultation from '#app/consultation/models/consultation'
import ConsultationOpinion from '#app/consultation/models/consultation_opinion'
import ConsultationMessage from '#app/consultation/models/consultation_message'
import { Clock, ManualClock } from '#app/platform/clock'
import { ConsultationEscalation } from '#app/consultation/services/consultation_escalation'
import * as make from '#tests/support/fixtures'
import { apiToken } from '#tests/support/http'
import { examWithImages, openTab, settle } from '#tests/support/critical_values'
import { consultationScene, onDutyDesk, requested } from '#tests/support/consultation'

/*
| Remote consultation (C 4.2.3) over HTTP and the live channel: request →
| assignment by the duty roster → live notification → signed opinion back to
| the requester; the fast track's escalation on a ManualClock; the thread;
| amendments as versions; every refusal the issue names.
*/

const countOf = async (model: any, column: string, id: number) =>
  Number((await model.query().where(column, id).count('* as n'))[0].$extras.n)
const lastAudit = (action: string) =>
  AuditEvent.query().where('action', action).orderBy('id', 'desc').first()

test.group('Consultation · request, assignment, opinion', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.teardown(() => app.container.restore(Clock))

  test('a clinic asks on a fast track; the duty-desk consultant is told live, answers, and the clinic gets the opinion live', async ({
    assert,
    client,
  }) => {
    const { clinicUser, consultant, exam } = await consultationScene()
    const clock = new ManualClock('2026-11-22T15:50:00Z')
    app.container.swap(Clock, () => clock)
    const consultantTab = await openTab(consultant)
    const clinicTab = await openTab(clinicUser)
    try {
      const form = await client.get(`/exams/${exam.id}/consultations/new`).loginAs(clinicUser)
      form.assertStatus(200)
      assert.include(form.text(), 'name="urgency"')
      assert.include(form.text(), '会诊意见仅供参考')

      const asked = await client
        .post(`/exams/${exam.id}/consultations`)
        .loginAs(clinicUser)
        .withCsrfToken()
        .form({
          question: '左侧基底节区低密度影性质？',
          clinicalSummary: '突发右侧肢体无力2小时',
          urgency: 'fast_track',
          requestKey: randomUUID(),
        })
        .redirects(0)
      asked.assertStatus(302)
      const consultation = await Consultation.query().where('exam_id', exam.id).firstOrFail()
      asked.assertHeader('location', `/consultations/${consultation.id}`)
      assert.equal(consultation.consultantId, consultant.id)
      assert.equal(consultation.urgency, 'fast_track')
      // C 4.2.3: the fast track's time limit, 30 minutes by default.
      assert.equal(consultation.dueAt.toMillis(), clock.now().plus({ minutes: 30 }).toMillis())
      const pushed = await consultantTab.next(
        'consultation:assigned',
        (p) => p.id === consultation.id
      )
      assert.equal(pushed.urgency, 'fast_track')
      assert.equal((await lastAudit('consultation.request'))?.targetId, String(consultation.id))

      const page = await client.get(`/consultations/${consultation.id}`).loginAs(consultant)
      page.assertStatus(200)
      assert.include(page.text(), 'action="/consultations/' + consultation.id + '/opinion"')
      assert.include(page.text(), '左侧基底节区低密度影性质？')
      assert.include(page.text(), 'data-advice-notice')

      const answered = await client
        .post(`/consultations/${consultation.id}/opinion`)
        .header('Accept', 'application/json')
        .loginAs(consultant)
        .withCsrfToken()
        .json({
          opinion: '左侧基底节区急性腔隙性脑梗死。',
          recommendation: '建议行头颅 MRI DWI 序列',
        })
      answered.assertStatus(201)
      const news = await clinicTab.next('consultation:answered', (p) => p.id === consultation.id)
      assert.equal(news.opinion, '左侧基底节区急性腔隙性脑梗死。')
      await consultation.refresh()
      assert.equal(consultation.status, 'answered')
      const clinicPage = await client.get(`/consultations/${consultation.id}`).loginAs(clinicUser)
      assert.include(clinicPage.text(), '左侧基底节区急性腔隙性脑梗死。')
      assert.notInclude(clinicPage.text(), '/opinion"')
    } finally {
      consultantTab.close()
      clinicTab.close()
    }
  })

  test('the least loaded duty-desk consultant gets a new request, never the requester; with no desk named the seniors stand in', async ({
    assert,
  }) => {
    const lead = await make.institution('lead_hospital')
    const busy = await onDutyDesk(await make.user('radiologist', lead))
    const free = await onDutyDesk(await make.user('radiologist', lead))
    const clinicUser = await make.user('clinic_staff')
    const first = await requested(clinicUser, (await examWithImages(clinicUser)).exam)
    const second = await requested(clinicUser, (await examWithImages(clinicUser)).exam)
    assert.sameMembers([first.consultantId, second.consultantId], [busy.id, free.id])
    // A lead reader asking is never their own consultant.
    const third = await requested(busy, (await examWithImages(clinicUser)).exam)
    assert.equal(third.consultantId, free.id)
  })

  test('a signed opinion is never edited: an amendment is version 2 with its reason, version 1 stays', async ({
    assert,
    client,
  }) => {
    const { clinicUser, consultant, exam } = await consultationScene()
    const consultation = await requested(clinicUser, exam, 'routine')
    await client
      .post(`/consultations/${consultation.id}/opinion`)
      .header('Accept', 'application/json')
      .loginAs(consultant)
      .withCsrfToken()
      .json({ opinion: '考虑陈旧性梗死' })
    const amended = await client
      .post(`/consultations/${consultation.id}/amend`)
      .header('Accept', 'application/json')
      .loginAs(consultant)
      .withCsrfToken()
      .json({ opinion: '考虑急性梗死', reason: '复阅 DWI 后更正' })
    amended.assertStatus(201)
    const versions = await ConsultationOpinion.query()
      .where('consultation_id', consultation.id)
      .orderBy('version_no')
    assert.deepEqual(
      versions.map((v) => [v.versionNo, v.opinion, v.amendmentReason]),
      [
        [1, '考虑陈旧性梗死', null],
        [2, '考虑急性梗死', '复阅 DWI 后更正'],
      ]
    )
    // Only the author amends.
    const other = await make.user('radiologist', await make.institution('lead_hospital'), {
      title: 'senior',
    })
    const refused = await client
      .post(`/consultations/${consultation.id}/amend`)
      .header('Accept', 'application/json')
      .loginAs(other)
      .withCsrfToken()
      .json({ opinion: '另一意见', reason: '不同意' })
    refused.assertStatus(403)
    assert.equal(await countOf(ConsultationOpinion, 'consultation_id', consultation.id), 2)
  })

  test('the thread: the consultant asks, the clinic sees it live and answers, the consultant sees that live', async ({
    assert,
    client,
  }) => {
    const { clinicUser, consultant, exam } = await consultationScene()
    const consultation = await requested(clinicUser, exam)
    const clinicTab = await openTab(clinicUser)
    const consultantTab = await openTab(consultant)
    try {
      const asked = await client
        .post(`/consultations/${consultation.id}/messages`)
        .header('Accept', 'application/json')
        .loginAs(consultant)
        .withCsrfToken()
        .json({ body: '患者既往有无房颤病史？' })
      asked.assertStatus(201)
      const seen = await clinicTab.next(
        'consultation:message',
        (p) => p.consultationId === consultation.id
      )
      assert.equal(seen.body, '患者既往有无房颤病史？')
      await client
        .post(`/consultations/${consultation.id}/messages`)
        .header('Accept', 'application/json')
        .loginAs(clinicUser)
        .withCsrfToken()
        .json({ body: '有房颤病史5年' })
      const reply = await consultantTab.next(
        'consultation:message',
        (p) => p.body === '有房颤病史5年'
      )
      assert.equal(reply.consultationId, consultation.id)
      const page = await client.get(`/consultations/${consultation.id}`).loginAs(clinicUser)
      page.assertStatus(200)
      assert.include(page.text(), '患者既往有无房颤病史？')
      assert.include(page.text(), '有房颤病史5年')
    } finally {
      clinicTab.close()
      consultantTab.close()
    }
  })

  test('the API: request by accession number, list, one consultation with its opinion and thread', async ({
    assert,
    client,
  }) => {
    const { clinicUser, consultant, exam } = await consultationScene()
    const made = await client
      .post(`/api/v1/exams/${exam.accessionNumber}/consultations`)
      .header('Authorization', `Bearer ${await apiToken(clinicUser)}`)
      .json({
        question: '肺结节性质？',
        clinicalSummary: '体检发现',
        urgency: 'routine',
        requestKey: randomUUID(),
      })
    made.assertStatus(201)
    assert.equal(made.body().consultantId, consultant.id)
    assert.equal(made.body().status, 'open')
    const list = await client
      .get('/api/v1/consultations')
      .header('Authorization', `Bearer ${await apiToken(consultant)}`)
    list.assertStatus(200)
    assert.include(
      list.body().data.map((c: any) => c.id),
      made.body().id
    )
    const one = await client
      .get(`/api/v1/consultations/${made.body().id}`)
      .header('Authorization', `Bearer ${await apiToken(clinicUser)}`)
    one.assertStatus(200)
    assert.equal(one.body().question, '肺结节性质？')
    assert.isArray(one.body().messages)
  })
})

test.group('Consultation · fast track escalation on the clock', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.teardown(() => app.container.restore(Clock))

  test('unanswered at 30 minutes it goes to the duty desk, at 45 to the head of department, each step once', async ({
    assert,
  }) => {
    const clock = new ManualClock('2026-11-22T16:10:00Z')
    app.container.swap(Clock, () => clock)
    const { clinicUser, consultant, head, exam } = await consultationScene()
    const consultation = await requested(clinicUser, exam, 'fast_track')
    const escalation = await app.container.make(ConsultationEscalation)
    const deskTab = await openTab(consultant)
    const headTab = await openTab(head)
    try {
      clock.advance({ minutes: 29, seconds: 59 })
      assert.deepEqual(await escalation.escalateOverdue(), { escalated: 0 })

      clock.advance({ seconds: 1 })
      assert.deepEqual(await escalation.escalateOverdue(), { escalated: 1 })
      await consultation.refresh()
      assert.equal(consultation.escalationLevel, 1)
      assert.equal(
        (await deskTab.next('consultation:assigned', (p) => p.reason === 'escalated')).id,
        consultation.id
      )
      assert.deepEqual(await escalation.escalateOverdue(), { escalated: 0 })

      clock.advance({ minutes: 15 })
      assert.deepEqual(await escalation.escalateOverdue(), { escalated: 1 })
      await consultation.refresh()
      assert.equal(consultation.escalationLevel, 2)
      assert.equal(
        (await headTab.next('consultation:assigned', (p) => p.reason === 'head_of_department')).id,
        consultation.id
      )
      const lines = await ConsultationMessage.query()
        .where('consultation_id', consultation.id)
        .where('kind', 'system')
        .orderBy('id')
      assert.deepEqual(
        lines.map((l) => l.body.split(':')[0]),
        ['assigned', 'escalated_desk', 'escalated_head']
      )
      const audited = await AuditEvent.query()
        .where('action', 'consultation.escalate')
        .where('target_id', String(consultation.id))
      assert.lengthOf(audited, 2)
    } finally {
      deskTab.close()
      headTab.close()
    }
  })

  test('a routine request has 24 hours; an answered one never escalates', async ({ assert }) => {
    const clock = new ManualClock('2026-11-22T23:30:00Z')
    app.container.swap(Clock, () => clock)
    const { clinicUser, exam, consultant } = await consultationScene()
    const consultation = await requested(clinicUser, exam, 'routine')
    assert.equal(consultation.dueAt.toMillis(), clock.now().plus({ hours: 24 }).toMillis())
    const escalation = await app.container.make(ConsultationEscalation)
    clock.advance({ hours: 23, minutes: 59 })
    assert.deepEqual(await escalation.escalateOverdue(), { escalated: 0 })
    const { Consultations } = await import('#app/consultation/services/consultations')
    await (
      await app.container.make(Consultations)
    ).answer(consultant, consultation, { opinion: '良性病变可能' })
    clock.advance({ hours: 2 })
    assert.deepEqual(await escalation.escalateOverdue(), { escalated: 0 })
  })

  test('after escalation the head of department takes it over and answers; before it a colleague may not', async ({
    assert,
    client,
  }) => {
    const clock = new ManualClock('2026-11-22T08:00:00Z')
    app.container.swap(Clock, () => clock)
    const { clinicUser, head, exam } = await consultationScene()
    const consultation = await requested(clinicUser, exam, 'fast_track')
    const early = await client
      .post(`/consultations/${consultation.id}/take`)
      .header('Accept', 'application/json')
      .loginAs(head)
      .withCsrfToken()
    early.assertStatus(409)
    assert.equal(early.body().errors[0].code, 'not_overdue')
    clock.advance({ minutes: 31 })
    await (await app.container.make(ConsultationEscalation)).escalateOverdue()
    const taken = await client
      .post(`/consultations/${consultation.id}/take`)
      .header('Accept', 'application/json')
      .loginAs(head)
      .withCsrfToken()
    taken.assertStatus(200)
    assert.equal(taken.body().consultantId, head.id)
    const answered = await client
      .post(`/consultations/${consultation.id}/opinion`)
      .header('Accept', 'application/json')
      .loginAs(head)
      .withCsrfToken()
      .json({ opinion: '急性脑梗死' })
    answered.assertStatus(201)
  })
})

test.group('Consultation · refusals', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test("consulting on another clinic's exam answers 404, is audited with the exam, and creates nothing", async ({
    assert,
    client,
  }) => {
    const { exam } = await consultationScene()
    const otherClinic = await make.user('clinic_staff')
    const response = await client
      .post(`/exams/${exam.id}/consultations`)
      .header('Accept', 'application/json')
      .loginAs(otherClinic)
      .withCsrfToken()
      .json({
        question: '性质？',
        clinicalSummary: '无',
        urgency: 'routine',
        requestKey: randomUUID(),
      })
    response.assertStatus(404)
    const audited = await lastAudit('consultation.request')
    assert.equal(audited?.outcome, 'denied')
    assert.equal(audited?.targetType, 'exam')
    assert.equal(audited?.targetId, String(exam.id))
    assert.equal(await countOf(Consultation, 'exam_id', exam.id), 0)
    ;(await client.get(`/exams/${exam.id}/consultations/new`).loginAs(otherClinic)).assertStatus(
      404
    )
  })

  test('another clinic, the upper-level hospital and a specialty centre see none of a consultation (404) and no list', async ({
    assert,
    client,
  }) => {
    const { clinicUser, exam } = await consultationScene()
    const consultation = await requested(clinicUser, exam)
    const otherClinic = await make.user('clinic_staff')
    const upper = await make.user('radiologist', await make.institution('upper_hospital'), {
      title: 'senior',
    })
    const stroke = await make.user('clinic_staff', await make.institution('specialty_centre'))
    for (const outsider of [otherClinic, upper, stroke]) {
      ;(await client.get(`/consultations/${consultation.id}`).loginAs(outsider)).assertStatus(404)
      ;(
        await client
          .get(`/api/v1/consultations/${consultation.id}`)
          .header('Authorization', `Bearer ${await apiToken(outsider)}`)
      ).assertStatus(404)
      ;(
        await client
          .post(`/consultations/${consultation.id}/messages`)
          .header('Accept', 'application/json')
          .loginAs(outsider)
          .withCsrfToken()
          .json({ body: '你好' })
      ).assertStatus(404)
      ;(
        await client
          .post(`/consultations/${consultation.id}/opinion`)
          .header('Accept', 'application/json')
          .loginAs(outsider)
          .withCsrfToken()
          .json({ opinion: '意见' })
      ).assertStatus(404)
    }
    const list = await client
      .get('/api/v1/consultations')
      .header('Authorization', `Bearer ${await apiToken(otherClinic)}`)
    list.assertStatus(200)
    assert.notInclude(
      list.body().data.map((c: any) => c.id),
      consultation.id
    )
    ;(await client.get('/consultations').loginAs(upper)).assertStatus(403)
    ;(await client.get('/consultations').loginAs(stroke)).assertStatus(403)
    assert.equal(await countOf(ConsultationMessage, 'consultation_id', consultation.id), 1)
  })

  test('an opinion by someone not assigned is refused and changes nothing', async ({
    assert,
    client,
  }) => {
    const { clinicUser, lead, exam } = await consultationScene()
    const consultation = await requested(clinicUser, exam)
    const colleague = await make.user('radiologist', lead, { title: 'senior' })
    const response = await client
      .post(`/consultations/${consultation.id}/opinion`)
      .header('Accept', 'application/json')
      .loginAs(colleague)
      .withCsrfToken()
      .json({ opinion: '我的意见' })
    response.assertStatus(403)
    assert.equal(response.body().errors[0].code, 'not_assigned')
    const clinicTry = await client
      .post(`/consultations/${consultation.id}/opinion`)
      .header('Accept', 'application/json')
      .loginAs(clinicUser)
      .withCsrfToken()
      .json({ opinion: '自己答' })
    clinicTry.assertStatus(403)
    await consultation.refresh()
    assert.equal(consultation.status, 'open')
    assert.equal(await countOf(ConsultationOpinion, 'consultation_id', consultation.id), 0)
    assert.equal((await lastAudit('consultation.answer'))?.outcome, 'denied')
  })

  test('answering a consultation twice is refused; the first opinion stands', async ({
    assert,
    client,
  }) => {
    const { clinicUser, consultant, exam } = await consultationScene()
    const consultation = await requested(clinicUser, exam)
    ;(
      await client
        .post(`/consultations/${consultation.id}/opinion`)
        .header('Accept', 'application/json')
        .loginAs(consultant)
        .withCsrfToken()
        .json({ opinion: '第一次' })
    ).assertStatus(201)
    const again = await client
      .post(`/consultations/${consultation.id}/opinion`)
      .header('Accept', 'application/json')
      .loginAs(consultant)
      .withCsrfToken()
      .json({ opinion: '第二次' })
    again.assertStatus(409)
    assert.equal(again.body().errors[0].code, 'already_answered')
    const opinions = await ConsultationOpinion.query().where('consultation_id', consultation.id)
    assert.deepEqual(
      opinions.map((o) => o.opinion),
      ['第一次']
    )
  })

  test('bad input is refused with its field and changes nothing: blank question, unknown urgency, no images yet, a second open request', async ({
    assert,
    client,
  }) => {
    const { clinicUser, exam } = await consultationScene()
    const blank = await client
      .post(`/exams/${exam.id}/consultations`)
      .header('Accept', 'application/json')
      .loginAs(clinicUser)
      .withCsrfToken()
      .json({
        question: '',
        clinicalSummary: '摘要',
        urgency: 'whenever',
        requestKey: randomUUID(),
      })
    blank.assertStatus(422)
    assert.sameMembers(
      blank.body().errors.map((e: any) => e.field),
      ['question', 'urgency']
    )
    const { exam: waiting } = await make.exam(clinicUser, 'CT')
    const early = await client
      .post(`/exams/${waiting.id}/consultations`)
      .header('Accept', 'application/json')
      .loginAs(clinicUser)
      .withCsrfToken()
      .json({
        question: '性质？',
        clinicalSummary: '摘要',
        urgency: 'routine',
        requestKey: randomUUID(),
      })
    early.assertStatus(422)
    assert.equal(early.body().errors[0].code, 'no_images')
    await requested(clinicUser, exam)
    const second = await client
      .post(`/exams/${exam.id}/consultations`)
      .header('Accept', 'application/json')
      .loginAs(clinicUser)
      .withCsrfToken()
      .json({
        question: '性质？',
        clinicalSummary: '摘要',
        urgency: 'routine',
        requestKey: randomUUID(),
      })
    second.assertStatus(409)
    assert.equal(await countOf(Consultation, 'exam_id', exam.id), 1)
    assert.equal(await countOf(Consultation, 'exam_id', waiting.id), 0)
  })

  test('a replayed request (double click) is the same consultation; the consultant is told once', async ({
    assert,
    client,
  }) => {
    const { clinicUser, consultant, exam } = await consultationScene()
    const tab = await openTab(consultant)
    try {
      const body = {
        question: '性质？',
        clinicalSummary: '摘要',
        urgency: 'fast_track',
        requestKey: randomUUID(),
      }
      const one = await client
        .post(`/api/v1/exams/${exam.accessionNumber}/consultations`)
        .header('Authorization', `Bearer ${await apiToken(clinicUser)}`)
        .json(body)
      const two = await client
        .post(`/api/v1/exams/${exam.accessionNumber}/consultations`)
        .header('Authorization', `Bearer ${await apiToken(clinicUser)}`)
        .json(body)
      assert.equal(one.body().id, two.body().id)
      await tab.next('consultation:assigned')
      await settle()
      assert.lengthOf(tab.all('consultation:assigned'), 1)
      assert.equal(await countOf(Consultation, 'exam_id', exam.id), 1)
    } finally {
      tab.close()
    }
  })
})

test.group('Consultation · the demo county step', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('seeds consultations in every state and the stroke shares', async ({ assert }) => {
    const { seedConsultationDemo } = await import('#database/demo/consultation_demo')
    const { ctExamWithImages } = await import('#tests/support/consultation')
    const ExamShare = (await import('#app/consultation/models/exam_share')).default
    const lead = await make.institution('lead_hospital')
    await make.user('radiologist', lead, { title: 'senior' })
    const clinicUser = await make.user('clinic_staff')
    const stroke = await make.institution('specialty_centre', { specialty: 'stroke' } as any)
    for (let i = 0; i < 4; i++) await examWithImages(clinicUser, 'CT')
    const { exam: strokeCt } = await ctExamWithImages(clinicUser, '头', '突发言语不清，疑似卒中')
    const { DateTime } = await import('luxon')
    const db = (await import('@adonisjs/lucid/services/db')).default
    // The demo county's exams arrived over the past days.
    await db
      .from('exams')
      .where('institution_id', clinicUser.institutionId)
      .update({
        images_received_at: DateTime.utc().minus({ days: 10 }).toSQL({ includeOffset: false }),
      })
    // The sixth (last to arrive) goes to the upper-level hospital: its store registered, not running.
    const { exam: lastCt } = await ctExamWithImages(clinicUser, '头', '头痛伴视物模糊')
    await db
      .from('exams')
      .where('id', lastCt.id)
      .update({
        images_received_at: DateTime.utc().minus({ days: 9 }).toSQL({ includeOffset: false }),
      })
    const { StorageNodeRegistry } = await import('#app/storage/services/storage_node_registry')
    const imaging = (await import('#config/imaging')).default
    const { unusedPort } = await import('#tests/support/storage')
    const registry = await app.container.make(StorageNodeRegistry)
    await registry.register({
      name: make.unique('centre'),
      role: 'central',
      url: imaging.orthanc.url,
      username: imaging.orthanc.username,
      password: imaging.orthanc.password,
      catalogueExisting: false,
    })
    await registry.register({
      name: make.unique('upper'),
      role: 'upper',
      institutionId: (await make.institution('upper_hospital')).id,
      url: `http://127.0.0.1:${await unusedPort()}`,
      username: 'imaging-app',
      password: 'not-running-1',
      catalogueExisting: false,
    })
    await seedConsultationDemo(DateTime.utc())
    const all = await Consultation.query().whereIn(
      'exam_id',
      (await import('#models/exam')).default
        .query()
        .where('institution_id', clinicUser.institutionId)
        .select('id')
    )
    assert.lengthOf(all, 6)
    assert.sameMembers(
      all.map((c) => `${c.status}:${c.escalationLevel}`),
      ['open:0', 'open:1', 'open:2', 'answered:0', 'answered:0', 'open:0']
    )
    const UpperEscalation = (await import('#app/consultation/models/upper_escalation')).default
    const escalated = await UpperEscalation.query().whereIn(
      'consultation_id',
      all.map((c) => c.id)
    )
    assert.lengthOf(escalated, 1)
    assert.equal(escalated[0].status, 'pending')
    assert.equal(all.find((c) => c.id === escalated[0].consultationId)!.examId, lastCt.id)
    assert.isNotNull(
      await ExamShare.query().where('exam_id', strokeCt.id).where('centre_id', stroke.id).first()
    )
    const ShareLink = (await import('#app/consultation/models/share_link')).default
    const link = await ShareLink.query()
      .whereIn(
        'exam_id',
        all.map((c) => c.examId)
      )
      .firstOrFail()
    assert.isTrue(link.deidentify)
  })
})
