import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import type User from '#models/user'
import Consultation from '#app/consultation/models/consultation'
import ConsultationMessage from '#app/consultation/models/consultation_message'
import ExamShare from '#app/consultation/models/exam_share'
import ShareLink from '#app/consultation/models/share_link'
import { SpecialtySharing, DEFAULT_RULES } from '#app/consultation/services/specialty_sharing'
import * as make from '#tests/support/fixtures'
import { apiToken, baseUrl } from '#tests/support/http'
import { eventually } from '#tests/support/wait'
import { consultationScene, ctExamWithImages, requested } from '#tests/support/consultation'

/*
| The cross-institution sweep: every route consultation adds, asked by another
| clinic, the upper-level hospital and a specialty centre the record was not
| shared with, pages and API alike. Each answers 403 (the route is not theirs)
| or 404 (the record is not theirs) and changes nothing.
*/

test.group('Consultation · cross-institution sweep', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('outsiders get 403 or 404 on every new route and nothing changes', async ({
    assert,
    client,
  }) => {
    const { clinicUser, exam } = await consultationScene()
    const consultation = await requested(clinicUser, exam)
    const strokeCentre = await make.institution('specialty_centre', { specialty: 'stroke' } as any)
    await (
      await app.container.make(SpecialtySharing)
    ).createRule(null, { centreId: strokeCentre.id, ...DEFAULT_RULES.stroke })
    const { exam: strokeExam } = await ctExamWithImages(clinicUser, '头', '疑似卒中')
    const share = await eventually(() => ExamShare.query().where('exam_id', strokeExam.id).first())
    const linkResponse = await fetch(
      `${baseUrl()}/api/v1/exams/${exam.accessionNumber}/share-links`,
      {
        method: 'POST',
        headers: {
          'Authorization': `Bearer ${await apiToken(clinicUser)}`,
          'Content-Type': 'application/json',
          'Accept': 'application/json',
        },
        body: '{}',
      }
    )
    const link = (await linkResponse.json()) as any

    const outsiders: Array<[string, User]> = [
      ['another clinic', await make.user('clinic_staff')],
      [
        'the upper-level hospital',
        await make.user('radiologist', await make.institution('upper_hospital'), {
          title: 'senior',
        }),
      ],
      [
        'another specialty centre',
        await make.user(
          'clinic_staff',
          await make.institution('specialty_centre', { specialty: 'stroke' } as any)
        ),
      ],
    ]
    const c = consultation.id
    const pages: Array<[string, string, Record<string, unknown>?]> = [
      ['GET', `/exams/${exam.id}/consultations/new`],
      [
        'POST',
        `/exams/${exam.id}/consultations`,
        {
          question: '性质？',
          clinicalSummary: '摘要',
          urgency: 'routine',
          requestKey: 'sweep-key-0001',
        },
      ],
      ['GET', `/consultations/${c}`],
      ['POST', `/consultations/${c}/opinion`, { opinion: '意见' }],
      ['POST', `/consultations/${c}/amend`, { opinion: '意见', reason: '原因' }],
      ['POST', `/consultations/${c}/take`],
      ['POST', `/consultations/${c}/messages`, { body: '你好' }],
      ['POST', `/consultations/${c}/escalate-upper`, { note: '请上级医院会诊' }],
      ['POST', `/consultations/${c}/cancel`, { reason: '不再需要' }],
      ['POST', `/consultations/${c}/attachments`, {}],
      ['GET', `/consultations/${c}/attachments/1`],
      ['GET', '/upper-consultations/1'],
      ['POST', '/upper-consultations/1/opinion', { opinion: '意见' }],
      ['GET', `/shared-exams/${share.id}`],
      ['GET', `/exams/${exam.id}/share-links`],
      ['POST', `/exams/${exam.id}/share-links`, {}],
      ['POST', `/share-links/${link.id}/revoke`],
      ['POST', '/admin/share-rules', { centreId: strokeCentre.id, name: '全部' }],
    ]
    const api: Array<[string, string, Record<string, unknown>?]> = [
      [
        'POST',
        `/api/v1/exams/${exam.accessionNumber}/consultations`,
        {
          question: '性质？',
          clinicalSummary: '摘要',
          urgency: 'routine',
          requestKey: 'sweep-key-0002',
        },
      ],
      ['GET', `/api/v1/consultations/${c}`],
      ['POST', `/api/v1/consultations/${c}/opinion`, { opinion: '意见' }],
      ['POST', `/api/v1/consultations/${c}/messages`, { body: '你好' }],
      ['POST', `/api/v1/consultations/${c}/escalate-upper`, { note: '请上级医院会诊' }],
      ['POST', `/api/v1/consultations/${c}/cancel`, { reason: '不再需要' }],
      ['GET', `/api/v1/shared-exams/${share.id}`],
      ['GET', `/api/v1/exams/${exam.accessionNumber}/share-links`],
      ['POST', `/api/v1/exams/${exam.accessionNumber}/share-links`, {}],
      ['POST', `/api/v1/share-links/${link.id}/revoke`],
    ]
    for (const [who, user] of outsiders) {
      for (const [method, path, body] of pages) {
        const request: any = (
          method === 'GET' ? client.get(path) : client.post(path).withCsrfToken()
        )
          .header('Accept', 'application/json')
          .loginAs(user)
        const response = body ? await request.json(body) : await request
        assert.oneOf(
          response.status(),
          [403, 404],
          `${who}: ${method} ${path} answered ${response.status()}`
        )
      }
      const token = await apiToken(user)
      for (const [method, path, body] of api) {
        const response = await fetch(`${baseUrl()}${path}`, {
          method,
          headers: {
            'Authorization': `Bearer ${token}`,
            'Content-Type': 'application/json',
            'Accept': 'application/json',
          },
          body: body ? JSON.stringify(body) : undefined,
        })
        assert.oneOf(
          response.status,
          [403, 404],
          `${who}: API ${method} ${path} answered ${response.status}`
        )
      }
      // The lists show them nothing of the clinic.
      const list = await client
        .get('/api/v1/consultations')
        .header('Accept', 'application/json')
        .loginAs(user)
      if (list.status() === 200)
        assert.notInclude(
          list.body().data.map((x: any) => x.id),
          c
        )
      const shared = await client
        .get('/api/v1/shared-exams')
        .header('Accept', 'application/json')
        .loginAs(user)
      if (shared.status() === 200)
        assert.notInclude(
          shared.body().data.map((x: any) => x.id),
          share.id
        )
    }
    await consultation.refresh()
    assert.equal(consultation.status, 'open')
    assert.equal(
      await ConsultationMessage.query()
        .where('consultation_id', c)
        .count('* as n')
        .then((r) => Number(r[0].$extras.n)),
      1
    )
    assert.equal(
      await Consultation.query()
        .where('exam_id', exam.id)
        .count('* as n')
        .then((r) => Number(r[0].$extras.n)),
      1
    )
    assert.equal(
      await ShareLink.query()
        .where('exam_id', exam.id)
        .count('* as n')
        .then((r) => Number(r[0].$extras.n)),
      1
    )
    assert.isNull((await ShareLink.findOrFail(link.id)).revokedAt)
  })
})
