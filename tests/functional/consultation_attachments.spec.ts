import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import { deflateSync, crc32 } from 'node:zlib'
import db from '@adonisjs/lucid/services/db'
import AuditEvent from '#models/audit_event'
import ExamStudy from '#models/exam_study'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import ConsultationAttachment from '#app/consultation/models/consultation_attachment'
import { ATTACHMENT_MAX_BYTES } from '#app/consultation/consultation_rules'
import * as make from '#tests/support/fixtures'
import { consultationScene, ctExamWithImages, requested } from '#tests/support/consultation'

/*
| C 8.3.1: non-DICOM attachments. A PNG photo of an outside film and a PDF are
| made DICOM by the centre's Orthanc (secondary capture, encapsulated PDF) in
| the exam's own study, so they carry the exam's patient; the database keeps
| only the instance id. The type is read from the bytes, never the name.
*/

/** A small valid PNG (8-bit grey), built by hand so the test needs no image library. */
function png(width = 16, height = 16) {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body))
    return Buffer.concat([length, body, crc])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth
  header[9] = 0 // greyscale
  const rows = []
  for (let y = 0; y < height; y++)
    rows.push(Buffer.from([0, ...Array.from({ length: width }, (_, x) => (x * 16 + y) % 256)]))
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1'
)

async function scene() {
  const { clinicUser, consultant, head } = await consultationScene()
  const { exam, patient } = await ctExamWithImages(clinicUser, '头', '外院CT提示占位')
  const consultation = await requested(clinicUser, exam)
  const study = await ExamStudy.query().where('exam_id', exam.id).firstOrFail()
  return { clinicUser, consultant, head, exam, patient, consultation, study }
}

test.group('Consultation · non-DICOM attachments', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a PNG photo and a PDF become DICOM in the exam’s study (its patient), not database bytes, and are shown in the consultation', async ({
    assert,
    client,
  }) => {
    const s = await scene()
    const orthanc = await app.container.make(OrthancClient)
    const image = png()
    const sent = await client
      .post(`/consultations/${s.consultation.id}/attachments`)
      .loginAs(s.clinicUser)
      .withCsrfToken()
      .file('file', image, { filename: '外院胶片.png' })
      .redirects(0)
    sent.assertStatus(302)
    const pdf = await client
      .post(`/consultations/${s.consultation.id}/attachments`)
      .loginAs(s.consultant)
      .withCsrfToken()
      .header('Accept', 'application/json')
      .file('file', PDF, { filename: 'outside-report.pdf' })
    pdf.assertStatus(201)
    assert.equal(pdf.body().contentType, 'application/pdf')

    const rows = await ConsultationAttachment.query()
      .where('consultation_id', s.consultation.id)
      .orderBy('id')
    assert.deepEqual(
      rows.map((r) => r.contentType),
      ['image/png', 'application/pdf']
    )
    // The database holds pointers only: no column of the table carries the file's bytes.
    const columns = Object.keys(
      (await db.from('consultation_attachments').where('id', rows[0].id).first()) ?? {}
    )
    assert.sameMembers(columns, [
      'id',
      'consultation_id',
      'file_name',
      'content_type',
      'size_bytes',
      'orthanc_instance_id',
      'added_by_id',
      'created_at',
    ])

    for (const row of rows) {
      const instance: any = await orthanc.instance(row.orthancInstanceId)
      const study = await orthanc.studyOfInstance(row.orthancInstanceId)
      assert.equal(study, s.study.orthancStudyId)
      const patientId = (await orthanc.study(s.study.orthancStudyId)).PatientMainDicomTags.PatientID
      assert.equal(await orthanc.instanceTag(row.orthancInstanceId, '0010-0020'), patientId)
      const sopClass = await orthanc.instanceTag(row.orthancInstanceId, '0008-0016')
      assert.isOk(instance.ID)
      if (row.contentType === 'application/pdf') {
        assert.equal(sopClass, '1.2.840.10008.5.1.4.1.1.104.1') // Encapsulated PDF Storage
        assert.equal(
          await orthanc.instanceTag(row.orthancInstanceId, '0042-0012'),
          'application/pdf'
        )
      } else {
        assert.equal(sopClass, '1.2.840.10008.5.1.4.1.1.7') // Secondary Capture Image Storage
      }
    }

    const page = await client.get(`/consultations/${s.consultation.id}`).loginAs(s.consultant)
    page.assertStatus(200)
    assert.include(page.text(), '外院胶片.png')
    assert.include(page.text(), `data-attachment="${rows[1].id}"`)
    const shownPdf = await client
      .get(`/consultations/${s.consultation.id}/attachments/${rows[1].id}`)
      .loginAs(s.clinicUser)
    shownPdf.assertStatus(200)
    shownPdf.assertHeader('content-type', 'application/pdf')
    // The PDF comes back as it was sent (read out of the DICOM instance, its even-length padding trimmed).
    assert.equal(Buffer.from(shownPdf.body()).toString('latin1'), PDF.toString('latin1').trim())
    const shownPng = await client
      .get(`/consultations/${s.consultation.id}/attachments/${rows[0].id}`)
      .loginAs(s.clinicUser)
    shownPng.assertStatus(200)
    assert.match(String(shownPng.header('content-type')), /^image\//)
    // Another clinic sees neither the consultation nor its attachments.
    const outsider = await make.user('clinic_staff')
    ;(
      await client
        .get(`/consultations/${s.consultation.id}/attachments/${rows[1].id}`)
        .loginAs(outsider)
    ).assertStatus(404)
  }).timeout(60_000)

  test('refusals: text named .png, a file over the limit, someone not in the consultation; nothing is stored', async ({
    assert,
    client,
  }) => {
    const s = await scene()
    const orthanc = await app.container.make(OrthancClient)
    const before = (await orthanc.studyInstances(s.study.orthancStudyId)).length
    const send = (user: any, bytes: Buffer, filename: string) =>
      client
        .post(`/consultations/${s.consultation.id}/attachments`)
        .loginAs(user)
        .withCsrfToken()
        .header('Accept', 'application/json')
        .file('file', bytes, { filename })

    const disguised = await send(s.clinicUser, Buffer.from('<html>not an image</html>'), 'film.png')
    disguised.assertStatus(422)
    assert.equal(disguised.body().errors[0].code, 'attachment_type')
    const tooLarge = Buffer.concat([png(), Buffer.alloc(ATTACHMENT_MAX_BYTES)])
    const big = await send(s.clinicUser, tooLarge, 'big.png')
    big.assertStatus(422)
    assert.equal(big.body().errors[0].code, 'attachment_too_large')
    const notIn = await send(s.head, png(), 'film.png')
    notIn.assertStatus(403)

    assert.lengthOf(
      await ConsultationAttachment.query().where('consultation_id', s.consultation.id),
      0
    )
    assert.lengthOf(await orthanc.studyInstances(s.study.orthancStudyId), before)
    const refused = await AuditEvent.query()
      .where('action', 'consultation.attach')
      .whereIn('outcome', ['refused', 'denied'])
    assert.lengthOf(refused, 3)
  }).timeout(60_000)
})
