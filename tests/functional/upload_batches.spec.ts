import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import Exam from '#models/exam'
import ExamStudy from '#models/exam_study'
import AuditEvent from '#models/audit_event'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import * as make from '#tests/support/fixtures'
import { studyFor, syntheticInstance, newUid } from '#tests/support/dicom'
import type { StudySpec } from '#database/demo/synthetic_dicom'
import { apiToken, postDicomBatch } from '#tests/support/http'

/*
| Uploads in batches (issue 18): several files per multipart request. Every
| check still applies to every file; the exam, token and audit are paid once
| per request; what Orthanc already holds is not sent again; the batch is
| linked at the end, so counts come out right whichever batches finish first.
*/

/** Counts the instances the app sends to Orthanc while `work` runs. */
async function countingStores<T>(work: () => Promise<T>) {
  const original = OrthancClient.prototype.storeInstance
  let sent = 0
  OrthancClient.prototype.storeInstance = function (
    this: OrthancClient,
    ...args: Parameters<typeof original>
  ) {
    sent++
    return original.apply(this, args)
  }
  try {
    const result = await work()
    return { result, sent }
  } finally {
    OrthancClient.prototype.storeInstance = original
  }
}

async function seriesCounts(examId: number) {
  const rows = await db
    .from('exam_series')
    .join('exam_studies', 'exam_studies.id', 'exam_series.exam_study_id')
    .where('exam_studies.exam_id', examId)
    .select('exam_series.instance_count')
  return rows.map((r) => Number(r.instance_count)).sort()
}

test.group('Uploads in batches', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('one request of eight files: stored, linked at once with its series, one audit row, answers in the order sent', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    const token = await apiToken(clinic)
    const study = studyFor(exam, clinicPatient, 2, 4)

    const response = await postDicomBatch(
      `/api/v1/exams/${exam.accessionNumber}/images`,
      study.files,
      token
    )
    assert.equal(response.status, 200)
    assert.equal(response.body.stored, 8)
    assert.deepEqual(
      response.body.files.map((f: any) => f.file),
      study.files.map((f) => f.name)
    )
    assert.equal(response.body.exam.instanceCount, 8)

    await exam.refresh()
    assert.equal(exam.status, 'images_received')
    assert.equal(exam.instanceCount, 8)
    const linked = await ExamStudy.findByOrFail('study_instance_uid', study.studyInstanceUid)
    assert.equal(linked.instanceCount, 8)
    assert.equal(linked.seriesCount, 2)
    assert.deepEqual(await seriesCounts(exam.id), [4, 4])
    const audits = await AuditEvent.query()
      .where('action', 'exam.images.upload')
      .where('target_id', String(exam.id))
    assert.lengthOf(audits, 1)
    assert.equal(audits[0].outcome, 'success')
  })

  test('every check applies to each file of a batch: refused files are named with their reason, the rest is stored', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    const token = await apiToken(clinic)
    const spec: StudySpec = {
      modality: 'CT',
      patientName: 'Zhang^San',
      patientId: clinicPatient.clinicPatientNo,
      accessionNumber: exam.accessionNumber,
    }
    const study = studyFor(exam, clinicPatient, 1, 2)
    const one = (extra = {}, s = spec) =>
      syntheticInstance(s, {
        seriesInstanceUid: newUid(),
        seriesNumber: 9,
        instanceNumber: 1,
        ...extra,
      })
    const files = [
      study.files[0],
      { name: 'other-patient.dcm', data: one({}, { ...spec, patientId: 'SOMEONE-ELSE' }) },
      { name: 'lossy.dcm', data: one({ transferSyntaxUid: '1.2.840.10008.1.2.4.50' }) },
      { name: 'mr.dcm', data: one({}, { ...spec, modality: 'MR' }) },
      { name: 'other-accession.dcm', data: one({}, { ...spec, accessionNumber: '99999999999' }) },
      study.files[1],
    ]
    const response = await postDicomBatch(
      `/api/v1/exams/${exam.accessionNumber}/images`,
      files,
      token
    )
    assert.equal(response.status, 200)
    assert.deepEqual(
      response.body.files.map((f: any) => f.reason ?? f.status),
      [
        'stored',
        'patient_mismatch',
        'lossy_compression',
        'modality_mismatch',
        'accession_mismatch',
        'stored',
      ]
    )
    await exam.refresh()
    assert.equal(exam.instanceCount, 2)
  })

  test("another clinic's exam: the whole batch is hidden (404) and nothing is stored", async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const other = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    const token = await apiToken(other)
    const { result, sent } = await countingStores(() =>
      postDicomBatch(
        `/api/v1/exams/${exam.accessionNumber}/images`,
        studyFor(exam, clinicPatient, 1, 3).files,
        token
      )
    )
    assert.equal(result.status, 404)
    assert.equal(sent, 0)
    await exam.refresh()
    assert.equal(exam.instanceCount, 0)
  })

  test('an interrupted batch run again sends only what Orthanc lacks, and the counts come out right', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(clinic, 'DR')
    const token = await apiToken(clinic)
    const study = studyFor(exam, clinicPatient, 2, 4)
    const url = `/api/v1/exams/${exam.accessionNumber}/images`

    // The first attempt stored three files and was cut off.
    await postDicomBatch(url, study.files.slice(0, 3), token)
    const again = await countingStores(() => postDicomBatch(url, study.files, token))
    assert.equal(again.sent, 5, 'the three Orthanc holds are not sent again')
    assert.equal(again.result.body.alreadyStored, 3)
    assert.equal(again.result.body.stored, 5)
    await exam.refresh()
    assert.equal(exam.instanceCount, 8)
    assert.deepEqual(await seriesCounts(exam.id), [4, 4])

    // A third run sends nothing at all and changes nothing.
    const third = await countingStores(() => postDicomBatch(url, study.files, token))
    assert.equal(third.sent, 0)
    assert.equal(third.result.body.alreadyStored, 8)
    await exam.refresh()
    assert.equal(exam.instanceCount, 8)
  })

  test('instances a crashed attempt left in Orthanc without a link are counted by the next batch', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    const token = await apiToken(clinic)
    const study = studyFor(exam, clinicPatient, 1, 6)
    const url = `/api/v1/exams/${exam.accessionNumber}/images`
    await postDicomBatch(url, study.files.slice(0, 1), token)
    // The node died between Orthanc's answer and the commit for these two.
    const orthanc = await app.container.make(OrthancClient)
    for (const file of study.files.slice(1, 3)) await orthanc.storeInstance(file.data)
    await exam.refresh()
    assert.equal(exam.instanceCount, 1)

    const rerun = await postDicomBatch(url, study.files, token)
    assert.equal(rerun.body.alreadyStored, 3)
    assert.equal(rerun.body.stored, 3)
    await exam.refresh()
    assert.equal(exam.instanceCount, 6)
  })

  test('batches of one study racing each other: every instance counted once', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    const token = await apiToken(clinic)
    const study = studyFor(exam, clinicPatient, 2, 6)
    const url = `/api/v1/exams/${exam.accessionNumber}/images`
    const groups = [0, 1, 2, 3].map((i) => study.files.filter((_f, n) => n % 4 === i))
    const answers = await Promise.all(groups.map((files) => postDicomBatch(url, files, token)))
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200, 200]
    )
    await exam.refresh()
    assert.equal(exam.instanceCount, 12)
    assert.deepEqual(await seriesCounts(exam.id), [6, 6])
    assert.equal((await Exam.findOrFail(exam.id)).status, 'images_received')
  })
})
