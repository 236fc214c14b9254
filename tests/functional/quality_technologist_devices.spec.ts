import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Readable } from 'node:stream'
import { DateTime } from 'luxon'
import i18nManager from '@adonisjs/i18n/services/main'
import Exam from '#models/exam'
import type Institution from '#models/institution'
import * as make from '#tests/support/fixtures'
import { apiToken, postDicom, postDicomBatch } from '#tests/support/http'
import { studyFor } from '#tests/support/dicom'
import { manualClock } from '#tests/support/reading'
import { ImageIntake } from '#app/intake/services/image_intake'
import { checkIntake } from '#app/quality/services/check_records'
import { currentChecklists } from '#app/quality/services/checklists'
import { matchDevice } from '#app/quality/services/devices'
import { scoredFor } from '#app/quality/services/qc_scoring'
import { QcReports } from '#app/quality/services/qc_reports'
import { qcReportPdf } from '#app/quality/services/qc_report_files'

const run = promisify(execFile)
const stamp = () => DateTime.utc().toSQL({ includeOffset: false })!

async function technologist(
  clinic: Institution,
  fullName: string,
  extra: Record<string, unknown> = {}
) {
  const [id] = await db.table('staff_members').insert({
    institution_id: clinic.id,
    staff_no: make.unique('T').slice(0, 16),
    full_name: fullName,
    profession: 'technologist',
    title: 'junior',
    fte: 1,
    active: true,
    created_at: stamp(),
    updated_at: stamp(),
    ...extra,
  })
  return Number(id)
}

async function device(
  clinic: Institution,
  kind: string,
  assetNo: string,
  model: string | null = null
) {
  const [id] = await db.table('equipment').insert({
    institution_id: clinic.id,
    kind,
    asset_no: assetNo,
    model,
    status: 'in_service',
    created_at: stamp(),
    updated_at: stamp(),
  })
  return Number(id)
}

