import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import Exam from '#models/exam'
import ExamStudy from '#models/exam_study'
import AuditEvent from '#models/audit_event'
import imaging from '#config/imaging'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import * as make from '#tests/support/fixtures'
import { studyFor, syntheticInstance, newUid } from '#tests/support/dicom'
import type { StudySpec } from '#database/demo/synthetic_dicom'
import { apiToken, postDicom } from '#tests/support/http'

test.group('Image upload through the API', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('stores every instance in Orthanc, links the study and moves the exam to images received', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    const token = await apiToken(clinic)
    const study = studyFor(exam, clinicPatient, 2, 3)

    for (const file of study.files) {
      const response = await postDicom(
        `/api/v1/exams/${exam.accessionNumber}/images`,
        file.data,
        token,
        file.name
      )
      assert.equal(response.status, 200)
      assert.equal(response.body.files[0].status, 'stored')
    }

    await exam.refresh()
    assert.equal(exam.status, 'images_received')
    assert.equal(exam.instanceCount, 6)
    assert.isNotNull(exam.imagesReceivedAt)
    const linked = await ExamStudy.findByOrFail('study_instance_uid', study.studyInstanceUid)
    assert.equal(linked.examId, exam.id)
    assert.equal(linked.receivedVia, 'upload')

    const orthanc = await app.container.make(OrthancClient)
    const instances = await orthanc.studyInstances(linked.orthancStudyId)
    assert.lengthOf(instances, 6)
    assert.equal(
      (await orthanc.study(linked.orthancStudyId)).MainDicomTags.AccessionNumber,
      exam.accessionNumber
    )
  })

  test('running an interrupted upload again stores nothing twice', async ({ assert }) => {
    const clinic = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(clinic, 'DR')
    const token = await apiToken(clinic)
    const study = studyFor(exam, clinicPatient, 1, 3)

    // The first attempt got through one file before the connection dropped.
    await postDicom(`/api/v1/exams/${exam.accessionNumber}/images`, study.files[0].data, token)
    const statuses = []
    for (const file of study.files) {
      statuses.push(
        (await postDicom(`/api/v1/exams/${exam.accessionNumber}/images`, file.data, token)).body
          .files[0].status
      )
    }
    assert.deepEqual(statuses, ['already_stored', 'stored', 'stored'])
    await exam.refresh()
    assert.equal(exam.instanceCount, 3)
  })

  test("refuses, with the reason, files that are not this exam's: {case}")
    .with([
      { case: 'not DICOM', reason: 'not_dicom' },
      { case: 'another accession number', reason: 'accession_mismatch' },
      { case: 'another patient', reason: 'patient_mismatch' },
      { case: 'lossy JPEG', reason: 'lossy_compression' },
      { case: 'wrong modality', reason: 'modality_mismatch' },
      { case: 'truncated file', reason: 'truncated' },
    ])
    .run(async ({ assert }, row) => {
      const clinic = await make.user('clinic_staff')
      const { exam, clinicPatient } = await make.exam(clinic, 'CT')
      const token = await apiToken(clinic)
      const spec: StudySpec = {
        modality: 'CT',
        patientName: 'Zhang^San',
        patientId: clinicPatient.clinicPatientNo,
        accessionNumber: exam.accessionNumber,
      }
      const one = (extra = {}, study = spec) =>
        syntheticInstance(study, {
          seriesInstanceUid: newUid(),
          seriesNumber: 1,
          instanceNumber: 1,
          ...extra,
        })
      const bodies: Record<string, Buffer> = {
        not_dicom: Buffer.from('PK\u0003\u0004 a zip file, not an image'.padEnd(600, 'x')),
        accession_mismatch: one({}, { ...spec, accessionNumber: '99999999999' }),
        patient_mismatch: one({}, { ...spec, patientId: 'SOMEONE-ELSE' }),
        lossy_compression: one({ transferSyntaxUid: '1.2.840.10008.1.2.4.50' }),
        modality_mismatch: one({}, { ...spec, modality: 'MR' }),
        truncated: one().subarray(0, 300),
      }
      const response = await postDicom(
        `/api/v1/exams/${exam.accessionNumber}/images`,
        bodies[row.reason],
        token
      )
      assert.equal(response.status, 422)
      assert.equal(response.body.files[0].status, 'rejected')
      assert.equal(response.body.files[0].reason, row.reason)
      assert.isString(response.body.files[0].message)
      // Nothing changed.
      await exam.refresh()
      assert.equal(exam.status, 'registered')
      assert.equal(exam.instanceCount, 0)
      assert.equal(
        await ExamStudy.query()
          .where('exam_id', exam.id)
          .count('* as n')
          .then((r) => Number(r[0].$extras.n)),
        0
      )
      const audited = await AuditEvent.query()
        .where('action', 'exam.images.upload')
        .where('target_id', String(exam.id))
        .firstOrFail()
      assert.equal(audited.outcome, 'refused')
    })

  test('refuses a file over the size limit before storing it', async ({ assert }) => {
    const clinic = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    const token = await apiToken(clinic)
    const limit = imaging.upload.maxFileBytes
    imaging.upload.maxFileBytes = 50_000
    try {
      const response = await postDicom(
        `/api/v1/exams/${exam.accessionNumber}/images`,
        studyFor(exam, clinicPatient, 1, 1).files[0].data,
        token
      )
      assert.equal(response.body.files[0].reason, 'too_large')
    } finally {
      imaging.upload.maxFileBytes = limit
    }
    await exam.refresh()
    assert.equal(exam.instanceCount, 0)
  })

  test("another clinic's exam answers 404, exactly like a missing one, and is audited", async ({
    assert,
  }) => {
    const owner = await make.user('clinic_staff')
    const other = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(owner, 'CT')
    const token = await apiToken(other)
    const file = studyFor(exam, clinicPatient, 1, 1).files[0].data

    const foreign = await postDicom(`/api/v1/exams/${exam.accessionNumber}/images`, file, token)
    const missing = await postDicom(`/api/v1/exams/00000000000/images`, file, token)
    assert.equal(foreign.status, 404)
    assert.equal(missing.status, 404)
    assert.deepEqual(foreign.body, missing.body)
    const denied = await AuditEvent.query()
      .where('action', 'exam.images.upload')
      .where('outcome', 'denied')
      .where('target_id', String(exam.id))
      .first()
    assert.isNotNull(denied)
    assert.equal(denied!.actorUserId, other.id)
    await exam.refresh()
    assert.equal(exam.instanceCount, 0)
  })

  test('a radiologist may see the exam but not upload to it', async ({ assert }) => {
    const clinic = await make.user('clinic_staff')
    const radiologist = await make.user('radiologist')
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    const response = await postDicom(
      `/api/v1/exams/${exam.accessionNumber}/images`,
      studyFor(exam, clinicPatient, 1, 1).files[0].data,
      await apiToken(radiologist)
    )
    assert.equal(response.status, 403)
    assert.equal((await Exam.findOrFail(exam.id)).instanceCount, 0)
  })

  test('without a token the API answers 401', async ({ assert }) => {
    const clinic = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    const response = await postDicom(
      `/api/v1/exams/${exam.accessionNumber}/images`,
      studyFor(exam, clinicPatient, 1, 1).files[0].data,
      'ica_forged.token'
    )
    assert.equal(response.status, 401)
  })
})

