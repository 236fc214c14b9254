import { test } from '@japa/runner'
import { Readable } from 'node:stream'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import AuditEvent from '#models/audit_event'
import type User from '#models/user'
import ShareLink from '#app/consultation/models/share_link'
import { Clock, ManualClock } from '#app/platform/clock'
import { ExamRegistration } from '#app/intake/services/exam_registration'
import { ImageIntake } from '#app/intake/services/image_intake'
import { ExamImages } from '#app/images/services/exam_images'
import * as make from '#tests/support/fixtures'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import db from '@adonisjs/lucid/services/db'
import { studyFor } from '#tests/support/dicom'
import { apiToken } from '#tests/support/http'

/*
| Share links (C 8.2.5, C 8.5.2): expiry (default 7 days, at most 30), an
| optional access code, de-identification of pages and DICOM (the bytes are
| grepped for the patient's identifiers), revocation, every opening audited
| with its IP; expired or revoked answers 404.
*/

const NAME = '欧阳秀英'
const DICOM_NAME = 'OuYang^XiuYing'

async function examOfKnownPatient(clinicUser: User) {
  await clinicUser.load('institution')
  const nationalId = make.nationalId(DateTime.utc(1962, 3, 9), 'F')
  const registered = await make.patientAt(clinicUser.institution, {
    name: NAME,
    sex: 'F',
    birth: DateTime.utc(1962, 3, 9),
    nationalId,
  })
  const [exam] = await (
    await app.container.make(ExamRegistration)
  ).register(clinicUser, {
    clinicPatientId: registered.clinicPatient.id,
    itemIds: [(await make.item('CT')).id],
    priority: 'routine',
    clinicalHistory: '咳嗽一周',
    purpose: '排除肺炎',
    requestingDoctor: '刘医生',
  })
  const intake = await app.container.make(ImageIntake)
  const file = studyFor(exam as any, registered.clinicPatient, 1, 1, {
    patientName: DICOM_NAME,
    patientBirthDate: '19620309',
    patientSex: 'F',
  }).files[0].data
  const outcome = await intake.receive(
    exam as any,
    Readable.from([file]),
    await intake.examIdentity(exam as any),
    file.length
  )
  if (outcome.status === 'rejected') throw new Error(`fixture image refused: ${outcome.reason}`)
  await exam.refresh()
  await exam.load('patient')
  const instance = (await (await app.container.make(ExamImages)).series(exam))[0].instances[0]
  return {
    exam,
    nationalId,
    clinicPatientNo: registered.clinicPatient.clinicPatientNo,
    instance,
    patient: exam.patient,
  }
}

async function createLink(user: User, accession: string, body: Record<string, unknown>) {
  const response = await fetch(
    `${(await import('#tests/support/http')).baseUrl()}/api/v1/exams/${accession}/share-links`,
    {
      method: 'POST',
      headers: {
        'Authorization': `Bearer ${await apiToken(user)}`,
        'Content-Type': 'application/json',
        'Accept': 'application/json',
      },
      body: JSON.stringify(body),
    }
  )
  return { status: response.status, body: (await response.json()) as any }
}

