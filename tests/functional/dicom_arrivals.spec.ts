import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import ExamStudy from '#models/exam_study'
import UnmatchedStudy from '#models/unmatched_study'
import AuditEvent from '#models/audit_event'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { DicomArrivals, FEED_NAME } from '#app/intake/services/dicom_arrivals'
import { DicomSenderDirectory } from '#app/administration/services/dicom_sender_directory'
import * as make from '#tests/support/fixtures'
import { studyFor, syntheticStudy, writeFolder, cStore } from '#tests/support/dicom'
import { eventually } from '#tests/support/wait'

/*
| A clinic DR sends by DICOM C-STORE (DCMTK's storescu) into the real Orthanc;
| the feed reads /changes and links or lists each study once it is stable.
*/

async function declaredClinic() {
  const clinicUser = await make.user('clinic_staff')
  const directory = await app.container.make(DicomSenderDirectory)
  const aeTitle = make.unique('DR').toUpperCase().slice(0, 16)
  await directory.create({
    institutionId: clinicUser.institutionId,
    aeTitle,
    host: '127.0.0.1',
    port: 104,
    active: true,
  })
  return { clinicUser, aeTitle }
}

/** Starts the feed at Orthanc's newest change, so studies of other tests are not read. */
async function feedFromNow() {
  const orthanc = await app.container.make(OrthancClient)
  await db
    .table('feed_cursors')
    .insert({ name: FEED_NAME, last_seq: await orthanc.lastChange(), updated_at: new Date() })
}

async function sendAndWaitStable(
  aeTitle: string,
  files: Array<{ name: string; data: Buffer }>,
  studyInstanceUid: string
) {
  const folder = await writeFolder(files)
  try {
    await cStore(aeTitle, folder.paths)
  } finally {
    await folder.remove()
  }
  const orthanc = await app.container.make(OrthancClient)
  const [orthancStudyId] = await eventually(async () => {
    const found = await orthanc.findStudies({ StudyInstanceUID: studyInstanceUid })
    return found.length ? found : null
  })
  await eventually(async () => (await orthanc.study(orthancStudyId)).IsStable)
  return orthancStudyId
}

