import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import type User from '#models/user'
import { ExamRegistration } from '#app/intake/services/exam_registration'
import { clinicIndicators } from '#app/platform/clinic_indicators'
import * as make from '#tests/support/fixtures'

/*
| C 9.4: the report sharing rate per clinic as a registered clinic indicator
| (target 0.95), and on the centre's dashboard.
*/

async function signedExam(clinicUser: User, withNationalId: boolean, signedAt: DateTime) {
  await clinicUser.load('institution')
  const registered = await make.patientAt(clinicUser.institution, {
    nationalId: withNationalId ? make.nationalId() : null,
  })
  const [exam] = await (
    await app.container.make(ExamRegistration)
  ).register(clinicUser, {
    clinicPatientId: registered.clinicPatient.id,
    itemIds: [(await make.item('DR')).id],
    priority: 'routine',
    clinicalHistory: '咳嗽一周',
    purpose: '排除肺炎',
    requestingDoctor: '刘医生',
  })
  exam.merge({ status: 'signed', reportSignedAt: signedAt })
  await exam.save()
  return exam
}

test.group('Consultation · report sharing rate', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('per clinic over a period: reports the alliance can find over reports signed; target 0.95; a clinic with none answers null', async ({
    assert,
  }) => {
    const indicator = clinicIndicators.get('consultation.report_sharing_rate')!
    assert.equal(indicator.target, 0.95)
    assert.equal(indicator.unit, 'rate')
    const a = await make.user('clinic_staff')
    const b = await make.user('clinic_staff')
    const inside = DateTime.fromISO('2026-10-15T02:00:00Z')
    await signedExam(a, true, inside)
    await signedExam(a, true, inside)
    await signedExam(a, true, inside)
    await signedExam(a, false, inside)
    // Outside the period: not counted.
    await signedExam(a, false, DateTime.fromISO('2026-09-30T15:59:00Z'))
    const figures = await indicator.compute({
      from: DateTime.fromISO('2026-10-01T00:00:00', { zone: 'Asia/Shanghai' }),
      to: DateTime.fromISO('2026-11-01T00:00:00', { zone: 'Asia/Shanghai' }),
      clinicIds: [a.institutionId, b.institutionId],
    })
    assert.deepInclude(figures.get(a.institutionId), { value: 0.75, numerator: 3, denominator: 4 })
    assert.equal(figures.get(b.institutionId)?.value, null)
  })

  test("the centre's dashboard shows each clinic's rate to lead readers; a clinic does not get the panel", async ({
    assert,
    client,
  }) => {
    const clinicUser = await make.user('clinic_staff')
    await signedExam(clinicUser, true, DateTime.utc())
    const reader = await make.user('radiologist')
    const home = await client.get('/').loginAs(reader)
    home.assertStatus(200)
    assert.include(home.text(), 'id="report-sharing-rate"')
    assert.include(home.text(), clinicUser.institution.name)
    const clinicHome = await client.get('/').loginAs(clinicUser)
    assert.notInclude(clinicHome.text(), 'id="report-sharing-rate"')
  })
})