test.group('Image upload through the HTML form', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a folder posted as multipart is stored file by file with a summary', async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(clinic, 'MR')
    const study = studyFor(exam, clinicPatient, 1, 3)
    let request = client
      .post(`/exams/${exam.id}/images`)
      .loginAs(clinic)
      .withCsrfToken()
      .accept('json')
    for (const file of study.files)
      request = request.file('files', file.data, { filename: file.name })
    request = request.file('files', Buffer.from('just some notes'), { filename: 'README.txt' })
    const response = await request

    response.assertStatus(200)
    assert.equal(response.body().stored, 3)
    assert.equal(response.body().rejected, 1)
    assert.equal(
      response.body().files.find((f: any) => f.file === 'README.txt').reason,
      'not_dicom'
    )
    await exam.refresh()
    assert.equal(exam.instanceCount, 3)
  })

  test('without its CSRF token the form changes nothing', async ({ client, assert }) => {
    const clinic = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(clinic, 'MR')
    const response = await client
      .post(`/exams/${exam.id}/images`)
      .loginAs(clinic)
      .accept('json')
      .file('files', studyFor(exam, clinicPatient, 1, 1).files[0].data, { filename: 'a.dcm' })
    response.assertStatus(403)
    await exam.refresh()
    assert.equal(exam.instanceCount, 0)
  })
})