/** The text pdftotext reads out of a PDF (CJK text is glyph ids in the bytes: grep the text, and the bytes). */
async function pdfText(pdf: Buffer) {
  const dir = await mkdtemp(join(tmpdir(), 'link-pdf-'))
  try {
    await writeFile(join(dir, 'r.pdf'), pdf)
    const { stdout } = await promisify(execFile)('pdftotext', ['-layout', join(dir, 'r.pdf'), '-'])
    return stdout
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** A signed report of the exam, its printed header frozen with the patient's identifiers (as sign-off freezes it). */
async function signedReport(exam: any, clinicName: string) {
  const author = await make.user('radiologist')
  const at = DateTime.utc().toSQL({ includeOffset: false })
  await db.table('report_versions').insert({
    exam_id: exam.id,
    version_no: 1,
    status: 'signed',
    technique: '平扫',
    findings: '右肺下叶见斑片状高密度影。',
    impression: '右肺下叶炎症',
    header: JSON.stringify({
      hospital: '县人民医院',
      accessionNumber: exam.accessionNumber,
      patientName: NAME,
      sex: 'F',
      age: '64岁',
      department: '内科',
      clinicalDiagnosis: '肺炎？',
      clinic: clinicName,
      examName: '胸部CT平扫',
      examTime: '2026-11-20 09:00',
      modality: 'CT',
      authorName: author.fullName,
      signerName: author.fullName,
    }),
    author_id: author.id,
    last_modified_by_id: author.id,
    signer_id: author.id,
    revision: 1,
    submitted_at: at,
    signed_at: at,
    created_at: at,
    updated_at: at,
  })
  await db.from('exams').where('id', exam.id).update({ status: 'signed', report_signed_at: at })
}

test.group('Share links', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.teardown(() => app.container.restore(Clock))

  test("a de-identified link: its page and its DICOM carry none of the patient's identifiers; a plain link's DICOM does", async ({
    assert,
    client,
  }) => {
    const clinicUser = await make.user('clinic_staff')
    const { exam, nationalId, clinicPatientNo, instance, patient } =
      await examOfKnownPatient(clinicUser)
    const made = await createLink(clinicUser, exam.accessionNumber, { deidentify: true })
    assert.equal(made.status, 201, JSON.stringify(made.body))
    const page = await client.get(made.body.url)
    page.assertStatus(200)
    const html = Buffer.from(page.text(), 'utf8')
    const identifiers = [
      NAME,
      nationalId,
      patient.nationalIdMasked ?? nationalId,
      clinicPatientNo,
      exam.accessionNumber,
      clinicUser.institution.name,
      '1962-03-09',
      '19620309',
      DICOM_NAME,
    ]
    for (const identifier of identifiers)
      assert.isFalse(html.includes(Buffer.from(identifier, 'utf8')), `page carries ${identifier}`)
    assert.include(page.text(), `/instances/${instance}/preview`)
    ;(await client.get(`${made.body.url}/instances/${instance}/preview`)).assertStatus(200)

    const dicom = await fetch(
      `${(await import('#tests/support/http')).baseUrl()}${made.body.url}/instances/${instance}/file`
    )
    assert.equal(dicom.status, 200)
    const bytes = Buffer.from(await dicom.arrayBuffer())
    assert.equal(bytes.subarray(128, 132).toString('latin1'), 'DICM')
    for (const identifier of [DICOM_NAME, clinicPatientNo, '19620309', exam.accessionNumber])
      assert.isFalse(
        bytes.includes(Buffer.from(identifier, 'latin1')),
        `DICOM carries ${identifier}`
      )

    // The same grep on a link that is not de-identified finds them: the check above can fail.
    const plain = await createLink(clinicUser, exam.accessionNumber, {})
    const plainBytes = Buffer.from(
      await (
        await fetch(
          `${(await import('#tests/support/http')).baseUrl()}${plain.body.url}/instances/${instance}/file`
        )
      ).arrayBuffer()
    )
    assert.isTrue(plainBytes.includes(Buffer.from(DICOM_NAME, 'latin1')))
    assert.isTrue(plainBytes.includes(Buffer.from('19620309', 'latin1')))
    assert.include((await client.get(plain.body.url)).text(), NAME)
  })

  test('expiry: 7 days by default, at most 30, never in the past; an expired link answers 404', async ({
    assert,
    client,
  }) => {
    const clock = new ManualClock('2026-11-22T06:00:00Z')
    app.container.swap(Clock, () => clock)
    const clinicUser = await make.user('clinic_staff')
    const { exam } = await examOfKnownPatient(clinicUser)
    const made = await createLink(clinicUser, exam.accessionNumber, {})
    assert.equal(made.status, 201)
    assert.equal(
      DateTime.fromISO(made.body.expiresAt).toMillis(),
      clock.now().plus({ days: 7 }).toMillis()
    )
    const past = await createLink(clinicUser, exam.accessionNumber, { expiresOn: '2026-11-20' })
    assert.equal(past.status, 422)
    assert.equal(past.body.errors[0].code, 'expiry_past')
    const far = await createLink(clinicUser, exam.accessionNumber, { expiresOn: '2026-12-31' })
    assert.equal(far.status, 422)
    assert.equal(far.body.errors[0].code, 'expiry_too_far')
    const ok = await createLink(clinicUser, exam.accessionNumber, { expiresOn: '2026-12-20' })
    assert.equal(ok.status, 201)
    assert.equal(
      await ShareLink.query()
        .where('exam_id', exam.id)
        .count('* as n')
        .then((r) => Number(r[0].$extras.n)),
      2
    )

    ;(await client.get(made.body.url)).assertStatus(200)
    clock.advance({ days: 7, seconds: 1 })
    ;(await client.get(made.body.url)).assertStatus(404)
    ;(await client.get(ok.body.url)).assertStatus(200)
    ;(await client.get('/s/not-a-real-token-at-all-xx')).assertStatus(404)
  })

  test('revoked answers 404; an access code is asked for, a wrong one refused; every opening is audited with the IP', async ({
    assert,
    client,
  }) => {
    const clinicUser = await make.user('clinic_staff')
    const { exam, instance } = await examOfKnownPatient(clinicUser)
    const coded = await createLink(clinicUser, exam.accessionNumber, { accessCode: '2468' })
    const locked = await client.get(coded.body.url)
    locked.assertStatus(200)
    assert.include(locked.text(), 'id="link-code-form"')
    assert.notInclude(locked.text(), NAME)
    ;(await client.get(`${coded.body.url}/instances/${instance}/preview`)).assertStatus(404)
    const wrong = await client
      .post(coded.body.url)
      .header('Accept', 'application/json')
      .withCsrfToken()
      .json({ accessCode: '0000' })
    wrong.assertStatus(422)
    assert.equal(wrong.body().errors[0].code, 'wrong_code')

    const opened = await AuditEvent.query()
      .where('action', 'share_link.open')
      .where('target_id', String(coded.body.id))
    assert.isAtLeast(opened.length, 1)
    assert.isNotNull(opened[0].ip)

    const revoked = await client
      .post(`/share-links/${coded.body.id}/revoke`)
      .header('Accept', 'application/json')
      .loginAs(clinicUser)
      .withCsrfToken()
    revoked.assertStatus(200)
    ;(await client.get(coded.body.url)).assertStatus(404)
    ;(await client.get(`${coded.body.url}/instances/${instance}/file`)).assertStatus(404)
  })

  test('another clinic can neither make nor revoke a link to the exam (404); a specialty centre neither', async ({
    assert,
    client,
  }) => {
    const clinicUser = await make.user('clinic_staff')
    const { exam } = await examOfKnownPatient(clinicUser)
    const other = await make.user('clinic_staff')
    const refused = await createLink(other, exam.accessionNumber, {})
    assert.equal(refused.status, 404)
    const made = await createLink(clinicUser, exam.accessionNumber, {})
    ;(
      await client
        .post(`/share-links/${made.body.id}/revoke`)
        .header('Accept', 'application/json')
        .loginAs(other)
        .withCsrfToken()
    ).assertStatus(404)
    const centre = await make.user('clinic_staff', await make.institution('specialty_centre'))
    assert.equal((await createLink(centre, exam.accessionNumber, {})).status, 404)
    assert.isNull((await ShareLink.findOrFail(made.body.id)).revokedAt)
    assert.equal(
      await ShareLink.query()
        .where('exam_id', exam.id)
        .count('* as n')
        .then((r) => Number(r[0].$extras.n)),
      1
    )
  })

  test("the report's PDF through a link: a de-identified link's PDF carries none of the patient's identifiers; a plain link's does", async ({
    assert,
    client,
  }) => {
    const clinicUser = await make.user('clinic_staff')
    const { exam, nationalId, clinicPatientNo } = await examOfKnownPatient(clinicUser)
    await signedReport(exam, clinicUser.institution.name)
    const hidden = await createLink(clinicUser, exam.accessionNumber, { deidentify: true })
    const plain = await createLink(clinicUser, exam.accessionNumber, {})
    const page = await client.get(hidden.body.url)
    assert.include(page.text(), `${hidden.body.url}/report.pdf`)

    const fetchPdf = async (url: string) => {
      const response = await fetch(
        `${(await import('#tests/support/http')).baseUrl()}${url}/report.pdf`
      )
      assert.equal(response.status, 200)
      assert.equal(response.headers.get('content-type'), 'application/pdf')
      return Buffer.from(await response.arrayBuffer())
    }
    const hiddenPdf = await fetchPdf(hidden.body.url)
    const hiddenText = await pdfText(hiddenPdf)
    assert.include(hiddenText, '右肺下叶炎症')
    const identifiers = [
      NAME,
      nationalId,
      clinicPatientNo,
      exam.accessionNumber,
      clinicUser.institution.name,
      '1962-03-09',
    ]
    for (const identifier of identifiers) {
      assert.notInclude(hiddenText, identifier, `PDF text carries ${identifier}`)
      assert.isFalse(
        hiddenPdf.includes(Buffer.from(identifier, 'latin1')),
        `PDF bytes carry ${identifier}`
      )
    }
    // The same grep finds them in a plain link's PDF: the check above can fail.
    const plainPdf = await fetchPdf(plain.body.url)
    const plainText = await pdfText(plainPdf)
    assert.include(plainText, NAME)
    assert.include(plainText, exam.accessionNumber)
    assert.include(plainText, clinicUser.institution.name)
    const opened = await AuditEvent.query()
      .where('action', 'share_link.report_pdf')
      .where('outcome', 'success')
    assert.lengthOf(opened, 2)
    assert.isNotNull(opened[0].ip)

    // Revoked: its PDF answers 404 like the rest of the link.
    const link = await ShareLink.findOrFail(hidden.body.id)
    link.revokedAt = DateTime.utc()
    await link.save()
    const gone = await fetch(
      `${(await import('#tests/support/http')).baseUrl()}${hidden.body.url}/report.pdf`
    )
    assert.equal(gone.status, 404)
  })
})
