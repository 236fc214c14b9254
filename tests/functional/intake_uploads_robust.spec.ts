import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import http from 'node:http'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import Exam from '#models/exam'
import ExamStudy from '#models/exam_study'
import AuditEvent from '#models/audit_event'
import imaging from '#config/imaging'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { parseDicomHeader } from '#app/intake/dicom/dicom_header'
import { encodeGb2312WithEscapes } from '#app/intake/dicom/character_sets'
import { instanceRefusal } from '#app/intake/services/image_intake'
import * as make from '#tests/support/fixtures'
import { studyFor } from '#tests/support/dicom'
import { handMadeFile } from '#tests/support/dicom_bytes'
import { apiToken, postDicom, baseUrl } from '#tests/support/http'
import { realWorldFile, sharedDataDir } from '#tests/support/shared_data'

/*
| Uploads (browser and API) that must not go wrong: two exams racing for one
| study, bodies over the limit on every transfer encoding, the files Orthanc
| accepts and a strict reader used to refuse, and what the exam page shows
| the moment an upload ends.
*/

/** Streams `total` bytes of a DICOM-looking body without Content-Length (chunked); resolves at the response. */
function postChunked(path: string, token: string, head: Buffer, total: number) {
  return new Promise<{ status: number; body: any; sentWhenAnswered: number }>((resolve, reject) => {
    let sent = 0
    let answered = false
    const url = new URL(baseUrl() + path)
    const request = http.request(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          'Authorization': `Bearer ${token}`,
          'Content-Type': 'application/dicom',
          'Accept': 'application/json',
          'Transfer-Encoding': 'chunked',
        },
      },
      (response) => {
        answered = true
        const sentWhenAnswered = sent
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk) => (text += chunk))
        response.on('end', () =>
          resolve({
            status: response.statusCode!,
            body: JSON.parse(text || 'null'),
            sentWhenAnswered,
          })
        )
      }
    )
    request.on('error', (error) => (answered ? undefined : reject(error)))
    const chunk = Buffer.alloc(64 * 1024, 0x11)
    const write = () => {
      if (answered || sent >= total) return request.end()
      const ok = request.write(sent === 0 ? head : chunk)
      sent += sent === 0 ? head.length : chunk.length
      if (ok) setImmediate(write)
      else request.once('drain', write)
    }
    write()
  })
}

