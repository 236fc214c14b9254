import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Patient from '#models/patient'
import ClinicPatient from '#models/clinic_patient'
import Exam from '#models/exam'
import AuditEvent from '#models/audit_event'
import { PatientRegistry } from '#app/intake/services/patient_registry'
import * as make from '#tests/support/fixtures'
import { apiToken, baseUrl } from '#tests/support/http'

async function api(path: string, token: string, body?: unknown) {
  const response = await fetch(baseUrl() + path, {
    method: body ? 'POST' : 'GET',
    headers: {
      'Authorization': `Bearer ${token}`,
      'Content-Type': 'application/json',
      'Accept': 'application/json',
    },
    body: body ? JSON.stringify(body) : undefined,
  })
  return { status: response.status, body: (await response.json().catch(() => null)) as any }
}

const countExams = async () => Number((await db.from('exams').count('* as n').first()).n)

test.group('Registering patients', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('the national ID is stored encrypted, found by a keyed hash and shown masked', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const id = make.nationalId()
    const token = await apiToken(clinic)
    const response = await api('/api/v1/patients', token, {
      name: '李四',
      sex: 'M',
      birthDate: '1980-05-17',
      clinicPatientNo: 'P-0001',
      nationalId: id,
    })
    assert.equal(response.status, 201)
    assert.equal(response.body.nationalIdMasked, `${id.slice(0, 3)}***********${id.slice(-4)}`)

    const row = await db
      .from('patients')
      .where('id', (await ClinicPatient.findOrFail(response.body.id)).patientId)
      .firstOrFail()
    assert.notInclude(row.national_id_cipher, id)
    assert.notEqual(row.national_id_hash, id)
    assert.lengthOf(row.national_id_hash, 64)
    const patient = await Patient.findOrFail(row.id)
    assert.equal(new PatientRegistry().decryptNationalId(patient), id)
    const audited = await AuditEvent.query().where('action', 'patient.register').firstOrFail()
    assert.notInclude(JSON.stringify(audited.details), id)
  })

  test('the same person registered at a second clinic is one patient with two clinic numbers', async ({
    assert,
  }) => {
    const first = await make.user('clinic_staff')
    const second = await make.user('clinic_staff')
    const id = make.nationalId(DateTime.utc(1975, 3, 2), 'F')
    const a = await api('/api/v1/patients', await apiToken(first), {
      name: '王芳',
      sex: 'F',
      birthDate: '1975-03-02',
      clinicPatientNo: 'A-1',
      nationalId: id,
    })
    const b = await api('/api/v1/patients', await apiToken(second), {
      name: '王芳',
      sex: 'F',
      birthDate: '1975-03-02',
      clinicPatientNo: 'B-7',
      nationalId: id,
    })
    assert.equal(a.status, 201)
    assert.equal(b.status, 201)
    assert.isFalse(a.body.linkedExisting)
    assert.isTrue(b.body.linkedExisting)
    const numbers = await ClinicPatient.query().whereIn('id', [a.body.id, b.body.id])
    assert.equal(numbers[0].patientId, numbers[1].patientId)
    assert.equal(
      await Patient.query()
        .where('national_id_hash', new PatientRegistry().hashNationalId(id))
        .count('* as n')
        .then((r) => Number(r[0].$extras.n)),
      1
    )
  })

  test('identity that does not add up is refused and nothing is written: {case}')
    .with([
      {
        case: 'ID birth date differs',
        body: { birthDate: '1980-05-18' },
        code: 'national_id_birth_date',
      },
      { case: 'ID sex differs', body: { sex: 'F' }, code: 'national_id_sex' },
      { case: 'invalid check digit', body: { nationalId: 'BROKEN' }, code: 'national_id_invalid' },
      {
        case: 'same ID, another name',
        body: { name: '赵六' },
        code: 'identity_mismatch',
        existing: true,
      },
    ])
    .run(async ({ assert }, row) => {
      const clinic = await make.user('clinic_staff')
      const id = make.nationalId()
      if (row.existing)
        await make.patientAt(await make.institution(), { nationalId: id, name: '李四' })
      const before = Number((await db.from('patients').count('* as n').first()).n)
      const body = {
        name: '李四',
        sex: 'M',
        birthDate: '1980-05-17',
        clinicPatientNo: make.unique('X'),
        nationalId: id,
        ...row.body,
      }
      if (row.body.nationalId === 'BROKEN')
        body.nationalId = id.slice(0, 17) + (id[17] === '1' ? '2' : '1')
      const response = await api('/api/v1/patients', await apiToken(clinic), body)
      assert.equal(response.status, 422)
      assert.equal(response.body.errors[0].code, row.code)
      assert.isString(response.body.errors[0].message)
      assert.equal(Number((await db.from('patients').count('* as n').first()).n), before)
      assert.equal(
        Number(
          (
            await db
              .from('clinic_patients')
              .where('clinic_patient_no', body.clinicPatientNo)
              .count('* as n')
              .first()
          ).n
        ),
        0
      )
    })

  test('a clinic patient number is unique within the clinic', async ({ assert }) => {
    const clinic = await make.user('clinic_staff')
    const token = await apiToken(clinic)
    await api('/api/v1/patients', token, {
      name: '甲',
      sex: 'M',
      birthDate: '1990-01-01',
      clinicPatientNo: 'DUP-1',
    })
    const again = await api('/api/v1/patients', token, {
      name: '乙',
      sex: 'F',
      birthDate: '1991-01-01',
      clinicPatientNo: 'DUP-1',
    })
    assert.equal(again.status, 422)
    assert.equal(again.body.errors[0].code, 'clinic_patient_no_taken')
  })

  test('the registration form refuses bad input with field messages', async ({ client }) => {
    const clinic = await make.user('clinic_staff')
    const response = await client
      .post('/patients')
      .loginAs(clinic)
      .withCsrfToken()
      .form({ name: '', sex: 'X', birthDate: '2999-01-01', clinicPatientNo: 'has space' })
      .redirects(0)
    response.assertStatus(302)
    response.assertFlashMessage('inputErrorsBag', {
      name: ['请填写姓名'],
      sex: ['性别的取值无效'],
      birthDate: ['出生日期不能晚于今天'],
      clinicPatientNo: ['患者号的格式不正确'],
    })
  })

  test('radiologists do not register patients', async ({ client }) => {
    const radiologist = await make.user('radiologist')
    ;(
      await client
        .post('/patients')
        .loginAs(radiologist)
        .withCsrfToken()
        .form({ name: '甲', sex: 'M', birthDate: '1990-01-01', clinicPatientNo: 'R1' })
    ).assertStatus(403)
  })
})

