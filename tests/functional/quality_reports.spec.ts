import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import ExcelJS from 'exceljs'
import { DateTime } from 'luxon'
import type Exam from '#models/exam'
import * as make from '#tests/support/fixtures'
import { manualClock } from '#tests/support/reading'
import { currentChecklists } from '#app/quality/services/checklists'
import { clinicIndicators } from '#app/platform/clinic_indicators'
import '#app/quality/indicators'
import app from '@adonisjs/core/services/app'
import i18nManager from '@adonisjs/i18n/services/main'
import { QcReports } from '#app/quality/services/qc_reports'
import { qcReportXlsx } from '#app/quality/services/qc_report_files'
import ExamItem from '#models/exam_item'
import { chestDr } from '#tests/support/recognition'
import {
  countSignedExam,
  rebuildAll,
  technologistChanged,
} from '#app/quality/services/workload_days'

/*
| A hand-computed fixture: in November 2026 (hospital time)
|   clinic A, CT: image quality 5, 4, 3, 2 (the 2 with an artefact and a wasted film)
|   clinic B, DR: image quality 5, 1; application forms: one compliant, one not
| and one score in October that must not count, one gold-standard review that must not count.
*/
async function fixture() {
  const lists = await currentChecklists(DateTime.utc())
  const a = await make.institution('member_clinic')
  const b = await make.institution('member_clinic')
  const ua = await make.user('clinic_staff', a)
  const ub = await make.user('clinic_staff', b)
  const qc = await make.user('qc_officer')
  const examA = (await make.exam(ua, 'CT')).exam
  const examB = (await make.exam(ub, 'DR')).exam
  const at = (iso: string) =>
    DateTime.fromISO(iso, { zone: 'Asia/Shanghai' }).toUTC().toFormat('yyyy-MM-dd HH:mm:ss')
  const row = (
    exam: Exam,
    item: string,
    score: number,
    when: string,
    extra: Record<string, unknown> = {}
  ) => ({
    exam_id: exam.id,
    item,
    checklist_id: lists.get(item as any)!.id,
    score,
    band:
      item === 'application_form'
        ? score === 5
          ? 'compliant'
          : 'non_compliant'
        : score === 5
          ? 'excellent'
          : score === 4
            ? 'good'
            : score === 3
              ? 'pass'
              : 'fail',
    passed: score >= 3,
    findings: '[]',
    criteria: '[]',
    scored_name: item === 'application_form' ? null : '王技师',
    institution_id: exam.institutionId,
    modality: exam.modality,
    scorer_id: qc.id,
    mode: 'centralised',
    scored_at: at(when),
    ...extra,
  })
  await db.table('qc_scores').multiInsert([
    row(examA, 'image_quality', 5, '2026-11-01T00:10:00'),
    row(examA, 'image_quality', 4, '2026-11-10T10:00:00'),
    row(examA, 'image_quality', 3, '2026-11-20T10:00:00'),
    row(examA, 'image_quality', 2, '2026-11-30T23:50:00', {
      artefact: true,
      waste_film: true,
      note: '伪影明显',
    }),
    row(examB, 'image_quality', 5, '2026-11-15T10:00:00'),
    row(examB, 'image_quality', 1, '2026-11-16T10:00:00'),
    row(examB, 'application_form', 5, '2026-11-16T10:00:00'),
    row(examB, 'application_form', 1, '2026-11-17T10:00:00'),
    row(examA, 'image_quality', 1, '2026-10-31T23:50:00'),
    row(examA, 'image_quality', 1, '2026-11-12T10:00:00', { mode: 'gold' }),
  ])
  return { a, b, qc }
}