async function pdfText(pdf: Buffer) {
  const dir = await mkdtemp(join(tmpdir(), 'qc-pdf-'))
  try {
    await writeFile(join(dir, 'q.pdf'), pdf)
    return (await run('pdftotext', ['-layout', join(dir, 'q.pdf'), '-'])).stdout
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

test.group('QC: the technologist picked at upload (Q 4.1)', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test("picked from the clinic roster at upload (API): stored on the exam, scored by QC before Operators' Name", async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    await clinic.load('institution')
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    const picked = await technologist(clinic.institution, '李技师')
    await technologist(clinic.institution, 'Wang Li')
    const token = await apiToken(clinic)
    const study = studyFor(exam, clinicPatient, 1, 2, { operatorsName: 'Wang^Li' })
    for (const file of study.files) {
      const response = await postDicom(
        `/api/v1/exams/${exam.accessionNumber}/images?technologistId=${picked}`,
        file.data,
        token
      )
      assert.equal(response.status, 200, JSON.stringify(response.body))
    }
    await exam.refresh()
    assert.equal(exam.technologistStaffId, picked)
    // Operators' Name is still remembered, but QC scores the person the clinic picked.
    await checkIntake(exam.id, DateTime.utc())
    assert.equal(
      (await db.from('qc_exam_technologists').where('exam_id', exam.id).first()).operator_name,
      'Wang Li'
    )
    const scored = await scoredFor(exam, 'image_quality')
    assert.deepEqual(
      { staffId: scored.staffId, name: scored.name },
      { staffId: picked, name: '李技师' }
    )
  })

  test("without a pick, Operators' Name matched to the roster is scored", async ({ assert }) => {
    const clinic = await make.user('clinic_staff')
    await clinic.load('institution')
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    const staff = await technologist(clinic.institution, 'Wang Li')
    const token = await apiToken(clinic)
    const study = studyFor(exam, clinicPatient, 1, 1, { operatorsName: 'Wang^Li' })
    assert.equal(
      (await postDicom(`/api/v1/exams/${exam.accessionNumber}/images`, study.files[0].data, token))
        .status,
      200
    )
    await checkIntake(exam.id, DateTime.utc())
    await exam.refresh()
    assert.isNull(exam.technologistStaffId)
    assert.equal((await scoredFor(exam, 'image_quality')).staffId, staff)
  })

  test('refused: a technologist of another clinic, an inactive one, a nurse, a malformed id — 422, nothing stored', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    await clinic.load('institution')
    const other = await make.institution('member_clinic')
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    const foreign = await technologist(other, '外院技师')
    const inactive = await technologist(clinic.institution, '离职技师', { active: false })
    const nurse = await technologist(clinic.institution, '护士', { profession: 'nurse' })
    const token = await apiToken(clinic)
    const study = studyFor(exam, clinicPatient, 1, 1)
    for (const id of [foreign, inactive, nurse, 'abc']) {
      const response = await postDicom(
        `/api/v1/exams/${exam.accessionNumber}/images?technologistId=${id}`,
        study.files[0].data,
        token
      )
      assert.equal(response.status, 422, String(id))
      assert.equal(response.body.errors[0].code, 'technologist_not_on_roster')
    }
    // The browser's batch (multipart) is refused the same way before any file is read.
    const batch = await postDicomBatch(
      `/api/v1/exams/${exam.accessionNumber}/images?technologistId=${foreign}`,
      study.files,
      token
    )
    assert.equal(batch.status, 422)
    await exam.refresh()
    assert.isNull(exam.technologistStaffId)
    assert.equal(exam.status, 'registered')
    assert.equal(exam.instanceCount, 0)
    assert.lengthOf(await db.from('exam_studies').where('exam_id', exam.id), 0)
  })

  /*
  | The no-JavaScript form (the <noscript> form of the exam page): the technologist list belongs to it
  | (form="plain-upload") and, coming before the file input in the page, is sent before the files.
  | Posted here as a browser sends it: the field first, then the files, the CSRF token in the action's query.
  */
  async function plainFormPost(
    client: any,
    clinic: any,
    examId: number,
    pick: string,
    files: any[]
  ) {
    const page = await client.get(`/exams/${examId}`).loginAs(clinic)
    const html = page.text()
    check(/<select id="upload-technologist" name="technologistId" form="plain-upload">/.test(html))
    const action =
      /<form method="POST" action="([^"]+)" enctype="multipart\/form-data" id="plain-upload">/.exec(
        html
      )
    check(action, 'the plain form is on the page')
    // The page's own token belongs to the page's session: the test client brings its own.
    const path = new URL(action![1].replace(/&amp;/g, '&'), 'http://x').pathname
    check(path === `/exams/${examId}/images`, path)
    let request = client
      .post(path)
      .loginAs(clinic)
      .withCsrfToken()
      .redirects(0)
      .field('technologistId', pick)
    for (const file of files) request = request.file('files', file.data, { filename: file.name })
    return request
  }
  const check = (ok: unknown, message = 'expected') => {
    if (!ok) throw new Error(message)
  }

  test('the no-JavaScript form as a person leaves it (no technologist chosen): images stored, none picked', async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    await clinic.load('institution')
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    await technologist(clinic.institution, '李技师')
    const study = studyFor(exam, clinicPatient, 1, 2)
    const response = await plainFormPost(client, clinic, exam.id, '', study.files)
    assert.equal(response.status(), 302, response.text())
    await exam.refresh()
    assert.equal(exam.instanceCount, 2)
    assert.isNull(exam.technologistStaffId)
  })

  test('the no-JavaScript form with a technologist chosen: the pick lands on the exam; one off the roster is refused, nothing stored', async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    await clinic.load('institution')
    const other = await make.institution('member_clinic')
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    const picked = await technologist(clinic.institution, '李技师')
    const foreign = await technologist(other, '外院技师')
    const study = studyFor(exam, clinicPatient, 1, 2)

    const refused = await plainFormPost(client, clinic, exam.id, String(foreign), study.files)
    assert.notEqual(refused.status(), 200)
    await exam.refresh()
    assert.equal(exam.instanceCount, 0)
    assert.isNull(exam.technologistStaffId)
    assert.lengthOf(await db.from('exam_studies').where('exam_id', exam.id), 0)

    const response = await plainFormPost(client, clinic, exam.id, String(picked), study.files)
    assert.equal(response.status(), 302, response.text())
    await exam.refresh()
    assert.equal(exam.instanceCount, 2)
    assert.equal(exam.technologistStaffId, picked)
    const audit = await db
      .from('audit_events')
      .where('action', 'exam.images.upload')
      .where('outcome', 'success')
      .orderBy('id', 'desc')
      .first()
    const details = typeof audit.details === 'string' ? JSON.parse(audit.details) : audit.details
    assert.equal(details.technologistId, picked)
  })

  test("the upload page lists the clinic roster's technologists only", async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    await clinic.load('institution')
    const other = await make.institution('member_clinic')
    const { exam } = await make.exam(clinic, 'DR')
    const mine = await technologist(clinic.institution, '本院技师')
    await technologist(other, '外院技师')
    const page = await client.get(`/exams/${exam.id}`).loginAs(clinic)
    assert.equal(page.status(), 200)
    assert.include(page.text(), `<option value="${mine}"`)
    assert.include(page.text(), 'name="technologistId"')
    assert.notInclude(page.text(), '外院技师')
  })
})

