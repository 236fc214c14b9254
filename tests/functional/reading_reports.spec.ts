import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { writeFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { io as connect } from 'socket.io-client'
import AuditEvent from '#models/audit_event'
import type User from '#models/user'
import * as make from '#tests/support/fixtures'
import { apiToken, baseUrl } from '#tests/support/http'
import {
  api,
  CT_REPORT,
  doctor,
  examWithImages,
  manualClock,
  revisionOf,
} from '#tests/support/reading'
import { ticketFor } from '#tests/support/sessions'

const run = promisify(execFile)

/** A report written by a junior and signed by a senior, through the API. */
async function signedExam(clinic: User, report = CT_REPORT) {
  const { exam } = await examWithImages(clinic, 'CT')
  const junior = await doctor('junior')
  const senior = await doctor('senior')
  const juniorToken = await apiToken(junior)
  await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, juniorToken)
  await api('POST', `/reading/exams/${exam.accessionNumber}/submit`, juniorToken, {
    ...report,
    revision: await revisionOf(exam),
  })
  const signed = await api(
    'POST',
    `/reading/exams/${exam.accessionNumber}/sign`,
    await apiToken(senior),
    { revision: await revisionOf(exam) }
  )
  if (signed.status !== 200)
    throw new Error(`fixture signing failed: ${JSON.stringify(signed.body)}`)
  await exam.refresh()
  return { exam, junior, senior }
}