test.group('Studies sent by DICOM C-STORE', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('are matched to their exam by accession number and the exam moves on', async ({
    assert,
  }) => {
    const { clinicUser, aeTitle } = await declaredClinic()
    const { exam, clinicPatient } = await make.exam(clinicUser, 'DR')
    await feedFromNow()
    const study = studyFor(exam, clinicPatient, 1, 2)
    const orthancStudyId = await sendAndWaitStable(aeTitle, study.files, study.studyInstanceUid)

    const arrivals = await app.container.make(DicomArrivals)
    assert.isAtLeast(await arrivals.readFeed(), 1)
    const linked = await ExamStudy.findByOrFail('orthanc_study_id', orthancStudyId)
    assert.equal(linked.examId, exam.id)
    assert.equal(linked.receivedVia, 'dicom')
    assert.equal(linked.sendingAe, aeTitle)
    assert.equal(linked.instanceCount, 2)
    await exam.refresh()
    assert.equal(exam.status, 'images_received')
    assert.equal(exam.instanceCount, 2)
    const event = await AuditEvent.query()
      .where('action', 'exam.images.received_dicom')
      .where('target_id', String(exam.id))
      .firstOrFail()
    assert.equal(event.details?.matchedBy, 'accession')
  })

  test("without an accession number they match by the clinic's patient number and the date", async ({
    assert,
  }) => {
    const { clinicUser, aeTitle } = await declaredClinic()
    const { exam, clinicPatient } = await make.exam(clinicUser, 'DR')
    await feedFromNow()
    const study = studyFor(exam, clinicPatient, 1, 1, { accessionNumber: '' })
    await sendAndWaitStable(aeTitle, study.files, study.studyInstanceUid)
    await (await app.container.make(DicomArrivals)).readFeed()
    await exam.refresh()
    assert.equal(exam.status, 'images_received')
  })

  test('a study no exam claims is listed for the sending clinic, who attaches it; another clinic cannot', async ({
    assert,
    client,
  }) => {
    const { clinicUser, aeTitle } = await declaredClinic()
    const stranger = await make.user('clinic_staff')
    const { exam } = await make.exam(clinicUser, 'DR')
    await feedFromNow()
    const study = syntheticStudy(
      { modality: 'DR', patientName: 'Walk^In', patientId: 'WALKIN-1' },
      1,
      1
    )
    const orthancStudyId = await sendAndWaitStable(aeTitle, study.files, study.studyInstanceUid)
    await (await app.container.make(DicomArrivals)).readFeed()

    const unmatched = await UnmatchedStudy.findByOrFail('orthanc_study_id', orthancStudyId)
    assert.equal(unmatched.institutionId, clinicUser.institutionId)
    assert.equal(unmatched.reason, 'no_exam')
    assert.equal(unmatched.status, 'open')

    const foreign = await client
      .post(`/unmatched/${unmatched.id}/attach`)
      .loginAs(stranger)
      .withCsrfToken()
      .accept('json')
      .json({ examId: exam.id })
    foreign.assertStatus(404)
    assert.equal((await UnmatchedStudy.findOrFail(unmatched.id)).status, 'open')

    const attached = await client
      .post(`/unmatched/${unmatched.id}/attach`)
      .loginAs(clinicUser)
      .withCsrfToken()
      .accept('json')
      .json({ examId: exam.id })
    attached.assertStatus(200)
    await exam.refresh()
    assert.equal(exam.status, 'images_received')
    assert.equal((await UnmatchedStudy.findOrFail(unmatched.id)).status, 'attached')
    const again = await client
      .post(`/unmatched/${unmatched.id}/attach`)
      .loginAs(clinicUser)
      .withCsrfToken()
      .accept('json')
      .json({ examId: exam.id })
    again.assertStatus(409)
  })

  test('an accession number of another clinic is not linked across clinics', async ({ assert }) => {
    const { aeTitle } = await declaredClinic()
    const otherClinic = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(otherClinic, 'DR')
    await feedFromNow()
    const study = studyFor(exam, clinicPatient, 1, 1)
    const orthancStudyId = await sendAndWaitStable(aeTitle, study.files, study.studyInstanceUid)
    await (await app.container.make(DicomArrivals)).readFeed()
    await exam.refresh()
    assert.equal(exam.status, 'registered')
    assert.equal(
      (await UnmatchedStudy.findByOrFail('orthanc_study_id', orthancStudyId)).reason,
      'wrong_clinic'
    )
  })

  test('an undeclared AE title is refused by Orthanc itself', async ({ assert }) => {
    const study = syntheticStudy({ modality: 'DR', patientName: 'X', patientId: 'X' }, 1, 1)
    const folder = await writeFolder(study.files)
    try {
      await assert.rejects(() => cStore('NOT_DECLARED', folder.paths))
    } finally {
      await folder.remove()
    }
    const orthanc = await app.container.make(OrthancClient)
    assert.lengthOf(await orthanc.findStudies({ StudyInstanceUID: study.studyInstanceUid }), 0)
  })

  test("a study forwarded over REST from a clinic's own store is matched for that clinic", async ({
    assert,
  }) => {
    // The storage capability forwards member-store studies to the centre over REST (no AE title);
    // its catalogue says which clinic's store the study came from.
    const clinicUser = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(clinicUser, 'DR')
    await feedFromNow()
    const orthanc = await app.container.make(OrthancClient)
    const study = studyFor(exam, clinicPatient, 1, 1, { accessionNumber: '' })
    const stored = await orthanc.storeInstance(study.files[0].data)
    const now = new Date()
    const [nodeId] = await db.table('storage_nodes').insert({
      name: make.unique('store'),
      role: 'member',
      institution_id: clinicUser.institutionId,
      url: 'http://127.0.0.1:1',
      username: 'x',
      password_cipher: 'x',
      retention_years: 1,
      created_at: now,
      updated_at: now,
    })
    await db.table('archived_studies').insert({
      orthanc_study_id: stored.ParentStudy,
      study_instance_uid: study.studyInstanceUid,
      exam_date: '2026-11-22',
      priority: 'routine',
      origin_node_id: nodeId,
      manifest: '{}',
      manifest_digest: 'x',
      first_seen_at: now,
      created_at: now,
      updated_at: now,
    })
    await eventually(async () => (await orthanc.study(stored.ParentStudy)).IsStable)
    await (await app.container.make(DicomArrivals)).readFeed()
    await exam.refresh()
    assert.equal(exam.status, 'images_received')
    assert.equal(
      (await ExamStudy.findByOrFail('orthanc_study_id', stored.ParentStudy)).examId,
      exam.id
    )
  })

  test('the feed position survives a restart: nothing is lost and nothing doubled', async ({
    assert,
  }) => {
    const { clinicUser, aeTitle } = await declaredClinic()
    const first = await make.exam(clinicUser, 'DR')
    const second = await make.exam(clinicUser, 'DR')
    await feedFromNow()

    const a = studyFor(first.exam, first.clinicPatient, 1, 1)
    await sendAndWaitStable(aeTitle, a.files, a.studyInstanceUid)
    await (await app.container.make(DicomArrivals)).readFeed()
    const positionAfterFirst = Number(
      (await db.from('feed_cursors').where('name', FEED_NAME).firstOrFail()).last_seq
    )

    // The app stops; a study arrives meanwhile; a new process (new service, state only in the database) resumes.
    const b = studyFor(second.exam, second.clinicPatient, 1, 1)
    await sendAndWaitStable(aeTitle, b.files, b.studyInstanceUid)
    const restarted = new DicomArrivals(
      await app.container.make(OrthancClient),
      await app.container.make((await import('#app/platform/clock')).Clock)
    )
    assert.equal(await restarted.position(), positionAfterFirst)
    await restarted.readFeed()
    // Reading again from an older position (a crash before the cursor was saved) changes nothing.
    await db
      .from('feed_cursors')
      .where('name', FEED_NAME)
      .update({ last_seq: positionAfterFirst - 50 })
    await restarted.readFeed()

    await first.exam.refresh()
    await second.exam.refresh()
    assert.equal(first.exam.status, 'images_received')
    assert.equal(second.exam.status, 'images_received')
    assert.equal(first.exam.instanceCount, 1)
    assert.equal(second.exam.instanceCount, 1)
    const links = await ExamStudy.query().whereIn('exam_id', [first.exam.id, second.exam.id])
    assert.lengthOf(links, 2)
    const linkedEvents = await AuditEvent.query()
      .where('action', 'exam.images.received_dicom')
      .whereIn('target_id', [String(first.exam.id), String(second.exam.id)])
    assert.lengthOf(linkedEvents, 2)
  })
})
