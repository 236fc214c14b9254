import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import AuditEvent from '#models/audit_event'
import Exam from '#models/exam'
import ReportTemplate from '#models/report_template'
import ReportDraft from '#models/report_draft'
import TurnaroundLimit from '#models/turnaround_limit'
import * as make from '#tests/support/fixtures'
import { CT_REPORT, doctor, examWithImages, revisionOf } from '#tests/support/reading'
import { singleSignatureAllowed } from '#app/reading/services/reading_settings'

test.group('Reading pages: the editor and the forms', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('the reading page shows the request, the images, the editor and the critical-value form', async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinic, 'MR')
    const junior = await doctor('junior')
    await client
      .post(`/reading/exams/${exam.id}/claim`)
      .loginAs(junior)
      .withCsrfToken()
      .redirects(0)
    const page = await client.get(`/reading/exams/${exam.id}`).loginAs(junior)
    page.assertStatus(200)
    const html = page.text()
    assert.include(html, exam.clinicalHistory)
    assert.include(html, exam.purpose)
    assert.include(html, 'id="report-editor"')
    assert.include(html, 'data-mri-helper')
    assert.include(html, `data-exam-url="/exams/${exam.id}"`)
    // The raise form sits beside the report form, never inside it (a form cannot hold a form).
    assert.include(html, `action="/exams/${exam.id}/critical-values"`)
    const editor = html.slice(
      html.indexOf('id="report-editor"'),
      html.indexOf('</form>', html.indexOf('id="report-editor"'))
    )
    assert.notInclude(editor, 'critical-values')
    assert.include(html, '/js/report_editor.js')
    assert.include(html, '报告时间由系统在签发时自动生成')
  })

  test('autosave keeps the latest draft per author, and the editor reopens with it', async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinic, 'CT')
    const junior = await doctor('junior')
    await client.post(`/reading/exams/${exam.id}/claim`).loginAs(junior).withCsrfToken()
    const revision = await revisionOf(exam)

    // As the browser's keepalive fetch sends it (JSON), then as sendBeacon does when the tab closes (form-encoded).
    const first = await client
      .post(`/reading/exams/${exam.id}/draft`)
      .loginAs(junior)
      .withCsrfToken()
      .accept('json')
      .json({ ...CT_REPORT, findings: '第一次', revision })
    first.assertStatus(200)
    const beacon = await client
      .post(`/reading/exams/${exam.id}/draft`)
      .loginAs(junior)
      .withCsrfToken()
      .form({ ...CT_REPORT, findings: '关闭标签页前的最后一句', revision })
    assert.oneOf(beacon.status(), [200, 302])
    const drafts = await ReportDraft.query().where('exam_id', exam.id)
    assert.lengthOf(drafts, 1)
    assert.equal(drafts[0].findings, '关闭标签页前的最后一句')

    const reopened = await client.get(`/reading/exams/${exam.id}`).loginAs(junior)
    assert.include(reopened.text(), '关闭标签页前的最后一句')
    assert.include(reopened.text(), '已恢复您')
  })

  test('submitting and signing through the forms; a refused form keeps what was typed', async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinic, 'CT')
    const junior = await doctor('junior')
    const senior = await doctor('senior')
    await client.post(`/reading/exams/${exam.id}/claim`).loginAs(junior).withCsrfToken()

    const refused = await client
      .post(`/reading/exams/${exam.id}/submit`)
      .loginAs(junior)
      .withCsrfToken()
      .form({
        ...CT_REPORT,
        impression: '',
        findings: '只写了描述，还没有结论',
        revision: await revisionOf(exam),
      })
      .redirects(0)
    refused.assertStatus(302)
    const flashed = refused.flashMessages()
    assert.equal(flashed.findings, '只写了描述，还没有结论')
    assert.include(flashed.error, '请填写诊断结论')
    assert.equal((await Exam.findOrFail(exam.id)).status, 'in_progress')

    const submitted = await client
      .post(`/reading/exams/${exam.id}/submit`)
      .loginAs(junior)
      .withCsrfToken()
      .form({ ...CT_REPORT, revision: await revisionOf(exam) })
      .redirects(0)
    submitted.assertStatus(302)
    assert.equal(submitted.header('location'), '/reading')
    assert.equal((await Exam.findOrFail(exam.id)).status, 'pending_review')

    const review = await client.get(`/reading/exams/${exam.id}`).loginAs(senior)
    assert.include(review.text(), 'formaction="/reading/exams/' + exam.id + '/sign"')
    assert.include(review.text(), CT_REPORT.findings)

    const signed = await client
      .post(`/reading/exams/${exam.id}/sign`)
      .loginAs(senior)
      .withCsrfToken()
      .form({ ...CT_REPORT, revision: await revisionOf(exam) })
      .redirects(0)
    signed.assertStatus(302)
    assert.equal(signed.header('location'), `/exams/${exam.id}/report`)
    assert.equal((await Exam.findOrFail(exam.id)).status, 'signed')
  })

  test('without its CSRF token a sign-off form changes nothing', async ({ client, assert }) => {
    const clinic = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinic, 'CT')
    const junior = await doctor('junior')
    const response = await client
      .post(`/reading/exams/${exam.id}/claim`)
      .loginAs(junior)
      .redirects(0)
    assert.notEqual(response.status(), 200)
    assert.isNull((await Exam.findOrFail(exam.id)).claimedById)
  })
})