/** The text of a PDF, as poppler reads it. */
async function pdfText(pdf: ArrayBuffer) {
  const dir = await mkdtemp(join(tmpdir(), 'report-pdf-'))
  try {
    await writeFile(join(dir, 'r.pdf'), Buffer.from(pdf))
    const { stdout } = await run('pdftotext', ['-layout', join(dir, 'r.pdf'), '-'])
    return stdout
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function fetchAs(user: User, path: string, client: any) {
  return client.get(path).loginAs(user)
}

test.group('Signed reports for the clinic', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  let restore: () => void
  group.each.setup(() => {
    restore = manualClock('2026-11-22T06:30:00Z').restore
    return () => restore()
  })

  test('the clinic reads its signed report as a page, as JSON and as a printable PDF following B appendix A', async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam, junior, senior } = await signedExam(clinic)

    const page = await fetchAs(clinic, `/exams/${exam.id}/report`, client)
    page.assertStatus(200)
    for (const text of [
      exam.accessionNumber,
      CT_REPORT.findings,
      CT_REPORT.impression,
      junior.fullName,
      senior.fullName,
      '2026-11-22 14:30',
    ]) {
      assert.include(page.text(), text)
    }
    const list = await fetchAs(clinic, '/reports', client)
    assert.include(list.text(), exam.accessionNumber)

    const json = await api('GET', `/exams/${exam.accessionNumber}/report`, await apiToken(clinic))
    assert.equal(json.status, 200)
    assert.equal(json.body.data.report.impression, CT_REPORT.impression)
    assert.equal(json.body.data.report.header.signerName, senior.fullName)

    const response = await fetch(`${baseUrl()}/api/v1/exams/${exam.accessionNumber}/report.pdf`, {
      headers: { Authorization: `Bearer ${await apiToken(clinic)}` },
    })
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('content-type'), 'application/pdf')
    const text = (await pdfText(await response.arrayBuffer())).replace(/\s+/g, '')
    for (const label of [
      '放射影像检查报告',
      '检查号',
      '姓名',
      '性别',
      '年龄',
      '科别',
      '临床诊断',
      '检查名称',
      '检查时间',
      '技术参数',
      '影像描述',
      '诊断结论',
      '报告医师',
      '审核医师',
      '报告时间',
    ]) {
      assert.include(text, label, `PDF lacks ${label}`)
    }
    for (const value of [
      exam.accessionNumber,
      '右肺下叶炎症',
      junior.fullName,
      senior.fullName,
      '2026-11-2214:30',
    ]) {
      assert.include(text, value.replace(/\s+/g, ''))
    }
    assert.equal(
      (
        await AuditEvent.query()
          .where('action', 'report.print')
          .where('target_id', String(exam.id))
          .firstOrFail()
      ).outcome,
      'success'
    )
  })

  test('another clinic reading the report gets 404, exactly like a missing one, and is audited', async ({
    client,
    assert,
  }) => {
    const owner = await make.user('clinic_staff')
    const other = await make.user('clinic_staff')
    const { exam } = await signedExam(owner)

    const foreign = await fetchAs(other, `/exams/${exam.id}/report`, client)
    const missing = await fetchAs(other, `/exams/99999999/report`, client)
    foreign.assertStatus(404)
    missing.assertStatus(404)
    assert.notInclude(foreign.text(), CT_REPORT.findings)
    assert.equal((await fetchAs(other, `/exams/${exam.id}/report.pdf`, client)).status(), 404)

    const token = await apiToken(other)
    const foreignApi = await api('GET', `/exams/${exam.accessionNumber}/report`, token)
    const missingApi = await api('GET', `/exams/00000000000/report`, token)
    assert.equal(foreignApi.status, 404)
    assert.deepEqual(foreignApi.body, missingApi.body)
    const denied = await AuditEvent.query()
      .whereIn('action', ['report.view', 'report.print'])
      .where('outcome', 'denied')
      .where('target_id', String(exam.id))
    assert.isAtLeast(denied.length, 3)
    assert.isTrue(denied.every((line) => line.actorUserId === other.id))
  })

  test('nothing unsigned reaches the clinic: drafts and reports in review stay with the readers', async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinic, 'CT')
    const junior = await doctor('junior')
    const token = await apiToken(junior)
    await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, token)
    await api('POST', `/reading/exams/${exam.accessionNumber}/submit`, token, {
      ...CT_REPORT,
      revision: await revisionOf(exam),
    })

    const page = await fetchAs(clinic, `/exams/${exam.id}/report`, client)
    page.assertStatus(200)
    assert.notInclude(page.text(), CT_REPORT.findings)
    const json = await api('GET', `/exams/${exam.accessionNumber}/report`, await apiToken(clinic))
    assert.equal(json.status, 404)
    assert.equal(json.body.errors[0].code, 'no_signed_report')
    assert.equal((await fetchAs(clinic, `/exams/${exam.id}/report.pdf`, client)).status(), 404)
    // Nor may a clinic open the reading page.
    const reading = await api(
      'GET',
      `/reading/exams/${exam.accessionNumber}`,
      await apiToken(clinic)
    )
    assert.equal(reading.status, 403)
  })

  test('the clinic is told live when its report is signed', async ({ assert }) => {
    const clinic = await make.user('clinic_staff')
    const otherClinic = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinic, 'CT')
    const junior = await doctor('junior')
    const senior = await doctor('senior')
    const juniorToken = await apiToken(junior)
    await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, juniorToken)
    await api('POST', `/reading/exams/${exam.accessionNumber}/submit`, juniorToken, {
      ...CT_REPORT,
      revision: await revisionOf(exam),
    })

    const listen = async (user: User) => {
      const socket = connect(baseUrl(), {
        auth: { ticket: await ticketFor(user) },
        transports: ['websocket'],
        reconnection: false,
      })
      const events: any[] = []
      socket.on('report:signed', (event) => events.push(event))
      const ready = new Promise<void>((resolve, reject) => {
        socket.on('connect', () => setTimeout(resolve, 100))
        socket.on('connect_error', reject)
      })
      return { socket, events, ready }
    }
    const ours = await listen(clinic)
    const theirs = await listen(otherClinic)
    try {
      await Promise.all([ours.ready, theirs.ready])
      const signed = await api(
        'POST',
        `/reading/exams/${exam.accessionNumber}/sign`,
        await apiToken(senior),
        { revision: await revisionOf(exam) }
      )
      assert.equal(signed.status, 200)
      const deadline = Date.now() + 5000
      while (ours.events.length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50))
      assert.lengthOf(ours.events, 1)
      assert.deepInclude(ours.events[0], {
        id: exam.id,
        accessionNumber: exam.accessionNumber,
        versionNo: 1,
        url: `/exams/${exam.id}/report`,
      })
      assert.lengthOf(theirs.events, 0)
    } finally {
      ours.socket.close()
      theirs.socket.close()
    }
  })
})