test.group('QC: waste-film and artefact rates per device (C 9.2.2)', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  let restore: () => void
  group.each.setup(() => {
    restore = manualClock('2026-12-02T02:00:00Z').restore
    return () => restore()
  })

  test('matching: station name or serial = asset number, then model, then the only device of the kind', ({
    assert,
  }) => {
    const devices = [
      {
        id: 1,
        kind: 'ct',
        assetNo: 'CT-01',
        model: 'Revolution',
        manufacturer: 'GE',
        status: 'in_service',
      },
      {
        id: 2,
        kind: 'ct',
        assetNo: 'CT-02',
        model: 'uCT 530',
        manufacturer: 'UIH',
        status: 'in_service',
      },
      {
        id: 3,
        kind: 'dr',
        assetNo: 'DR-01',
        model: null,
        manufacturer: null,
        status: 'in_service',
      },
      { id: 4, kind: 'mri', assetNo: 'MR-OLD', model: null, manufacturer: null, status: 'retired' },
    ]
    const none = { stationName: null, serialNumber: null, manufacturer: null, model: null }
    assert.equal(matchDevice({ ...none, stationName: ' ct-02 ' }, 'CT', devices), 2)
    assert.equal(matchDevice({ ...none, serialNumber: 'CT-01' }, 'CT', devices), 1)
    assert.equal(matchDevice({ ...none, model: 'uCT 530', manufacturer: 'UIH' }, 'CT', devices), 2)
    assert.isNull(
      matchDevice({ ...none, model: 'uCT 530', manufacturer: 'Siemens' }, 'CT', devices)
    )
    assert.isNull(matchDevice(none, 'CT', devices))
    assert.equal(matchDevice(none, 'DR', devices), 3)
    // A retired device is no longer matched.
    assert.isNull(matchDevice({ ...none, stationName: 'MR-OLD' }, 'MR', devices))
  })

  test("a study's StationName (real Orthanc) finds its device of the register at intake", async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    await clinic.load('institution')
    await device(clinic.institution, 'ct', 'CT-A')
    const second = await device(clinic.institution, 'ct', 'CT-B')
    const made = await make.exam(clinic, 'CT')
    const study = studyFor(made.exam, made.clinicPatient, 1, 1, {
      stationName: 'CT-B',
      manufacturer: 'UIH',
      modelName: 'uCT 530',
      deviceSerialNumber: 'SN123',
    })
    const intake = await app.container.make(ImageIntake)
    const identity = await intake.examIdentity(made.exam)
    const outcome = await intake.receive(
      made.exam,
      Readable.from([study.files[0].data]),
      identity,
      study.files[0].data.length
    )
    assert.notEqual(outcome.status, 'rejected')
    await checkIntake(made.exam.id, DateTime.utc())
    const row = await db.from('qc_exam_devices').where('exam_id', made.exam.id).first()
    assert.deepInclude(row, {
      station_name: 'CT-B',
      serial_number: 'SN123',
      manufacturer: 'UIH',
      model: 'uCT 530',
      equipment_id: second,
    })
  })

  /*
  | Hand-computed: November 2026, clinic A's image-quality scores
  |   device CT-A: 4 scores, 1 wasted film and 2 artefacts → 25.0 %, 50.0 %
  |   device CT-B: 2 scores, no waste, 1 artefact        → 0.0 %, 50.0 %
  |   no device matched: 1 score, wasted, with artefact   → 100.0 %, 100.0 %
  | clinic A overall 7 scores, 2 wasted, 4 artefacts     → 28.6 %, 57.1 %
  */
  async function deviceFixture() {
    const lists = await currentChecklists(DateTime.utc())
    const a = await make.institution('member_clinic')
    const ua = await make.user('clinic_staff', a)
    const qc = await make.user('qc_officer')
    const ctA = await device(a, 'ct', 'CT-A', 'Revolution')
    const ctB = await device(a, 'ct', 'CT-B')
    const exams: Exam[] = []
    for (let i = 0; i < 7; i++) exams.push((await make.exam(ua, 'CT')).exam)
    const where = [ctA, ctA, ctA, ctA, ctB, ctB, null]
    await db
      .table('qc_exam_devices')
      .multiInsert(
        exams.map((e, i) => ({ exam_id: e.id, equipment_id: where[i], station_name: null }))
      )
    const flags = [
      [true, true],
      [false, true],
      [false, false],
      [false, false],
      [false, true],
      [false, false],
      [true, true],
    ]
    await db.table('qc_scores').multiInsert(
      exams.map((e, i) => ({
        exam_id: e.id,
        item: 'image_quality',
        checklist_id: lists.get('image_quality')!.id,
        score: flags[i][0] ? 1 : 4,
        band: flags[i][0] ? 'fail' : 'good',
        passed: !flags[i][0],
        findings: '[]',
        criteria: '[]',
        scored_name: '王技师',
        institution_id: a.id,
        modality: 'CT',
        scorer_id: qc.id,
        mode: 'centralised',
        waste_film: flags[i][0],
        artefact: flags[i][1],
        scored_at: '2026-11-10 02:00:00',
      }))
    )
    return { a, qc, ctA, ctB }
  }

  test("the page and the API give each device's rates, equal to the hand-computed fixture", async ({
    client,
    assert,
  }) => {
    const { a, qc, ctA, ctB } = await deviceFixture()
    const api = await client
      .get(`/quality/reports?month=2026-11&institutionId=${a.id}`)
      .loginAs(qc)
      .accept('json')
    assert.equal(api.status(), 200)
    const data = api.body().data
    assert.deepEqual(
      data.devices.map((d: any) => [
        d.equipmentId,
        d.count,
        d.waste,
        d.artefact,
        d.wasteRate,
        d.artefactRate,
      ]),
      [
        [null, 1, 1, 1, 1, 1],
        [ctA, 4, 1, 2, 0.25, 0.5],
        [ctB, 2, 0, 1, 0, 0.5],
      ]
    )
    assert.deepEqual(
      data.clinics.map((c: any) => [c.count, c.waste, c.artefact]),
      [[7, 2, 4]]
    )
    const page = await client
      .get(`/quality/reports?month=2026-11&institutionId=${a.id}`)
      .loginAs(qc)
    const html = page.text()
    const table = html.slice(html.indexOf('id="qc-device-rates"'))
    assert.include(table, 'CT CT-A · Revolution')
    assert.include(table, '（未匹配设备）')
    assert.include(table, '50.0%')
  })

  test('the PDF holds the figures, readable Chinese included (pdftotext)', async ({ assert }) => {
    const { a } = await deviceFixture()
    const reports = await app.container.make(QcReports)
    const i18n = i18nManager.locale('zh-CN')
    const pdf = await qcReportPdf(
      await reports.build({ month: '2026-11', institutionId: a.id }),
      (k, d) => i18n.t(k, d),
      i18n.t('quality.reports.title')
    )
    const text = await pdfText(pdf)
    assert.include(text, i18n.t('quality.reports.title'))
    assert.include(text, '各设备废片率与伪影率')
    assert.include(text, '各机构废片率与伪影率')
    assert.include(text, '统计期间：2026-11-01 至 2026-11-30')
    // The monthly line: 7 sampled, 5 passed, 71.4 %.
    assert.match(text, /抽检例数\s*7/)
    assert.include(text, '71.4%')
    // Per device and per clinic rates.
    assert.include(text, 'CT-A')
    assert.include(text, '25.0%')
    assert.include(text, '28.6%')
    assert.include(text, '57.1%')
    assert.include(text, '王技师')
  })
})
