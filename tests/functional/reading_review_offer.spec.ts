import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import * as make from '#tests/support/fixtures'
import { CT_REPORT, doctor, examWithImages, revisionOf } from '#tests/support/reading'

/*
| Issue 9, point 10: the queue offers 审核 only to a doctor who may review the
| report (ReadingPolicy.review, the sign-off rule itself), never to its junior
| author; the reading page of a signed exam shows its technique too.
*/
test.group('Reading: who is offered the review, and the signed panel', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a junior is not offered 审核 on his own submitted report; an intermediate doctor is', async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinic, 'CT')
    const junior = await doctor('junior')
    const mid = await doctor('intermediate')
    await client.post(`/reading/exams/${exam.id}/claim`).loginAs(junior).withCsrfToken()
    await client
      .post(`/reading/exams/${exam.id}/submit`)
      .loginAs(junior)
      .withCsrfToken()
      .form({ ...CT_REPORT, revision: await revisionOf(exam) })
      .redirects(0)

    const row = (html: string) => {
      const start = html.indexOf(`data-exam-id="${exam.id}"`)
      assert.isAbove(start, -1, 'the exam is in the queue')
      return html.slice(start, html.indexOf('</tr>', start))
    }
    const own = row(
      (
        await client.get('/reading').qs({ institutionId: clinic.institutionId }).loginAs(junior)
      ).text()
    )
    assert.notInclude(own, '>审核<')
    assert.include(own, 'data-action="open"')
    const other = row(
      (await client.get('/reading').qs({ institutionId: clinic.institutionId }).loginAs(mid)).text()
    )
    assert.include(other, 'data-action="review"')
    assert.include(other, '>审核<')
  })

  test('the reading page of a signed exam shows its technique with the findings and impression', async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinic, 'CT')
    const junior = await doctor('junior')
    const senior = await doctor('senior')
    await client.post(`/reading/exams/${exam.id}/claim`).loginAs(junior).withCsrfToken()
    await client
      .post(`/reading/exams/${exam.id}/submit`)
      .loginAs(junior)
      .withCsrfToken()
      .form({ ...CT_REPORT, revision: await revisionOf(exam) })
      .redirects(0)
    await client
      .post(`/reading/exams/${exam.id}/sign`)
      .loginAs(senior)
      .withCsrfToken()
      .form({ ...CT_REPORT, revision: await revisionOf(exam) })
      .redirects(0)

    const html = (await client.get(`/reading/exams/${exam.id}`).loginAs(junior)).text()
    const panel = html.slice(html.indexOf('reading-right'))
    assert.include(panel, '技术参数')
    assert.include(panel, CT_REPORT.technique)
    assert.include(panel, CT_REPORT.impression)
  })
})