test.group('Reading pages: templates and settings', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('中级+ doctors maintain templates, chosen by item and diagnosis in the editor; juniors may not', async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinic, 'CT')
    await exam.load('items')
    const senior = await doctor('senior')
    const junior = await doctor('junior')

    const created = await client
      .post('/reading/templates')
      .loginAs(senior)
      .withCsrfToken()
      .form({
        name: '测试模板',
        modality: 'CT',
        bodyPart: exam.items[0].bodyPart,
        diagnosis: '鼻窦炎',
        findings: '双侧上颌窦黏膜增厚。',
        impression: '双侧上颌窦炎。',
      })
      .redirects(0)
    created.assertStatus(302)
    const template = await ReportTemplate.findByOrFail('name', '测试模板')
    const other = await ReportTemplate.create({
      name: 'MR 模板',
      modality: 'MR',
      bodyPart: null,
      diagnosis: '正常',
      findings: 'x',
      impression: 'y',
      active: true,
    })

    const refused = await client
      .post('/reading/templates')
      .loginAs(junior)
      .withCsrfToken()
      .form({
        name: '初级医师的模板',
        diagnosis: '正常',
        findings: '未见异常。',
        impression: '未见异常。',
      })
      .redirects(0)
    assert.notEqual(refused.status(), 200)
    assert.isNull(await ReportTemplate.findBy('name', '初级医师的模板'))
    assert.equal(
      (
        await AuditEvent.query()
          .where('action', 'reading.template.create')
          .where('actor_user_id', junior.id)
          .firstOrFail()
      ).outcome,
      'denied'
    )

    await client.post(`/reading/exams/${exam.id}/claim`).loginAs(junior).withCsrfToken()
    const editor = await client.get(`/reading/exams/${exam.id}`).loginAs(junior)
    assert.include(editor.text(), `value="${template.id}"`)
    assert.notInclude(editor.text(), `value="${other.id}" data-technique`)
  })

  test('an administrator sets turnaround limits and the single-signature switch; each change audited', async ({
    client,
    assert,
  }) => {
    const admin = await make.user('admin')
    const page = await client.get('/admin/reading').loginAs(admin)
    page.assertStatus(200)
    assert.include(page.text(), 'name="limits[emergency_DR]" value="30"')

    const saved = await client
      .post('/admin/reading')
      .loginAs(admin)
      .withCsrfToken()
      .form({
        'limits[emergency_DR]': '25',
        'limits[routine_CT]': '1440',
        'singleSignature': 'true',
      })
      .redirects(0)
    saved.assertStatus(302)
    assert.equal(
      (
        await TurnaroundLimit.query()
          .where('priority', 'emergency')
          .where('modality', 'DR')
          .firstOrFail()
      ).minutes,
      25
    )
    assert.isTrue(await singleSignatureAllowed())
    const line = await AuditEvent.query()
      .where('action', 'reading.settings')
      .where('outcome', 'success')
      .orderBy('id', 'desc')
      .firstOrFail()
    assert.deepEqual((line.details as any).limits, [
      { priority: 'emergency', modality: 'DR', from: 30, to: 25 },
    ])
    assert.deepEqual((line.details as any).singleSignature, { from: false, to: true })

    const bad = await client
      .post('/admin/reading')
      .loginAs(admin)
      .withCsrfToken()
      .form({ 'limits[emergency_DR]': '1' })
      .redirects(0)
    assert.equal(bad.status(), 302)
    assert.equal(
      (
        await TurnaroundLimit.query()
          .where('priority', 'emergency')
          .where('modality', 'DR')
          .firstOrFail()
      ).minutes,
      25
    )
    assert.isTrue(
      await singleSignatureAllowed(),
      'a refused form changes nothing, the switch included'
    )

    const radiologist = await doctor('senior')
    const denied = await client
      .post('/admin/reading')
      .loginAs(radiologist)
      .withCsrfToken()
      .form({ singleSignature: 'false' })
      .redirects(0)
    assert.notEqual(denied.status(), 200)
    assert.isTrue(await singleSignatureAllowed())
  })
})