test.group('Uploads that must not go wrong', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('the same study uploaded to two exams at once: each instance ends up linked to exactly one exam', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const first = await make.exam(clinic, 'CT')
    // A second exam of the same patient, so the files (no accession) fit both.
    const { ExamRegistration } = await import('#app/intake/services/exam_registration')
    const [second] = await (
      await app.container.make(ExamRegistration)
    ).register(clinic, {
      clinicPatientId: first.clinicPatient.id,
      itemIds: [(await make.item('CT')).id],
      priority: 'routine',
      clinicalHistory: '复查',
      purpose: '复查',
      requestingDoctor: '刘医生',
    })
    const token = await apiToken(clinic)
    const study = studyFor(first.exam, first.clinicPatient, 2, 4, { accessionNumber: '' })
    const results = await Promise.all(
      study.files.flatMap((file) =>
        [first.exam, second].map(async (exam) => ({
          exam: exam.id,
          response: await postDicom(
            `/api/v1/exams/${exam.accessionNumber}/images`,
            file.data,
            token
          ),
        }))
      )
    )
    const link = await ExamStudy.findByOrFail('study_instance_uid', study.studyInstanceUid)
    const winner = link.examId
    const loser = winner === first.exam.id ? second.id : first.exam.id
    for (const result of results) {
      const outcome = result.response.body.files[0]
      if (result.exam === winner) assert.include(['stored', 'already_stored'], outcome.status)
      else assert.equal(outcome.reason, 'study_of_another_exam')
    }
    const orthanc = await app.container.make(OrthancClient)
    assert.lengthOf(await orthanc.studyInstances(link.orthancStudyId), study.files.length)
    assert.equal((await Exam.findOrFail(winner)).instanceCount, study.files.length)
    const lost = await Exam.findOrFail(loser)
    assert.equal(lost.instanceCount, 0)
    assert.equal(lost.status, 'registered')
    assert.lengthOf(await ExamStudy.query().where('exam_id', loser), 0)
  })

  test('a chunked body over the limit answers 413 at once, and the audit row is written', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    const token = await apiToken(clinic)
    const limit = imaging.upload.maxFileBytes
    imaging.upload.maxFileBytes = 200_000
    try {
      const head = studyFor(exam, clinicPatient, 1, 1).files[0].data
      const total = 40 * 1024 * 1024
      const response = await postChunked(
        `/api/v1/exams/${exam.accessionNumber}/images`,
        token,
        head,
        total
      )
      assert.equal(response.status, 413)
      assert.equal(response.body.files[0].reason, 'too_large')
      // Answered long before the client was done sending.
      assert.isBelow(response.sentWhenAnswered, total / 2)
    } finally {
      imaging.upload.maxFileBytes = limit
    }
    assert.equal((await Exam.findOrFail(exam.id)).instanceCount, 0)
    const audited = await AuditEvent.query()
      .where('action', 'exam.images.upload')
      .where('target_id', String(exam.id))
      .firstOrFail()
    assert.equal(audited.outcome, 'refused')
    assert.equal(audited.actorUserId, clinic.id)
  })

  test('a Content-Length over the limit answers 413 without reading the body', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    const limit = imaging.upload.maxFileBytes
    imaging.upload.maxFileBytes = 50_000
    try {
      const response = await postDicom(
        `/api/v1/exams/${exam.accessionNumber}/images`,
        studyFor(exam, clinicPatient, 1, 1).files[0].data,
        await apiToken(clinic)
      )
      assert.equal(response.status, 413)
      assert.equal(response.body.files[0].reason, 'too_large')
    } finally {
      imaging.upload.maxFileBytes = limit
    }
  })

  test('a multipart form with a file over the limit answers 413 at once, not a hang', async ({
    assert,
    client,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(clinic, 'MR')
    const limit = imaging.upload.maxFileBytes
    imaging.upload.maxFileBytes = 300_000
    try {
      const small = studyFor(exam, clinicPatient, 1, 1).files[0].data
      const big = Buffer.concat([
        studyFor(exam, clinicPatient, 1, 1).files[0].data,
        Buffer.alloc(3 * 1024 * 1024),
      ])
      const response = await client
        .post(`/exams/${exam.id}/images`)
        .loginAs(clinic)
        .withCsrfToken()
        .accept('json')
        .file('files', small, { filename: 'ok.dcm' })
        .file('files', big, { filename: 'big.dcm' })
        .file('files', small, { filename: 'later.dcm' })
      const files = response.body().files
      assert.equal(response.status(), 413, JSON.stringify(files))
      assert.equal(
        files.find((f: any) => f.file === 'ok.dcm').status,
        'stored',
        JSON.stringify(files)
      )
      assert.equal(files.find((f: any) => f.file === 'big.dcm').reason, 'too_large')
    } finally {
      imaging.upload.maxFileBytes = limit
    }
  })

  test('deflated, no-preamble and GB2312 (ISO 2022 IR 58) files are stored; Orthanc reads the same patient name', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    const token = await apiToken(clinic)
    const base = { patientId: clinicPatient.clinicPatientNo, accessionNumber: exam.accessionNumber }
    const { newUid } = await import('#tests/support/dicom')
    const studyInstanceUid = newUid()
    const files = {
      deflated: handMadeFile({ ...base, studyInstanceUid }, { deflated: true }),
      noPreamble: handMadeFile({ ...base, studyInstanceUid }, { preamble: false }),
      gb2312: handMadeFile({
        ...base,
        studyInstanceUid,
        characterSet: '\\ISO 2022 IR 58',
        patientName: encodeGb2312WithEscapes('Zhang^San=张^三'),
      }),
    }
    const orthanc = await app.container.make(OrthancClient)
    for (const [name, data] of Object.entries(files)) {
      const response = await postDicom(
        `/api/v1/exams/${exam.accessionNumber}/images`,
        data,
        token,
        `${name}.dcm`
      )
      assert.equal(response.status, 200, name)
      assert.equal(response.body.files[0].status, 'stored', name)
      const tags = (
        await orthanc.http.get(
          `/instances/${response.body.files[0].orthancInstanceId}/simplified-tags`
        )
      ).data
      const ours = parseDicomHeader(data, true)
      assert.equal(ours.state, 'complete')
      if (ours.state === 'complete') {
        assert.equal(tags.PatientID, ours.header.patientId, name)
        assert.equal(tags.PatientName, ours.header.patientName, name)
      }
    }
    assert.equal((await Exam.findOrFail(exam.id)).instanceCount, 3)
  })

  test('a JPEG 2000 lossless study is accepted and its preview renders (orthanc-gdcm)', async ({
    assert,
    client,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam } = await make.exam(clinic, 'MR')
    // The real-world sample: PatientID 4MR1, no accession.
    await db
      .from('clinic_patients')
      .where('patient_id', exam.patientId)
      .where('institution_id', exam.institutionId)
      .update({ clinic_patient_no: '4MR1' })
    const orthanc = await app.container.make(OrthancClient)
    for (const id of await orthanc.findStudies({
      StudyInstanceUID: '1.3.6.1.4.1.5962.1.2.4.20040826185059.5457',
    }))
      await orthanc.deleteStudy(id)
    const response = await postDicom(
      `/api/v1/exams/${exam.accessionNumber}/images`,
      readFileSync(realWorldFile('pyd_MR_small_jp2klossless.dcm')),
      await apiToken(clinic)
    )
    assert.equal(response.status, 200)
    assert.equal(response.body.files[0].status, 'stored')
    const preview = await client
      .get(`/exams/${exam.id}/instances/${response.body.files[0].orthancInstanceId}/preview`)
      .loginAs(clinic)
    preview.assertStatus(200)
    assert.match(String(preview.header('content-type')), /image\/png/)
  })

  test('right after an upload the exam shows its counts and arrival time; a study dated far from its request is a warning', async ({
    assert,
    client,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    const oldDate = exam.registeredAt
      .setZone(imaging.displayTimezone)
      .minus({ days: 5 })
      .toFormat('yyyyMMdd')
    const study = studyFor(exam, clinicPatient, 2, 2, { studyDate: oldDate })
    const token = await apiToken(clinic)
    const other = studyFor(exam, clinicPatient, 1, 1, {
      studyDate: oldDate,
      studyInstanceUid: study.studyInstanceUid,
    })
    const response = await postDicom(
      `/api/v1/exams/${exam.accessionNumber}/images`,
      other.files[0].data,
      token
    )
    assert.equal(response.status, 200)
    assert.equal(response.body.warnings[0].code, 'study_date_before_request')
    assert.isString(response.body.exam.imagesReceivedAt)
    assert.equal(response.body.exam.status, 'images_received')
    assert.match(response.body.exam.studyLines[0], /1 个序列，1 幅|1 series, 1 images/)
    for (const file of study.files)
      await postDicom(`/api/v1/exams/${exam.accessionNumber}/images`, file.data, token)
    // At once, before Orthanc calls the study stable: 3 series (2 + 1), 5 images.
    const link = await ExamStudy.findByOrFail('study_instance_uid', study.studyInstanceUid)
    assert.equal(link.seriesCount, 3)
    assert.equal(link.instanceCount, 5)
    const page = await client.get(`/exams/${exam.id}`).loginAs(clinic)
    page.assertStatus(200)
    assert.include(page.text(), '3 个序列，5 幅')
    assert.notInclude(page.text(), '0 个序列，0 幅')
    assert.include(
      page.text(),
      oldDate.slice(0, 4) + '-' + oldDate.slice(4, 6) + '-' + oldDate.slice(6, 8)
    )
    const receivedAt = (await Exam.findOrFail(exam.id))
      .imagesReceivedAt!.setZone(imaging.displayTimezone)
      .toFormat('yyyy-MM-dd HH:mm')
    assert.include(page.text(), `id="images-received-at">${receivedAt}`)
  })
})

