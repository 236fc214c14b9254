import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { DicomArrivals, FEED_NAME } from '#app/intake/services/dicom_arrivals'
import { DicomSenderDirectory } from '#app/administration/services/dicom_sender_directory'
import type User from '#models/user'
import * as make from '#tests/support/fixtures'
import { writeFolder, cStore } from '#tests/support/dicom'
import { eventually } from '#tests/support/wait'

/** A clinic user whose clinic has a declared DICOM sender (AE title), as an administrator sets it up. */
export async function declaredClinic(clinicUser?: User) {
  const user = clinicUser ?? (await make.user('clinic_staff'))
  const directory = await app.container.make(DicomSenderDirectory)
  const aeTitle = make.unique('DR').toUpperCase().slice(0, 16)
  await directory.create({
    institutionId: user.institutionId,
    aeTitle,
    host: '127.0.0.1',
    port: 104,
    active: true,
  })
  return { clinicUser: user, aeTitle }
}

/** Starts the central feed at Orthanc's newest change, so studies of other tests are not read. */
export async function feedFromNow() {
  const orthanc = await app.container.make(OrthancClient)
  await db.from('feed_cursors').where('name', FEED_NAME).delete()
  await db
    .table('feed_cursors')
    .insert({ name: FEED_NAME, last_seq: await orthanc.lastChange(), updated_at: new Date() })
}

/** C-STOREs files as the AE title and waits until Orthanc calls the study stable. */
export async function sendAndWaitStable(
  aeTitle: string,
  files: Array<{ name: string; data: Buffer }>,
  studyInstanceUid: string,
  storescuOptions: string[] = []
) {
  const folder = await writeFolder(files)
  try {
    await cStore(aeTitle, folder.paths, storescuOptions)
  } finally {
    await folder.remove()
  }
  const orthanc = await app.container.make(OrthancClient)
  const [orthancStudyId] = await eventually(async () => {
    const found = await orthanc.findStudies({ StudyInstanceUID: studyInstanceUid })
    return found.length ? found : null
  })
  await eventually(async () => (await orthanc.study(orthancStudyId)).IsStable)
  // IsStable can turn true a moment before Orthanc logs the StableStudy change the feed reads (seen once in
  // CI: the feed read, found nothing, and the test failed): wait for the change itself.
  await eventually(async () => {
    const last = await orthanc.lastChange()
    const page = await orthanc.changes(Math.max(0, last - 500), 500)
    return page.Changes.some((c) => c.ChangeType === 'StableStudy' && c.ID === orthancStudyId)
  })
  return orthancStudyId
}

export async function readFeed() {
  return (await app.container.make(DicomArrivals)).readFeed()
}