test.group('QC reports and indicators', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  let restore: () => void
  group.each.setup(() => {
    restore = manualClock('2026-12-02T02:00:00Z').restore
    return () => restore()
  })

  test('the monthly figures equal the hand-computed fixture (page, API)', async ({
    client,
    assert,
  }) => {
    const { a, qc } = await fixture()
    const page = await client.get('/quality/reports?month=2026-11').loginAs(qc)
    assert.equal(page.status(), 200)
    const html = page.text()
    assert.include(html, 'id="qc-sampled">8<')
    assert.include(html, 'id="qc-passed">5<')
    assert.include(html, 'id="qc-pass-rate">62.5%<')
    assert.include(html, '<svg')

    const api = await client
      .get(`/quality/reports?month=2026-11&institutionId=${a.id}`)
      .loginAs(qc)
      .accept('json')
    const data = api.body().data
    const image = data.items.find((i: any) => i.item === 'image_quality')
    assert.deepEqual(
      { sampled: image.sampled, passed: image.passed, bands: image.bands },
      { sampled: 4, passed: 3, bands: { excellent: 1, good: 1, pass: 1, fail: 1 } }
    )
    assert.deepEqual(
      data.clinics.map((c: any) => [c.count, c.wasteRate, c.artefactRate]),
      [[4, 0.25, 0.25]]
    )
    const person = data.distribution.find((d: any) => d.item === 'image_quality')
    assert.deepEqual(
      { count: person.count, average: person.average, redZone: person.redZone },
      { count: 4, average: 3.5, redZone: true }
    )
  })

  test('Excel opens and holds the figures; the PDF is a PDF', async ({ client, assert }) => {
    const { qc } = await fixture()
    const xlsx = await client.get('/quality/reports.xlsx?month=2026-11').loginAs(qc)
    assert.equal(xlsx.status(), 200)
    assert.include(String(xlsx.header('content-type')), 'spreadsheetml')
    const workbook = new ExcelJS.Workbook()
    // The same workbook the route sends, opened as Excel would (the test client does not buffer binary bodies).
    const reports = await app.container.make(QcReports)
    const i18n = i18nManager.locale('zh-CN')
    await workbook.xlsx.load(
      (await qcReportXlsx(await reports.build({ month: '2026-11' }), (k, d) => i18n.t(k, d))) as any
    )
    const sheet = workbook.worksheets[0]
    const imageRow = sheet.getRow(3).values as any[]
    assert.deepEqual(imageRow.slice(2, 5), [6, 4, '66.7%'])
    const pdf = await client.get('/quality/reports.pdf?month=2026-11').loginAs(qc)
    assert.equal(pdf.status(), 200)
    assert.equal(pdf.header('content-type'), 'application/pdf')
  })

  test('refusals of recognition per institution × catalogue item: a hand-computed fixture (page, API, Excel)', async ({
    client,
    assert,
  }) => {
    /*
    | November 2026, hospital time:
    |   clinic A, chest DR (川渝 1): refused twice (insufficient_quality, doubtful_result), re-examined once
    |     instead of accepting A's exam (insufficient_quality)                        → 2 + 1 = 3
    |   clinic A, another CT item: refused once (faulty_recognition_data)                 → 1 + 0 = 1
    |   clinic B, chest DR: refused once in October (not counted), accepted once (not a refusal),
    |     re-examined once instead of an outside result (not ours: not counted)       → no row
    */
    const { a, b, qc } = await fixture()
    const chest = await chestDr()
    const ct = await ExamItem.query()
      .where('catalogue', 'chuanyu')
      .where('modality', 'CT')
      .orderBy('seq')
      .firstOrFail()
    const receiver = await make.institution('lead_hospital')
    const receiverStaff = await make.user('clinic_staff', await make.institution('member_clinic'))
    const ua = await make.user('clinic_staff', a)
    const ub = await make.user('clinic_staff', b)
    const examA = (await make.exam(ua, 'DR')).exam
    const examB = (await make.exam(ub, 'DR')).exam
    const at = (iso: string) =>
      DateTime.fromISO(iso, { zone: 'Asia/Shanghai' }).toUTC().toFormat('yyyy-MM-dd HH:mm:ss')
    const refusal = (exam: Exam, itemId: number, reason: string, when: string) => ({
      exam_id: exam.id,
      institution_id: exam.institutionId,
      exam_item_id: itemId,
      refusing_institution_id: receiver.id,
      reason_code: reason,
      recorded_by_id: qc.id,
      refused_at: at(when),
    })
    await db
      .table('recognition_refusals')
      .multiInsert([
        refusal(examA, chest.id, 'insufficient_quality', '2026-11-01T00:05:00'),
        refusal(examA, chest.id, 'doubtful_result', '2026-11-30T23:55:00'),
        refusal(examA, ct.id, 'faulty_recognition_data', '2026-11-12T10:00:00'),
        refusal(examB, chest.id, 'doubtful_result', '2026-10-31T23:55:00'),
      ])
    const external = await db.table('recognition_external_results').insert({
      patient_id: examB.patientId,
      institution_id: receiver.id,
      exam_item_id: chest.id,
      performed_at: at('2026-11-01T10:00:00'),
      reference: 'OUT-1',
      impression: '未见异常。',
      source: 'manual',
      created_at: at('2026-11-01T10:00:00'),
    })
    const decision = (
      earlier: { exam?: Exam; externalId?: number; institutionId: number },
      kind: 'accepted' | 're_examined',
      when: string
    ) => ({
      institution_id: receiverStaff.institutionId,
      patient_id: earlier.exam?.patientId ?? examB.patientId,
      clinic_patient_id: 1,
      exam_item_id: chest.id,
      decision: kind,
      earlier_exam_id: earlier.exam?.id ?? null,
      earlier_external_id: earlier.externalId ?? null,
      earlier_institution_id: earlier.institutionId,
      earlier_institution_name: '某院',
      earlier_exam_at: at('2026-11-01T09:00:00'),
      earlier_reference: 'REF',
      reason_code: kind === 're_examined' ? 'insufficient_quality' : null,
      patient_informed: kind === 're_examined',
      requesting_doctor: '医生',
      decided_by_id: receiverStaff.id,
      decided_at: at(when),
    })
    await db
      .table('recognition_decisions')
      .multiInsert([
        decision({ exam: examA, institutionId: a.id }, 're_examined', '2026-11-15T10:00:00'),
        decision({ exam: examB, institutionId: b.id }, 'accepted', '2026-11-15T10:00:00'),
        decision(
          { externalId: Number(external[0]), institutionId: receiver.id },
          're_examined',
          '2026-11-16T10:00:00'
        ),
      ])

    const api = await client.get('/quality/reports?month=2026-11').loginAs(qc).accept('json')
    assert.equal(api.status(), 200)
    const rows = api.body().data.recognitionRefusals.map((r: any) => ({
      institutionId: r.institutionId,
      examItemId: r.examItemId,
      refused: r.refused,
      reExamined: r.reExamined,
      total: r.total,
      reasons: r.reasons,
    }))
    assert.deepEqual(rows, [
      {
        institutionId: a.id,
        examItemId: chest.id,
        refused: 2,
        reExamined: 1,
        total: 3,
        reasons: { insufficient_quality: 2, doubtful_result: 1 },
      },
      {
        institutionId: a.id,
        examItemId: ct.id,
        refused: 1,
        reExamined: 0,
        total: 1,
        reasons: { faulty_recognition_data: 1 },
      },
    ])
    // for one clinic and one modality
    const ctOnly = await client
      .get(`/quality/reports?month=2026-11&institutionId=${a.id}&modality=CT`)
      .loginAs(qc)
      .accept('json')
    assert.deepEqual(
      ctOnly.body().data.recognitionRefusals.map((r: any) => [r.examItemId, r.total]),
      [[ct.id, 1]]
    )
    const none = await client
      .get(`/quality/reports?month=2026-11&institutionId=${b.id}`)
      .loginAs(qc)
      .accept('json')
    assert.deepEqual(none.body().data.recognitionRefusals, [])

    // the page's table and the Excel sheet hold the same figures
    const page = await client.get('/quality/reports?month=2026-11').loginAs(qc)
    const html = page.text()
    assert.include(html, 'id="qc-recognition-refusals"')
    assert.match(
      html,
      new RegExp(
        `data-institution="${a.id}" data-item="${chest.id}">[\\s\\S]*?<td>2</td>\\s*<td>1</td>\\s*<td>3</td>`
      )
    )
    const reports = await app.container.make(QcReports)
    const i18n = i18nManager.locale('en')
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(
      (await qcReportXlsx(await reports.build({ month: '2026-11' }), (k, d) => i18n.t(k, d))) as any
    )
    const sheet = workbook.worksheets.find(
      (w) => w.name === i18n.t('quality.reports.recognition_refusals').slice(0, 31)
    )
    assert.exists(sheet)
    const first = (sheet!.getRow(2).values as any[]).slice(3, 6)
    assert.deepEqual(first, [2, 1, 3])
  })

  test('per-clinic indicators, for a modality too', async ({ assert }) => {
    const { a, b } = await fixture()
    const from = DateTime.fromISO('2026-11-01', { zone: 'Asia/Shanghai' })
    const to = DateTime.fromISO('2026-12-01', { zone: 'Asia/Shanghai' })
    const pass = await clinicIndicators
      .get('quality.image_pass_rate')!
      .compute({ from, to, clinicIds: [a.id, b.id] })
    assert.deepEqual([pass.get(a.id)!.value, pass.get(b.id)!.value], [0.75, 0.5])
    assert.include(pass.get(a.id)!.recordsPath!, `institutionId=${a.id}`)
    const ct = await clinicIndicators
      .get('quality.image_pass_rate')!
      .compute({ from, to, clinicIds: [a.id, b.id], modality: 'CT' })
    assert.deepEqual([ct.get(a.id)!.value, ct.get(b.id)!.value], [0.75, null])
    const excellent = await clinicIndicators
      .get('quality.image_excellent_rate')!
      .compute({ from, to, clinicIds: [a.id] })
    assert.equal(excellent.get(a.id)!.value, 0.25)
    const waste = await clinicIndicators
      .get('quality.waste_film_rate')!
      .compute({ from, to, clinicIds: [a.id] })
    assert.equal(waste.get(a.id)!.value, 0.25)
    const artefact = await clinicIndicators
      .get('quality.artefact_rate')!
      .compute({ from, to, clinicIds: [a.id] })
    assert.equal(artefact.get(a.id)!.value, 0.25)
    const forms = await clinicIndicators
      .get('quality.application_compliance_rate')!
      .compute({ from, to, clinicIds: [b.id] })
    assert.deepEqual([forms.get(b.id)!.numerator, forms.get(b.id)!.denominator], [1, 2])
    const agreement = await clinicIndicators
      .get('quality.diagnostic_agreement_rate')!
      .compute({ from, to, clinicIds: [a.id] })
    assert.isNull(agreement.get(a.id)!.value)
  })

  /*
  | Workload by modality (Q 6.4 图 5/6), hand-computed: signed in November 2026 (hospital time)
  |   clinic A, CT: picked 李技师, written by doctor D1          (11-05 10:00)
  |   clinic A, CT: DICOM operator 王技师, written by D1          (11-30 23:30, the month's last hour)
  |   clinic B, DR: DICOM operator 王技师, written by D2          (11-15 10:00)
  | and, not counted: clinic A, CT signed 10-31 23:50; clinic B, DR signed 12-01 00:10; one never signed.
  */
  test('workload by modality equals the hand-computed fixture, counted at signing and by the backfill alike', async ({
    assert,
  }) => {
    const { a, b, qc } = await fixture()
    const d1 = await make.user('radiologist')
    const d2 = await make.user('radiologist')
    const [li] = await db.table('staff_members').insert({
      institution_id: a.id,
      staff_no: make.unique('T').slice(0, 16),
      full_name: '李技师',
      profession: 'technologist',
      title: 'junior',
      fte: 1,
      active: true,
      created_at: DateTime.utc().toSQL({ includeOffset: false }),
      updated_at: DateTime.utc().toSQL({ includeOffset: false }),
    })
    const ua = await make.user('clinic_staff', a)
    const ub = await make.user('clinic_staff', b)
    const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'Asia/Shanghai' }).toUTC()
    const signedExam = async (
      clinicUser: any,
      modality: 'CT' | 'DR',
      author: number,
      when: string | null,
      technologist: { staffId?: number; operator?: string }
    ) => {
      const { exam } = await make.exam(clinicUser, modality)
      if (technologist.staffId)
        await db
          .from('exams')
          .where('id', exam.id)
          .update({ technologist_staff_id: technologist.staffId })
      if (technologist.operator)
        await db
          .table('qc_exam_technologists')
          .insert({ exam_id: exam.id, operator_name: technologist.operator })
      await db.table('report_versions').insert({
        exam_id: exam.id,
        version_no: 1,
        status: when ? 'signed' : 'pending_review',
        findings: '未见异常',
        impression: '未见异常',
        author_id: author,
        last_modified_by_id: author,
        signer_id: when ? qc.id : null,
        revision: 1,
        created_at: DateTime.utc().toSQL({ includeOffset: false }),
        updated_at: DateTime.utc().toSQL({ includeOffset: false }),
      })
      if (when) {
        const at = utc(when)
        await db
          .from('exams')
          .where('id', exam.id)
          .update({ status: 'signed', report_signed_at: at.toFormat('yyyy-MM-dd HH:mm:ss') })
        // What SignOff.sign does in its transaction at the first signature.
        await db.transaction((trx) => countSignedExam(trx, exam.id, at))
      }
      return exam
    }
    const e1 = await signedExam(ua, 'CT', d1.id, '2026-11-05T10:00:00', { staffId: Number(li) })
    await signedExam(ua, 'CT', d1.id, '2026-11-30T23:30:00', { operator: '王技师' })
    await signedExam(ub, 'DR', d2.id, '2026-11-15T10:00:00', { operator: '王技师' })
    await signedExam(ua, 'CT', d1.id, '2026-10-31T23:50:00', { operator: '王技师' })
    await signedExam(ub, 'DR', d2.id, '2026-12-01T00:10:00', { operator: '王技师' })
    await signedExam(ua, 'CT', d1.id, null, { operator: '王技师' })

    const reports = await app.container.make(QcReports)
    const workload = async (filter: Record<string, unknown> = {}) => {
      const r = await reports.build({ month: '2026-11', ...filter })
      const rows = (list: any[]) => list.map((w) => [w.person, w.modality, w.count]).sort()
      return { technologists: rows(r.workload.technologists), doctors: rows(r.workload.doctors) }
    }
    const expected = {
      technologists: [
        ['李技师', 'CT', 1],
        ['王技师', 'CT', 1],
        ['王技师', 'DR', 1],
      ],
      doctors: [
        [d1.fullName, 'CT', 2],
        [d2.fullName, 'DR', 1],
      ].sort(),
    }
    const clinicA = {
      technologists: [
        ['李技师', 'CT', 1],
        ['王技师', 'CT', 1],
      ],
      doctors: [[d1.fullName, 'CT', 2]],
    }
    // Counted at signing.
    assert.deepEqual(await workload(), expected)
    assert.deepEqual(await workload({ institutionId: a.id }), clinicA)
    assert.deepEqual((await workload({ modality: 'DR' })).doctors, [[d2.fullName, 'DR', 1]])

    // The migration's backfill counts the same days from the exams, and again to the same figures (idempotent).
    await db.from('qc_workload_days').delete()
    assert.deepEqual(await workload(), { technologists: [], doctors: [] })
    await rebuildAll()
    assert.deepEqual(await workload(), expected)
    await rebuildAll()
    assert.deepEqual(await workload(), expected)
    assert.deepEqual(await workload({ institutionId: a.id }), clinicA)

    // A technologist picked after the signature: that clinic's day is counted again under the pick.
    await db.from('exams').where('id', e1.id).update({ technologist_staff_id: null })
    await db.table('qc_exam_technologists').insert({ exam_id: e1.id, operator_name: '王技师' })
    await technologistChanged(e1.id)
    assert.deepEqual((await workload({ institutionId: a.id })).technologists, [['王技师', 'CT', 2]])
  })
})