test.group('Amendments: a new version, reviewed and signed again', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('an amendment keeps the signed version readable, shows what changed, and ends "amended"', async ({
    client,
    assert,
  }) => {
    const { clock, restore } = manualClock('2026-11-22T06:30:00Z')
    try {
      const clinic = await make.user('clinic_staff')
      const { exam, junior, senior } = await signedExam(clinic)
      const juniorToken = await apiToken(junior)

      const noReason = await api(
        'POST',
        `/reading/exams/${exam.accessionNumber}/amend`,
        juniorToken,
        { reason: '改' }
      )
      assert.equal(noReason.status, 422)
      assert.equal(noReason.body.errors[0].code, 'amendment_reason_required')

      clock.advance({ hours: 3 })
      const started = await api(
        'POST',
        `/reading/exams/${exam.accessionNumber}/amend`,
        juniorToken,
        { reason: '复阅发现左肺上叶小结节漏报' }
      )
      assert.equal(started.status, 200, JSON.stringify(started.body))
      assert.equal(started.body.data.status, 'in_progress')
      assert.equal(started.body.data.report.versionNo, 2)
      assert.equal(
        started.body.data.report.findings,
        CT_REPORT.findings,
        'the amendment starts from the signed text'
      )
      const again = await api('POST', `/reading/exams/${exam.accessionNumber}/amend`, juniorToken, {
        reason: '再次修订的理由',
      })
      assert.equal(again.status, 409)
      assert.equal(again.body.errors[0].code, 'amendment_in_progress')

      // Meanwhile the clinic still reads version 1, told an amendment is under way.
      const during = await client.get(`/exams/${exam.id}/report`).loginAs(clinic)
      assert.include(during.text(), CT_REPORT.findings)
      assert.include(during.text(), '正在修订')

      const amendedFindings = CT_REPORT.findings + '左肺上叶见直径约 5 mm 实性小结节。'
      const submitted = await api(
        'POST',
        `/reading/exams/${exam.accessionNumber}/submit`,
        juniorToken,
        {
          ...CT_REPORT,
          findings: amendedFindings,
          impression: CT_REPORT.impression + '\n左肺上叶小结节，建议 6 个月后复查。',
          revision: await revisionOf(exam),
        }
      )
      assert.equal(submitted.status, 200, JSON.stringify(submitted.body))
      const signed = await api(
        'POST',
        `/reading/exams/${exam.accessionNumber}/sign`,
        await apiToken(senior),
        { revision: await revisionOf(exam) }
      )
      assert.equal(signed.status, 200, JSON.stringify(signed.body))
      assert.equal(signed.body.data.status, 'amended')

      const json = await api('GET', `/exams/${exam.accessionNumber}/report`, await apiToken(clinic))
      assert.equal(json.body.data.report.versionNo, 2)
      assert.equal(json.body.data.report.amendmentReason, '复阅发现左肺上叶小结节漏报')
      assert.lengthOf(json.body.data.versions, 2)
      assert.equal(json.body.data.versions[0].findings, CT_REPORT.findings)
      const added = json.body.data.versions[1].changes.findings
        .filter((p: any) => p.op === 'added')
        .map((p: any) => p.text)
        .join('')
      assert.equal(added, '左肺上叶见直径约 5 mm 实性小结节。')

      const page = await client.get(`/exams/${exam.id}/report`).loginAs(clinic)
      assert.include(page.text(), '<ins>左肺上叶见直径约 5 mm 实性小结节。</ins>')

      const token = await apiToken(clinic)
      const v1 = await fetch(
        `${baseUrl()}/api/v1/exams/${exam.accessionNumber}/report.pdf?version=1`,
        { headers: { Authorization: `Bearer ${token}` } }
      )
      const v2 = await fetch(`${baseUrl()}/api/v1/exams/${exam.accessionNumber}/report.pdf`, {
        headers: { Authorization: `Bearer ${token}` },
      })
      const v1Text = (await pdfText(await v1.arrayBuffer())).replace(/\s+/g, '')
      const v2Text = (await pdfText(await v2.arrayBuffer())).replace(/\s+/g, '')
      assert.notInclude(v1Text, '实性小结节')
      assert.include(v2Text, '实性小结节')
      assert.include(v2Text, '修订原因')
      // The first signature time stays the exam's report time; the amendment has its own.
      await exam.refresh()
      assert.equal(exam.reportSignedAt!.toUTC().toISO(), '2026-11-22T06:30:00.000Z')
      assert.equal(json.body.data.report.reportTime, '2026-11-22T09:30:00.000+00:00')
    } finally {
      restore()
    }
  })
})