test.group('The header reader agrees with Orthanc on every real-world file', () => {
  test('what Orthanc stores, the reader reads with the same patient, accession and modality; what it refuses, the reader refuses with a true reason', async ({
    assert,
  }) => {
    const orthanc = await app.container.make(OrthancClient)
    const dir = join(sharedDataDir(), 'dicom-realworld')
    const files = readdirSync(dir).filter((f) => !f.endsWith('.txt'))
    assert.isAbove(files.length, 50)
    const exam = { accessionNumber: '', modality: 'CT', clinicPatientNo: null, institutionId: 1 }
    for (const name of files) {
      const data = readFileSync(join(dir, name))
      const ours = parseDicomHeader(data, true)
      let stored: any = null
      try {
        stored = await orthanc.storeInstance(data)
      } catch (error: any) {
        assert.isFalse(error.isUnreachable, `${name}: Orthanc unreachable`)
      }
      if (stored) {
        const tags = (await orthanc.http.get(`/instances/${stored.ID}/simplified-tags`)).data
        assert.equal(ours.state, 'complete', `${name}: Orthanc stores it, the reader must read it`)
        if (ours.state === 'complete') {
          for (const [ourField, tag] of [
            ['patientId', 'PatientID'],
            ['accessionNumber', 'AccessionNumber'],
            ['modality', 'Modality'],
            ['studyInstanceUid', 'StudyInstanceUID'],
          ] as const) {
            assert.equal(ours.header[ourField] ?? '', tags[tag] ?? '', `${name}: ${tag}`)
          }
        }
        if (stored.Status === 'Success') await orthanc.deleteInstance(stored.ID)
      } else if (ours.state === 'complete') {
        // Orthanc refused it: the reader must refuse it too, for a true reason (no UIDs, cut short, lossy…).
        const { DicomStructure } = await import('#app/intake/dicom/dicom_header')
        const structure = new DicomStructure(ours.layout)
        structure.feed(data)
        const reason =
          structure.verdict() === 'truncated' ? 'truncated' : instanceRefusal(ours.header, exam)
        assert.include(['truncated', 'missing_uids', 'lossy_compression'], String(reason), name)
      } else {
        assert.equal(ours.state, 'invalid', name)
      }
    }
  })
})