test.group('Registering exam requests (Q 4.2.1)', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a complete request gets a unique accession number; items of two modalities become two exams', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { clinicPatient } = await make
      .patientAt(clinic.institution)
      .then((r) => ({ clinicPatient: r.clinicPatient }))
    const response = await api('/api/v1/exams', await apiToken(clinic), {
      clinicPatientId: clinicPatient.id,
      itemIds: [(await make.item('DR')).id, (await make.item('CT')).id],
      priority: 'emergency',
      clinicalHistory: '车祸伤后胸痛 1 小时',
      purpose: '排除肋骨骨折、气胸',
      requestingDoctor: '刘医生',
    })
    assert.equal(response.status, 201)
    assert.lengthOf(response.body.data, 2)
    const [a, b] = response.body.data
    assert.notEqual(a.accessionNumber, b.accessionNumber)
    assert.match(a.accessionNumber, /^\d{11}$/)
    assert.sameMembers(
      response.body.data.map((e: any) => e.modality),
      ['DR', 'CT']
    )
    assert.isTrue(
      response.body.data.every((e: any) => e.status === 'registered' && e.priority === 'emergency')
    )
    assert.equal(
      await AuditEvent.query()
        .where('action', 'exam.register')
        .count('* as n')
        .then((r) => Number(r[0].$extras.n)),
      2
    )
  })

  test('a request is refused with its reason and nothing is registered: {case}')
    .with([
      {
        case: 'blank',
        body: { clinicalHistory: '', purpose: '', itemIds: [] },
        code: 'request_blank',
        status: 422,
      },
      { case: 'no purpose', body: { purpose: '' }, code: 'purpose_missing', status: 422 },
      { case: 'no history', body: { clinicalHistory: ' ' }, code: 'history_missing', status: 422 },
      { case: 'unknown item', body: { itemIds: [99999999] }, code: 'unknown_item', status: 422 },
      {
        case: 'forged institution',
        body: { institutionId: -1 },
        code: 'forged_institution',
        status: 403,
      },
    ])
    .run(async ({ assert }, row) => {
      const clinic = await make.user('clinic_staff')
      const { clinicPatient } = await make.patientAt(clinic.institution)
      const other = await make.institution()
      const body: any = {
        clinicPatientId: clinicPatient.id,
        itemIds: [(await make.item('DR')).id],
        priority: 'routine',
        clinicalHistory: '咳嗽一周',
        purpose: '排除肺炎',
        requestingDoctor: '刘医生',
        ...row.body,
      }
      if (body.institutionId === -1) body.institutionId = other.id
      const before = await countExams()
      const response = await api('/api/v1/exams', await apiToken(clinic), body)
      assert.equal(response.status, row.status)
      assert.equal(response.body.errors[0].code, row.code)
      assert.equal(await countExams(), before)
      // A 403 is a "no" (denied); a request refused for what it says is "refused".
      assert.isNotNull(
        await AuditEvent.query()
          .where('action', 'exam.register')
          .where('outcome', row.status === 403 ? 'denied' : 'refused')
          .first()
      )
    })

  test('the form shows the reason when the purpose is missing (Q 4.2.1), without the clause number', async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { clinicPatient } = await make.patientAt(clinic.institution)
    const before = await countExams()
    const response = await client
      .post('/exams')
      .loginAs(clinic)
      .withCsrfToken()
      .form({
        'clinicPatientId': clinicPatient.id,
        'itemIds[]': (await make.item('DR')).id,
        'priority': 'routine',
        'clinicalHistory': '咳嗽一周',
        'purpose': '',
        'requestingDoctor': '刘医生',
      })
      .redirects(0)
    response.assertFlashMessage('error', '申请单缺少检查目的（目的不明确为不合格申请单）。未登记。')
    assert.equal(await countExams(), before)
  })

  test("another clinic's patient cannot be used: 404 and nothing registered", async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { clinicPatient } = await make.patientAt(await make.institution())
    const before = await countExams()
    const response = await api('/api/v1/exams', await apiToken(clinic), {
      clinicPatientId: clinicPatient.id,
      itemIds: [(await make.item('DR')).id],
      priority: 'routine',
      clinicalHistory: '咳嗽一周',
      purpose: '排除肺炎',
      requestingDoctor: '刘医生',
    })
    assert.equal(response.status, 404)
    assert.equal(await countExams(), before)
  })

  test('concurrent registrations never share an accession number', async ({ assert }) => {
    const clinic = await make.user('clinic_staff')
    const { clinicPatient } = await make.patientAt(clinic.institution)
    const token = await apiToken(clinic)
    const item = await make.item('DR')
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        api('/api/v1/exams', token, {
          clinicPatientId: clinicPatient.id,
          itemIds: [item.id],
          priority: 'routine',
          clinicalHistory: '咳嗽',
          purpose: '排除肺炎',
          requestingDoctor: '刘',
        })
      )
    )
    const accessions = responses.map((r) => r.body.data[0].accessionNumber)
    assert.lengthOf(new Set(accessions), 8)
    assert.equal(
      await Exam.query()
        .whereIn('accession_number', accessions)
        .count('* as n')
        .then((r) => Number(r[0].$extras.n)),
      8
    )
  })
})
