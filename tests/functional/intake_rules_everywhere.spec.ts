import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { readFileSync } from 'node:fs'
import { DateTime } from 'luxon'
import Exam from '#models/exam'
import ExamStudy from '#models/exam_study'
import UnmatchedStudy from '#models/unmatched_study'
import AuditEvent from '#models/audit_event'
import ArchivedStudy from '#models/archived_study'
import imaging from '#config/imaging'
import { Clock, ManualClock } from '#app/platform/clock'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import {
  subscribeToChanges,
  unsubscribeFromChanges,
  POISON_MAX_ATTEMPTS,
} from '#app/orthanc/change_feed'
import { StorageNodeRegistry } from '#app/storage/services/storage_node_registry'
import * as make from '#tests/support/fixtures'
import { studyFor, syntheticStudy, newUid } from '#tests/support/dicom'
import { declaredClinic, feedFromNow, sendAndWaitStable, readFeed } from '#tests/support/arrivals'
import { realWorldFile } from '#tests/support/shared_data'
import { handMadeFile } from '#tests/support/dicom_bytes'
import { apiToken, postDicom } from '#tests/support/http'

/*
| The intake rules on every way in (C-STORE arrivals, attaching an unmatched
| study, a series from another clinic into a known study), and a feed that no
| study can block: real Orthanc, real MariaDB, DCMTK's storescu.
*/

async function unmatchedOf(orthancStudyId: string) {
  return UnmatchedStudy.findByOrFail('orthanc_study_id', orthancStudyId)
}

