import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import AuditEvent from '#models/audit_event'
import { RepeatExamCheck } from '#app/recognition/services/repeat_exam_check'
import * as make from '#tests/support/fixtures'
import { apiToken } from '#tests/support/http'
import { api, manualClock } from '#tests/support/reading'
import { chestDr, evaluate, samePatientAt } from '#tests/support/recognition'

/*
| Results received from outside the alliance's own exams (issue 13 item 3,
| R 6.5, R 6.6): recorded per patient by the clinic or its integration token,
| found by the repeat-exam reminder when the institution is recognised.
*/
const NOW = DateTime.fromISO('2026-11-22T02:00:00Z', { zone: 'utc' })

async function scene() {
  const clinic = await make.institution('member_clinic')
  const other = await make.institution('member_clinic')
  const staff = await make.user('clinic_staff', clinic)
  const item = await chestDr()
  const upper = await make.institution('upper_hospital', { level: '三级甲等' } as any)
  await evaluate(upper, item)
  const patient = await samePatientAt(clinic, other)
  return { clinic, other, staff, item, upper, patient }
}

const remindersOf = async (user: any, clinicPatientId: number, itemId: number) =>
  (await app.container.make(RepeatExamCheck)).remindersFor(user, clinicPatientId, [itemId])

test.group('Results received from outside (R 6.5, R 6.6)', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  let restore: () => void
  group.each.setup(() => {
    restore = manualClock(NOW.toISO()!).restore
    return () => restore()
  })

  test('a consultation answer posted through the API is kept and the reminder offers it', async ({
    assert,
  }) => {
    const { staff, item, upper, patient } = await scene()
    const token = await apiToken(staff)
    const posted = await api('POST', '/recognition/external-results', token, {
      clinicPatientId: patient.atFirst.id,
      institutionId: upper.id,
      examItemId: item.id,
      performedAt: NOW.minus({ days: 6 }).toISO(),
      reference: 'HZ-2026-0042',
      findings: '两肺纹理清晰。',
      impression: '心肺未见异常。',
      source: 'consultation',
    })
    assert.equal(posted.status, 201)
    const row = await db
      .from('recognition_external_results')
      .where('id', posted.body.data.id)
      .firstOrFail()
    assert.equal(Number(row.patient_id), patient.patientId)
    assert.equal(Number(row.institution_id), upper.id)
    assert.equal(Number(row.exam_item_id), item.id)
    assert.equal(row.reference, 'HZ-2026-0042')
    assert.equal(row.source, 'consultation')
    const audited = await AuditEvent.query()
      .where('action', 'recognition.external.record')
      .where('outcome', 'success')
      .firstOrFail()
    assert.equal(audited.targetId, String(row.id))

    // the same reference again is the same record
    const again = await api('POST', '/recognition/external-results', token, {
      clinicPatientId: patient.atFirst.id,
      institutionId: upper.id,
      examItemId: item.id,
      performedAt: NOW.minus({ days: 6 }).toISO(),
      reference: 'HZ-2026-0042',
      impression: '心肺未见异常。',
    })
    assert.equal(again.status, 200)
    assert.equal(again.body.data.id, row.id)

    const reminders = await remindersOf(staff, patient.atFirst.id, item.id)
    assert.lengthOf(reminders, 1)
    assert.deepInclude(
      reminders[0].earlier.map((e) => [e.kind, e.reference, e.institutionId, e.impression]),
      ['external', 'HZ-2026-0042', upper.id, '心肺未见异常。']
    )

    const listed = await api(
      'GET',
      `/recognition/external-results?clinicPatientId=${patient.atFirst.id}`,
      token
    )
    assert.equal(listed.status, 200)
    assert.deepEqual(
      listed.body.data.map((r: any) => [r.reference, r.institutionId, r.examItemId]),
      [['HZ-2026-0042', upper.id, item.id]]
    )
  })

  test('a FHIR DiagnosticReport is read by its catalogue coding, an ImagingStudy by its name through the normaliser', async ({
    assert,
  }) => {
    const { staff, item, upper, patient } = await scene()
    const token = await apiToken(staff)
    const report = await api('POST', '/recognition/external-results', token, {
      clinicPatientId: patient.atFirst.id,
      institutionId: upper.id,
      resource: {
        resourceType: 'DiagnosticReport',
        id: 'dr-1',
        identifier: [{ value: 'UP-DR-1' }],
        code: {
          coding: [{ system: 'urn:imaging-alliance:exam-catalogue:chuanyu', code: '1' }],
        },
        effectiveDateTime: NOW.minus({ days: 3 }).toISO(),
        conclusion: '未见明确异常。',
      },
    })
    assert.equal(report.status, 201)
    const fromReport = await db
      .from('recognition_external_results')
      .where('id', report.body.data.id)
      .firstOrFail()
    assert.equal(Number(fromReport.exam_item_id), item.id)
    assert.equal(fromReport.reference, 'UP-DR-1')
    assert.equal(fromReport.source, 'fhir')
    assert.equal(fromReport.impression, '未见明确异常。')

    // the sender's own wording of the same item (the catalogue's source name), normalised as the catalogues are
    const study = await api('POST', '/recognition/external-results', token, {
      clinicPatientId: patient.atFirst.id,
      institutionId: upper.id,
      resource: {
        resourceType: 'ImagingStudy',
        id: 'is-7',
        modality: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: 'DX' }],
        description: item.sourceName,
        started: NOW.minus({ days: 2 }).toISO(),
        note: [{ text: '胸片未见异常。' }],
      },
    })
    assert.equal(study.status, 201, JSON.stringify(study.body))
    const fromStudy = await db
      .from('recognition_external_results')
      .where('id', study.body.data.id)
      .firstOrFail()
    assert.equal(Number(fromStudy.exam_item_id), item.id)
    assert.equal(fromStudy.reference, 'is-7')
    const reminders = await remindersOf(staff, patient.atFirst.id, item.id)
    assert.sameMembers(
      reminders[0].earlier.map((e) => e.reference),
      ['UP-DR-1', 'is-7']
    )
  })

  test('refusals: another clinic’s patient (404, audited), an unknown item, a future time, no impression — nothing saved', async ({
    assert,
  }) => {
    const { staff, item, upper, patient } = await scene()
    const token = await apiToken(staff)
    const body = (extra: Record<string, unknown>) => ({
      clinicPatientId: patient.atFirst.id,
      institutionId: upper.id,
      examItemId: item.id,
      performedAt: NOW.minus({ days: 1 }).toISO(),
      reference: 'R-1',
      impression: '未见异常。',
      ...extra,
    })
    const post = (extra: Record<string, unknown>) =>
      api('POST', '/recognition/external-results', token, body(extra))

    const hidden = await post({ clinicPatientId: patient.atSecond.id })
    assert.equal(hidden.status, 404)
    const denied = await AuditEvent.query()
      .where('action', 'recognition.external.record')
      .where('outcome', 'denied')
      .firstOrFail()
    assert.equal(denied.targetType, 'patient')
    assert.equal(denied.targetId, String(patient.atSecond.id))
    const listedHidden = await api(
      'GET',
      `/recognition/external-results?clinicPatientId=${patient.atSecond.id}`,
      token
    )
    assert.equal(listedHidden.status, 404)

    const unknown = await post({
      examItemId: undefined,
      modality: 'DR',
      itemName: '不存在的部位摄影',
    })
    assert.equal(unknown.status, 422)
    assert.equal(unknown.body.errors[0].code, 'unknown_item')
    const missingItem = await post({ examItemId: 999999999 })
    assert.equal(missingItem.body.errors[0].code, 'unknown_item')

    const future = await post({ performedAt: NOW.plus({ hours: 2 }).toISO() })
    assert.equal(future.status, 422)
    assert.equal(future.body.errors[0].code, 'performed_in_future')

    const noImpression = await post({ impression: undefined })
    assert.equal(noImpression.status, 422)
    assert.equal(noImpression.body.errors[0].code, 'impression_missing')

    const own = await post({ institutionId: staff.institutionId })
    assert.equal(own.status, 422)
    assert.equal(own.body.errors[0].code, 'own_result')

    assert.lengthOf(await db.from('recognition_external_results'), 0)
  })

  test('an unrecognised institution’s result is recorded but never reminded', async ({
    assert,
  }) => {
    const { staff, item, patient } = await scene()
    // a first-level private institution outside the alliance, even with the item evaluated (R 6.2)
    const outsider = await make.institution('specialty_centre', { level: '一级' } as any)
    await evaluate(outsider, item)
    const token = await apiToken(staff)
    const posted = await api('POST', '/recognition/external-results', token, {
      clinicPatientId: patient.atFirst.id,
      institutionId: outsider.id,
      examItemId: item.id,
      performedAt: NOW.minus({ days: 2 }).toISO(),
      reference: 'OUT-9',
      impression: '未见异常。',
    })
    assert.equal(posted.status, 201)
    assert.lengthOf(await db.from('recognition_external_results').where('reference', 'OUT-9'), 1)
    assert.lengthOf(await remindersOf(staff, patient.atFirst.id, item.id), 0)
  })

  test('the clinic’s page lists its patients’ outside results and records one from the form', async ({
    client,
    assert,
  }) => {
    const { staff, item, upper, patient } = await scene()
    const form = await client
      .post('/recognition/external-results')
      .withCsrfToken()
      .form({
        clinicPatientId: String(patient.atFirst.id),
        institutionId: String(upper.id),
        examItemId: String(item.id),
        // datetime-local: hospital time (Asia/Shanghai), 10:00 = 02:00 UTC
        performedAt: '2026-11-20T10:00',
        reference: 'PAPER-1',
        impression: '胸片未见异常。',
      })
      .redirects(0)
      .loginAs(staff)
    form.assertStatus(302)
    const row = await db
      .from('recognition_external_results')
      .where('reference', 'PAPER-1')
      .firstOrFail()
    assert.equal(row.source, 'manual')
    assert.equal(
      DateTime.fromJSDate(row.performed_at, { zone: 'utc' }).toISO({ suppressMilliseconds: true }),
      '2026-11-20T02:00:00Z'
    )
    const page = await client.get('/recognition/external-results').loginAs(staff)
    page.assertStatus(200)
    assert.include(page.text(), 'PAPER-1')
    assert.include(page.text(), upper.name)

    const radiologist = await make.user('radiologist')
    ;(await client.get('/recognition/external-results').loginAs(radiologist)).assertStatus(403)
  })
})
