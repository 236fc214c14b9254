import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import AuditEvent from '#models/audit_event'
import * as make from '#tests/support/fixtures'
import { studyFor } from '#tests/support/dicom'
import { apiToken, baseUrl, postDicom } from '#tests/support/http'

async function examWithImages() {
  const clinic = await make.user('clinic_staff')
  const { exam, clinicPatient } = await make.exam(clinic, 'CT')
  const token = await apiToken(clinic)
  const ids: string[] = []
  for (const file of studyFor(exam, clinicPatient, 1, 2).files) {
    ids.push(
      (await postDicom(`/api/v1/exams/${exam.accessionNumber}/images`, file.data, token)).body
        .files[0].orthancInstanceId
    )
  }
  return { clinic, exam, ids }
}

test.group('Images reach a browser only through the app', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('the clinic and the radiologists get previews and windowed frames of the exam', async ({
    client,
    assert,
  }) => {
    const { clinic, exam, ids } = await examWithImages()
    const radiologist = await make.user('radiologist')
    const series = await client.get(`/exams/${exam.id}/series`).loginAs(clinic).accept('json')
    series.assertStatus(200)
    assert.deepEqual(series.body().series[0].instances, ids)
    for (const user of [clinic, radiologist]) {
      const preview = await client
        .get(`/exams/${exam.id}/instances/${ids[0]}/preview`)
        .loginAs(user)
      preview.assertStatus(200)
      preview.assertHeader('content-type', 'image/png')
      const lung = await client
        .get(`/exams/${exam.id}/instances/${ids[1]}/frames/0/rendered`)
        .qs({ preset: 'lung' })
        .loginAs(user)
      lung.assertStatus(200)
      lung.assertHeader('content-type', 'image/png')
    }
    // The window preset reaches Orthanc: a lung window renders other pixels than a bone window.
    const token = await apiToken(clinic)
    const png = async (preset: string) =>
      Buffer.from(
        await (
          await fetch(
            `${baseUrl()}/api/v1/exams/${exam.id}/instances/${ids[1]}/frames/0/rendered?preset=${preset}`,
            { headers: { Authorization: `Bearer ${token}` } }
          )
        ).arrayBuffer()
      )
    const [lungPng, bonePng] = await Promise.all([png('lung'), png('bone')])
    assert.equal(lungPng.subarray(1, 4).toString(), 'PNG')
    assert.isFalse(lungPng.equals(bonePng))
    assert.isNotNull(
      await AuditEvent.query()
        .where('action', 'exam.images.view')
        .where('target_id', String(exam.id))
        .first()
    )
  })

  test('another clinic, an administrator, or an instance of another exam answers 404 and is audited', async ({
    client,
    assert,
  }) => {
    const { exam, ids } = await examWithImages()
    const other = await examWithImages()
    const stranger = await make.user('clinic_staff')
    const admin = await make.user('admin')
    ;(
      await client.get(`/exams/${exam.id}/instances/${ids[0]}/preview`).loginAs(stranger)
    ).assertStatus(404)
    ;(await client.get(`/exams/${exam.id}/series`).loginAs(admin)).assertStatus(404)
    // The clinic of `other` asks for an image of `exam` through its own exam's URL.
    ;(
      await client.get(`/exams/${other.exam.id}/instances/${ids[0]}/preview`).loginAs(other.clinic)
    ).assertStatus(404)
    ;(
      await client.get(`/exams/${other.exam.id}/instances/not-an-id/preview`).loginAs(other.clinic)
    ).assertStatus(404)
    const denied = await AuditEvent.query()
      .where('action', 'exam.images.view')
      .where('outcome', 'denied')
      .where('actor_user_id', other.clinic.id)
    assert.isAtLeast(denied.length, 1)
  })
})