test.group('C-STORE arrivals follow the intake rules', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a lossy JPEG study is not linked: listed for the clinic as lossy', async ({ assert }) => {
    const { clinicUser, aeTitle } = await declaredClinic()
    // The real-world JPEG baseline CT of the toolkits' samples: PatientID 0010, accession 0010.
    const path = realWorldFile('dp_CT0012.fragmented_no_bot_jpeg_baseline.51.dcm')
    const { exam } = await make.exam(clinicUser, 'CT')
    await db
      .from('clinic_patients')
      .where('patient_id', exam.patientId)
      .update({ clinic_patient_no: '0010' })
    await db.from('exams').where('id', exam.id).update({ accession_number: '0010' })
    const orthanc = await app.container.make(OrthancClient)
    for (const id of await orthanc.findStudies({
      StudyInstanceUID: '1.3.6.1.4.1.5962.1.2.10.1166562673.14401',
    }))
      await orthanc.deleteStudy(id)
    await feedFromNow()
    // storescu proposes the file's lossy JPEG transfer syntax (12-bit) only when asked to.
    const orthancStudyId = await sendAndWaitStable(
      aeTitle,
      [{ name: 'jpeg.dcm', data: readFileSync(path) }],
      '1.3.6.1.4.1.5962.1.2.10.1166562673.14401',
      ['-xx']
    )
    await readFeed()
    assert.equal((await Exam.findOrFail(exam.id)).status, 'registered')
    assert.isNull(await ExamStudy.findBy('orthanc_study_id', orthancStudyId))
    const listed = await unmatchedOf(orthancStudyId)
    assert.equal(listed.reason, 'lossy_compression')
    assert.equal(listed.institutionId, clinicUser.institutionId)
  })

  test('a study flagged as once lossy-compressed (0028,2110 = 01) is not linked either', async ({
    assert,
  }) => {
    const { clinicUser, aeTitle } = await declaredClinic()
    const { exam, clinicPatient } = await make.exam(clinicUser, 'CT')
    await feedFromNow()
    const study = studyFor(exam, clinicPatient, 1, 1)
    const { syntheticInstance } = await import('#tests/support/dicom')
    const file = syntheticInstance(
      {
        modality: 'CT',
        patientName: 'Zhang^San',
        patientId: clinicPatient.clinicPatientNo,
        accessionNumber: exam.accessionNumber,
        studyInstanceUid: study.studyInstanceUid,
      },
      {
        seriesInstanceUid: newUid(),
        seriesNumber: 1,
        instanceNumber: 1,
        lossyImageCompression: '01',
      }
    )
    const orthancStudyId = await sendAndWaitStable(
      aeTitle,
      [{ name: 'a.dcm', data: file }],
      study.studyInstanceUid
    )
    await readFeed()
    assert.equal((await unmatchedOf(orthancStudyId)).reason, 'lossy_compression')
    assert.equal((await Exam.findOrFail(exam.id)).status, 'registered')
  })

  test("an MR study sent with a CT exam's accession is not linked: wrong modality", async ({
    assert,
  }) => {
    const { clinicUser, aeTitle } = await declaredClinic()
    const { exam, clinicPatient } = await make.exam(clinicUser, 'CT')
    await feedFromNow()
    const study = syntheticStudy(
      {
        modality: 'MR',
        patientName: 'Zhang^San',
        patientId: clinicPatient.clinicPatientNo,
        accessionNumber: exam.accessionNumber,
      },
      1,
      1
    )
    const orthancStudyId = await sendAndWaitStable(aeTitle, study.files, study.studyInstanceUid)
    await readFeed()
    const listed = await unmatchedOf(orthancStudyId)
    assert.equal(listed.reason, 'modality_mismatch')
    assert.equal(listed.reasonDetail?.modality, 'MR')
    await exam.refresh()
    assert.equal(exam.status, 'registered')
    assert.isFalse(exam.inReadingQueue)
  })

  test("the right accession with another patient's Patient ID is not linked: wrong patient", async ({
    assert,
  }) => {
    const { clinicUser, aeTitle } = await declaredClinic()
    const { exam } = await make.exam(clinicUser, 'DR')
    const other = await make.patientAt(clinicUser.institution)
    await feedFromNow()
    const study = syntheticStudy(
      {
        modality: 'DR',
        patientName: 'Li^Si',
        patientId: other.clinicPatient.clinicPatientNo,
        accessionNumber: exam.accessionNumber,
      },
      1,
      1
    )
    const orthancStudyId = await sendAndWaitStable(aeTitle, study.files, study.studyInstanceUid)
    await readFeed()
    assert.equal((await unmatchedOf(orthancStudyId)).reason, 'patient_mismatch')
    assert.equal((await Exam.findOrFail(exam.id)).status, 'registered')
    const audited = await AuditEvent.query()
      .where('action', 'exam.images.unmatched')
      .where('target_id', orthancStudyId)
      .firstOrFail()
    assert.equal(audited.details?.reason, 'patient_mismatch')
  })

  test('a series another clinic sends into a known study is held apart: not counted, not shown, audited', async ({
    assert,
    client,
  }) => {
    const owner = await declaredClinic()
    const intruder = await declaredClinic()
    const { exam, clinicPatient } = await make.exam(owner.clinicUser, 'DR')
    await feedFromNow()
    const study = studyFor(exam, clinicPatient, 1, 2)
    const orthancStudyId = await sendAndWaitStable(
      owner.aeTitle,
      study.files,
      study.studyInstanceUid
    )
    await readFeed()
    await exam.refresh()
    assert.equal(exam.instanceCount, 2)

    // Clinic 2's device sends a series with clinic 1's Study Instance UID (and patient ID: the same Orthanc study).
    const foreign = syntheticStudy(
      {
        modality: 'DR',
        patientName: 'Zhang^San',
        patientId: clinicPatient.clinicPatientNo,
        studyInstanceUid: study.studyInstanceUid,
      },
      1,
      1
    )
    await sendAndWaitStable(intruder.aeTitle, foreign.files, study.studyInstanceUid)
    const orthanc = await app.container.make(OrthancClient)
    assert.lengthOf(await orthanc.studySeries(orthancStudyId), 2)
    await readFeed()

    await exam.refresh()
    assert.equal(exam.instanceCount, 2)
    const link = await ExamStudy.findByOrFail('orthanc_study_id', orthancStudyId)
    assert.equal(link.seriesCount, 1)
    const held = await db.from('held_series').where('orthanc_study_id', orthancStudyId)
    assert.lengthOf(held, 1)
    assert.equal(held[0].reason, 'another_clinic')
    assert.equal(held[0].sender_institution_id, intruder.clinicUser.institutionId)
    assert.isNotNull(
      await AuditEvent.query()
        .where('action', 'exam.images.series_held')
        .where('target_id', String(exam.id))
        .first()
    )

    // The exam's images are still only its own clinic's series.
    const series = await client
      .get(`/exams/${exam.id}/series`)
      .loginAs(owner.clinicUser)
      .accept('json')
    series.assertStatus(200)
    assert.lengthOf(series.body().series, 1)
    assert.notInclude(
      series.body().series.map((s: any) => s.id),
      held[0].orthanc_series_id
    )
    // …and the centre sees it held apart.
    const admin = await make.user('admin')
    const page = await client.get('/admin/arrival-problems').loginAs(admin)
    page.assertStatus(200)
    assert.include(page.text(), exam.accessionNumber)
  })

  test('attaching a wrong study refuses with the reason and links nothing', async ({
    assert,
    client,
  }) => {
    const { clinicUser, aeTitle } = await declaredClinic()
    const { exam } = await make.exam(clinicUser, 'CT')
    await feedFromNow()
    const study = syntheticStudy(
      { modality: 'MR', patientName: 'Walk^In', patientId: 'WALKIN-MR' },
      1,
      1
    )
    const orthancStudyId = await sendAndWaitStable(aeTitle, study.files, study.studyInstanceUid)
    await readFeed()
    const listed = await unmatchedOf(orthancStudyId)
    assert.equal(listed.reason, 'no_exam')

    const response = await client
      .post(`/unmatched/${listed.id}/attach`)
      .loginAs(clinicUser)
      .withCsrfToken()
      .accept('json')
      .json({ examId: exam.id })
    response.assertStatus(422)
    assert.equal(response.body().errors[0].code, 'modality_mismatch')
    await listed.refresh()
    assert.equal(listed.status, 'open')
    assert.equal((await Exam.findOrFail(exam.id)).status, 'registered')
    assert.isNull(await ExamStudy.findBy('orthanc_study_id', orthancStudyId))
  })

  test("attaching a study whose Patient ID is another patient's is refused", async ({
    assert,
    client,
  }) => {
    const { clinicUser, aeTitle } = await declaredClinic()
    const { exam } = await make.exam(clinicUser, 'DR')
    const other = await make.patientAt(clinicUser.institution)
    await feedFromNow()
    const study = syntheticStudy(
      { modality: 'DR', patientName: 'Li^Si', patientId: other.clinicPatient.clinicPatientNo },
      1,
      1
    )
    const orthancStudyId = await sendAndWaitStable(aeTitle, study.files, study.studyInstanceUid)
    await readFeed()
    const listed = await unmatchedOf(orthancStudyId)
    const response = await client
      .post(`/unmatched/${listed.id}/attach`)
      .loginAs(clinicUser)
      .withCsrfToken()
      .accept('json')
      .json({ examId: exam.id })
    response.assertStatus(422)
    assert.equal(response.body().errors[0].code, 'patient_mismatch')
    assert.equal((await Exam.findOrFail(exam.id)).status, 'registered')
  })
})

test.group('Values longer than DICOM allows never stop the feed', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('C-STORE: a 20-character accession and a 76-character UID are listed whole with the reason; a valid 141-character name links; the next study still arrives', async ({
    assert,
  }) => {
    const { clinicUser, aeTitle } = await declaredClinic()
    const registry = await app.container.make(StorageNodeRegistry)
    // The centre's storage node at the app's Orthanc: the storage catalogue reads the same feed.
    await registry.register({
      name: make.unique('centre'),
      role: 'central',
      url: imaging.orthanc.url,
      username: imaging.orthanc.username,
      password: imaging.orthanc.password,
      catalogueExisting: false,
    })
    const longName = `${'ZHANG'.repeat(12)}SANF=${'张'.repeat(64)}=${'zhangsanfen'}`
    assert.lengthOf([...longName], 141)
    const named = await make.exam(clinicUser, 'DR')
    const normal = await make.exam(clinicUser, 'DR')
    await feedFromNow()

    const longAccession = syntheticStudy(
      {
        modality: 'DR',
        patientName: 'A^B',
        patientId: 'P-LONG-ACC',
        accessionNumber: 'ACC'.padEnd(20, '7'),
      },
      1,
      1
    )
    const longUid = `1.2.826.0.1.3680043.10.1447.${'9'.repeat(48)}`
    assert.lengthOf(longUid, 76)
    // Written byte by byte: DICOM libraries cut such a UID to 64 when they write it.
    const uidStudy = {
      files: [
        {
          name: 'long-uid.dcm',
          data: handMadeFile({
            patientId: 'P-LONG-UID',
            modality: 'DX',
            studyInstanceUid: longUid,
          }),
        },
      ],
    }
    const nameStudy = studyFor(named.exam, named.clinicPatient, 1, 1, { patientName: longName })
    const normalStudy = studyFor(normal.exam, normal.clinicPatient, 1, 1)
    const accId = await sendAndWaitStable(
      aeTitle,
      longAccession.files,
      longAccession.studyInstanceUid
    )
    const uidId = await sendAndWaitStable(aeTitle, uidStudy.files, longUid)
    const nameId = await sendAndWaitStable(aeTitle, nameStudy.files, nameStudy.studyInstanceUid)
    const normalId = await sendAndWaitStable(
      aeTitle,
      normalStudy.files,
      normalStudy.studyInstanceUid
    )

    // One read of the feed, as one poll would do.
    await readFeed()
    const byAccession = await unmatchedOf(accId)
    assert.equal(byAccession.reason, 'value_too_long')
    assert.equal(byAccession.dicomAccession, 'ACC'.padEnd(20, '7'))
    assert.deepEqual(byAccession.reasonDetail, { field: 'AccessionNumber', length: 20, limit: 16 })
    const byUid = await unmatchedOf(uidId)
    assert.equal(byUid.reason, 'value_too_long')
    assert.equal(byUid.studyInstanceUid, longUid)
    assert.equal((await ExamStudy.findByOrFail('orthanc_study_id', nameId)).examId, named.exam.id)
    assert.equal(
      (await ExamStudy.findByOrFail('orthanc_study_id', normalId)).examId,
      normal.exam.id
    )
    assert.equal((await Exam.findOrFail(normal.exam.id)).status, 'images_received')
    // Stored whole in the storage catalogue too, and nothing poisoned.
    assert.equal(
      (await ArchivedStudy.findByOrFail('orthanc_study_id', uidId)).studyInstanceUid,
      longUid
    )
    assert.equal(
      (await ArchivedStudy.findByOrFail('orthanc_study_id', accId)).accessionNumber,
      'ACC'.padEnd(20, '7')
    )
    assert.lengthOf(
      await db.from('feed_poison_changes').whereIn('resource_id', [accId, uidId, nameId, normalId]),
      0
    )
  })

  test('upload: a 20-character accession and a 76-character UID are refused with the reason; a valid 141-character name is stored', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    const token = await apiToken(clinic)
    const url = `/api/v1/exams/${exam.accessionNumber}/images`
    const accession = await postDicom(
      url,
      studyFor(exam, clinicPatient, 1, 1, { accessionNumber: 'X'.repeat(20) }).files[0].data,
      token
    )
    assert.equal(accession.status, 422)
    assert.equal(accession.body.files[0].reason, 'value_too_long')
    assert.include(accession.body.files[0].message, 'AccessionNumber')
    const uid = await postDicom(
      url,
      handMadeFile({
        patientId: clinicPatient.clinicPatientNo,
        accessionNumber: exam.accessionNumber,
        studyInstanceUid: `1.2.826.0.1.3680043.10.1447.${'9'.repeat(48)}`,
      }),
      token
    )
    assert.equal(uid.status, 422)
    assert.equal(uid.body.files[0].reason, 'value_too_long')
    await exam.refresh()
    assert.equal(exam.status, 'registered')
    const name = await postDicom(
      url,
      studyFor(exam, clinicPatient, 1, 1, {
        patientName: `${'A'.repeat(64)}=${'张'.repeat(64)}=${'a'.repeat(11)}`,
      }).files[0].data,
      token
    )
    assert.equal(name.status, 200)
    assert.equal(name.body.files[0].status, 'stored')
  })

  test('a change a subscriber fails on is kept as poison, retried with back-off, then parked; the feed moves on', async ({
    assert,
  }) => {
    const clock = new ManualClock(DateTime.utc())
    app.container.swap(Clock, () => clock)
    const { clinicUser, aeTitle } = await declaredClinic()
    const first = await make.exam(clinicUser, 'DR')
    const second = await make.exam(clinicUser, 'DR')
    await feedFromNow()
    const a = studyFor(first.exam, first.clinicPatient, 1, 1)
    const b = studyFor(second.exam, second.clinicPatient, 1, 1)
    const poisoned = await sendAndWaitStable(aeTitle, a.files, a.studyInstanceUid)
    let failing = true
    subscribeToChanges({
      name: 'test-poison',
      changeTypes: ['StableStudy'],
      async handle(change) {
        if (failing && change.ID === poisoned) throw new Error('this study cannot be handled')
      },
    })
    try {
      await readFeed()
      const [row] = await db
        .from('feed_poison_changes')
        .where('subscriber', 'test-poison')
        .where('resource_id', poisoned)
      assert.equal(row.status, 'retrying')
      assert.equal(row.attempts, 1)
      assert.include(row.last_error, 'cannot be handled')
      // Intake, another subscriber, handled it; and a later study arrives.
      assert.equal((await Exam.findOrFail(first.exam.id)).status, 'images_received')
      await sendAndWaitStable(aeTitle, b.files, b.studyInstanceUid)
      await readFeed()
      assert.equal((await Exam.findOrFail(second.exam.id)).status, 'images_received')

      // Not retried before its time; then retried at 30 s, 2 min, 10 min, 1 h, and parked.
      assert.equal((await db.from('feed_poison_changes').where('id', row.id).first()).attempts, 1)
      for (const seconds of [31, 121, 601, 3601]) {
        clock.advance({ seconds })
        await readFeed()
      }
      const parked = await db.from('feed_poison_changes').where('id', row.id).first()
      assert.equal(parked.attempts, POISON_MAX_ATTEMPTS)
      assert.equal(parked.status, 'parked')
      clock.advance({ hours: 5 })
      await readFeed()
      assert.equal(
        (await db.from('feed_poison_changes').where('id', row.id).first()).attempts,
        POISON_MAX_ATTEMPTS
      )

      // An administrator sees it and retries it once the cause is gone.
      failing = false
      const { retryPoisonNow } = await import('#app/orthanc/change_feed')
      assert.isTrue(await retryPoisonNow(row.id, clock.now()))
      await readFeed()
      assert.equal(
        (await db.from('feed_poison_changes').where('id', row.id).first()).status,
        'resolved'
      )
    } finally {
      unsubscribeFromChanges('test-poison')
      app.container.restore(Clock)
    }
  })
})
