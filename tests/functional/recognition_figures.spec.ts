import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import ExcelJS from 'exceljs'
import type Institution from '#models/institution'
import type ExamItem from '#models/exam_item'
import { sqlTime } from '#app/platform/db_helpers'
import { clinicIndicators } from '#app/platform/clinic_indicators'
import { DataQuality } from '#app/recognition/services/data_quality'
import {
  generateMonthlyReport,
  monthlyStatistics,
} from '#app/recognition/services/recognition_statistics'
import { scheduledJobs } from '#app/platform/scheduled_jobs'
// jobs are loaded by the scheduler in the web process only
import '#app/recognition/jobs'
import * as make from '#tests/support/fixtures'
import { apiToken, baseUrl } from '#tests/support/http'
import { api, manualClock } from '#tests/support/reading'
import { chestDr } from '#tests/support/recognition'

// Hospital time is Asia/Shanghai. 2026-11-20 is a Friday, 2026-11-23 a Monday.
const local = (iso: string) => DateTime.fromISO(iso, { zone: 'Asia/Shanghai' }).toUTC()

let studySerial = 0
/**
 * One exam of the clinic as the pipeline leaves it: acquired, uploaded, maybe signed, with the report's header
 * frozen at signing (B appendix A). Written as rows so each R 7.1 field is exactly what the fixture says.
 */
async function uploaded(
  clinicUser: Awaited<ReturnType<typeof make.user>>,
  item: ExamItem,
  spec: {
    acquired: string
    received: string
    due: string
    signed?: string
    department?: string | null
    headerName?: string
  }
) {
  const { exam, patient } = await make.exam(clinicUser, 'DR')
  await db.from('exam_exam_items').where('exam_id', exam.id).delete()
  await db.table('exam_exam_items').insert({ exam_id: exam.id, exam_item_id: item.id })
  const department = spec.department === undefined ? '内科' : spec.department
  await db
    .from('exams')
    .where('id', exam.id)
    .update({
      registered_at: sqlTime(local(spec.acquired).minus({ minutes: 30 })),
      images_received_at: sqlTime(local(spec.received)),
      due_at: sqlTime(local(spec.due)),
      report_signed_at: spec.signed ? sqlTime(local(spec.signed)) : null,
      status: spec.signed ? 'signed' : 'images_received',
      instance_count: 2,
      department,
      clinical_diagnosis: '肺炎？',
    })
  const [studyId] = await db.table('exam_studies').insert({
    exam_id: exam.id,
    study_instance_uid: `1.2.826.0.1.${Date.now()}.${studySerial++}`,
    orthanc_study_id: `fixture-${Date.now()}-${studySerial}`,
    received_via: 'upload',
    series_count: 1,
    instance_count: 2,
    study_date: local(spec.acquired).setZone('Asia/Shanghai').toISODate(),
    first_received_at: sqlTime(local(spec.received)),
    last_received_at: sqlTime(local(spec.received)),
    created_at: sqlTime(local(spec.received)),
    updated_at: sqlTime(local(spec.received)),
  })
  await db.table('recognition_dq_uploads').insert({
    exam_study_id: studyId,
    exam_id: exam.id,
    institution_id: clinicUser.institutionId,
    acquired_at: sqlTime(local(spec.acquired)),
    received_at: sqlTime(local(spec.received)),
  })
  if (spec.signed) {
    const doctor = await make.user('radiologist')
    const header = {
      hospital: '县人民医院',
      accessionNumber: exam.accessionNumber,
      patientName: spec.headerName ?? patient.name,
      sex: patient.sex,
      age: '46岁',
      department,
      clinicalDiagnosis: '肺炎？',
      clinic: '卫生院',
      examName: item.sourceName,
      examTime: null,
      modality: 'DR',
      authorName: '医生',
      signerName: '医生',
    }
    await db.table('report_versions').insert({
      exam_id: exam.id,
      version_no: 1,
      status: 'signed',
      technique: '后前位',
      findings: '两肺纹理清晰。',
      impression: '心肺未见异常。',
      author_id: doctor.id,
      last_modified_by_id: doctor.id,
      signer_id: doctor.id,
      revision: 1,
      header: JSON.stringify(header),
      submitted_at: sqlTime(local(spec.signed)),
      signed_at: sqlTime(local(spec.signed)),
      created_at: sqlTime(local(spec.signed)),
      updated_at: sqlTime(local(spec.signed)),
    })
  }
  return exam
}

async function rollUp(clinic: Pick<Institution, 'id'>, days: string[]) {
  const quality = await app.container.make(DataQuality)
  for (const day of days) await quality.recompute(clinic.id, day)
}

test.group('Data quality of uploads (R 7.1)', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  let restore: () => void
  group.each.setup(() => {
    // Monday 23:00 hospital time
    restore = manualClock(local('2026-11-23T23:00').toISO()!).restore
    return () => restore()
  })

  test('each metric on a hand-computed fixture, with a 24 h gap across a weekend; the page and the indicators read the daily rows', async ({
    assert,
  }) => {
    const item = await chestDr()
    const clinic = await make.institution('member_clinic')
    const staff = await make.user('clinic_staff', clinic)
    // Friday: on time; late upload and late report with a wrong name on the report and no department
    await uploaded(staff, item, {
      acquired: '2026-11-20T08:00',
      received: '2026-11-20T08:30',
      due: '2026-11-20T20:00',
      signed: '2026-11-20T10:00',
    })
    await uploaded(staff, item, {
      acquired: '2026-11-20T09:00',
      received: '2026-11-20T11:00',
      due: '2026-11-20T11:30',
      signed: '2026-11-20T12:00',
      department: null,
      headerName: '张3',
    })
    // Monday 12:00: 13 h of Friday + 12 h of Monday without an upload (the weekend not counted) = 25 h; no report by its deadline
    await uploaded(staff, item, {
      acquired: '2026-11-23T11:30',
      received: '2026-11-23T12:00',
      due: '2026-11-23T14:00',
    })
    await rollUp(clinic, ['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23'])

    const friday = await db
      .from('recognition_dq_days')
      .where('institution_id', clinic.id)
      .where('day', '2026-11-20')
      .firstOrFail()
    assert.deepInclude(friday, {
      uploads: 2,
      uploads_timely: 1,
      reports: 2,
      reports_timely: 1,
      consistency_checked: 4,
      consistency_ok: 4,
      fields_expected: 26,
      fields_present: 25,
      fields_checked: 12,
      fields_accurate: 11,
      longest_gap_minutes: 780,
    })
    assert.isFalse(!!friday.gap_over_24h)
    const saturday = await db
      .from('recognition_dq_days')
      .where('institution_id', clinic.id)
      .where('day', '2026-11-21')
      .firstOrFail()
    assert.isFalse(!!saturday.working_day)
    assert.isFalse(!!saturday.gap_over_24h)
    const monday = await db
      .from('recognition_dq_days')
      .where('institution_id', clinic.id)
      .where('day', '2026-11-23')
      .firstOrFail()
    assert.deepInclude(monday, {
      uploads: 1,
      uploads_timely: 1,
      reports: 0,
      consistency_checked: 1,
      consistency_ok: 0,
      longest_gap_minutes: 1500,
    })
    assert.isTrue(!!monday.gap_over_24h)

    // a clinic whose uploads stop Friday 17:00 and resume Monday 09:00: 7 h + 9 h, no gap
    const quiet = await make.institution('member_clinic')
    const quietStaff = await make.user('clinic_staff', quiet)
    await uploaded(quietStaff, item, {
      acquired: '2026-11-20T16:50',
      received: '2026-11-20T17:00',
      due: '2026-11-21T17:00',
      signed: '2026-11-20T18:00',
    })
    await uploaded(quietStaff, item, {
      acquired: '2026-11-23T08:50',
      received: '2026-11-23T09:00',
      due: '2026-11-24T09:00',
    })
    await rollUp(quiet, ['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23'])
    const quietMonday = await db
      .from('recognition_dq_days')
      .where('institution_id', quiet.id)
      .where('day', '2026-11-23')
      .firstOrFail()
    assert.equal(quietMonday.longest_gap_minutes, 16 * 60)
    assert.isFalse(!!quietMonday.gap_over_24h)

    // the month, per clinic, by the registered indicators (the assessments read these)
    const query = {
      from: local('2026-11-01T00:00'),
      to: local('2026-12-01T00:00'),
      clinicIds: [clinic.id, quiet.id],
    }
    const value = async (key: string, id = clinic.id) =>
      (await clinicIndicators.get(key)!.compute(query)).get(id)!
    assert.deepInclude(await value('recognition.dq_timeliness'), {
      value: 3 / 5,
      numerator: 3,
      denominator: 5,
    })
    assert.deepInclude(await value('recognition.dq_consistency'), { value: 4 / 5 })
    assert.deepInclude(await value('recognition.dq_completeness'), { value: 25 / 26 })
    assert.deepInclude(await value('recognition.dq_accuracy'), { value: 11 / 12 })
    assert.deepInclude(await value('recognition.dq_continuity_gap_days'), { value: 1 })
    assert.deepInclude(await value('recognition.dq_continuity_gap_days', quiet.id), { value: 0 })

    // the page for the centre, with its traffic lights
    const qc = await make.user('qc_officer', await make.institution('lead_hospital'))
    const page = await api('GET', '/recognition/data-quality?month=2026-11', await apiToken(qc))
    assert.equal(page.status, 200)
    const row = page.body.data.clinics.find((c: any) => c.institutionId === clinic.id)
    assert.equal(row.metrics.find((m: any) => m.metric === 'consistency').light, 'red')
    assert.equal(row.metrics.find((m: any) => m.metric === 'accuracy').light, 'green')
    // a clinic sees its own figures only
    const other = await api(
      'GET',
      `/recognition/data-quality?month=2026-11&institutionId=${clinic.id}`,
      await apiToken(quietStaff)
    )
    assert.equal(other.status, 404)

    // below threshold: the clinic head and the centre's QC officer are told, once
    const head = await make.user('clinic_staff', clinic)
    await db
      .table('critical_value_contacts')
      .insert({ user_id: head.id, duty: 'clinic_head', assigned_at: sqlTime(DateTime.utc()) })
    const quality = await app.container.make(DataQuality)
    const sent = await quality.alertBelowThreshold('2026-11')
    assert.includeDeepMembers(sent, [
      { institutionId: clinic.id, metric: 'timeliness' },
      { institutionId: clinic.id, metric: 'consistency' },
      { institutionId: clinic.id, metric: 'continuity_gap_days' },
    ])
    assert.notDeepInclude(sent, { institutionId: clinic.id, metric: 'accuracy' })
    const notices = await db.from('recognition_notices').where('kind', 'dq_alert').select('user_id')
    assert.includeMembers(
      notices.map((n) => Number(n.user_id)),
      [head.id, qc.id]
    )
    assert.notInclude(
      notices.map((n) => Number(n.user_id)),
      staff.id
    )
    assert.deepEqual(await quality.alertBelowThreshold('2026-11'), [], 'alerted once')
  })
})

test.group('Continuity on working days: public holidays and 调休 (R 7.1.5)', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  let restore: () => void
  group.each.setup(() => {
    restore = manualClock(local('2026-11-23T23:00').toISO()!).restore
    return () => restore()
  })

  const dayRow = (clinicId: number, day: string) =>
    db.from('recognition_dq_days').where('institution_id', clinicId).where('day', day).firstOrFail()

  test('清明 2026 (Sat 4 to Mon 6 April) and its weekend are not counted; taking the holiday out of the calendar counts it again', async ({
    assert,
  }) => {
    const item = await chestDr()
    const clinic = await make.institution('member_clinic')
    const staff = await make.user('clinic_staff', clinic)
    // Friday 3 April 17:00, then Tuesday 7 April 09:00
    await uploaded(staff, item, {
      acquired: '2026-04-03T16:50',
      received: '2026-04-03T17:00',
      due: '2026-04-04T17:00',
    })
    await uploaded(staff, item, {
      acquired: '2026-04-07T08:50',
      received: '2026-04-07T09:00',
      due: '2026-04-08T09:00',
    })
    const days = ['2026-04-03', '2026-04-04', '2026-04-05', '2026-04-06', '2026-04-07']
    await rollUp(clinic, days)
    // the seeded calendar: Saturday to Monday is 清明
    for (const day of ['2026-04-04', '2026-04-05', '2026-04-06']) {
      const row = await dayRow(clinic.id, day)
      assert.isFalse(!!row.working_day, day)
      assert.isNull(row.longest_gap_minutes, day)
      assert.isFalse(!!row.gap_over_24h, day)
    }
    // Tuesday: Friday 17:00–24:00 (7 h) + Tuesday 00:00–09:00 (9 h) = 16 h; the holiday Monday is not counted
    const tuesday = await dayRow(clinic.id, '2026-04-07')
    assert.isTrue(!!tuesday.working_day)
    assert.equal(tuesday.longest_gap_minutes, 16 * 60)
    assert.isFalse(!!tuesday.gap_over_24h)

    // an administrator takes Monday out of the calendar: the kept rows are recomputed, Monday counts 24 h
    const admin = await make.user('admin', await make.institution('lead_hospital'))
    const token = await apiToken(admin)
    const removed = await api('DELETE', '/recognition/calendar/2026-04-06', token)
    assert.equal(removed.status, 200)
    const monday = await dayRow(clinic.id, '2026-04-06')
    assert.isTrue(!!monday.working_day)
    // Monday: the stretch still open at its end, Friday 7 h + Monday 24 h = 31 h; Tuesday: 7 h + 24 h + 9 h = 40 h
    assert.equal(monday.longest_gap_minutes, 31 * 60)
    assert.isTrue(!!monday.gap_over_24h)
    const tuesdayAgain = await dayRow(clinic.id, '2026-04-07')
    assert.equal(tuesdayAgain.longest_gap_minutes, 40 * 60)
    assert.isTrue(!!tuesdayAgain.gap_over_24h)

    // and puts it back
    const saved = await api('PUT', '/recognition/calendar', token, {
      day: '2026-04-06',
      kind: 'holiday',
      name: '清明节',
    })
    assert.equal(saved.status, 200)
    assert.isFalse(!!(await dayRow(clinic.id, '2026-04-06')).working_day)
    assert.equal((await dayRow(clinic.id, '2026-04-07')).longest_gap_minutes, 16 * 60)
    const listed = await api('GET', '/recognition/calendar?year=2026', token)
    assert.deepInclude(listed.body.data.days, {
      day: '2026-04-06',
      kind: 'holiday',
      name: '清明节',
    })

    const actions = await db
      .from('audit_events')
      .whereIn('action', ['recognition.calendar.save', 'recognition.calendar.remove'])
      .select('action', 'target_id')
    assert.includeDeepMembers(
      actions.map((a) => `${a.action}:${a.target_id}`),
      ['recognition.calendar.remove:2026-04-06', 'recognition.calendar.save:2026-04-06']
    )
  })

  test('an adjusted working day (Saturday 9 May 2026, after 劳动节) counts; the Sunday does not', async ({
    assert,
  }) => {
    const item = await chestDr()
    const clinic = await make.institution('member_clinic')
    const staff = await make.user('clinic_staff', clinic)
    // Friday 8 May 17:00, then Monday 11 May 09:00
    await uploaded(staff, item, {
      acquired: '2026-05-08T16:50',
      received: '2026-05-08T17:00',
      due: '2026-05-09T17:00',
    })
    await uploaded(staff, item, {
      acquired: '2026-05-11T08:50',
      received: '2026-05-11T09:00',
      due: '2026-05-12T09:00',
    })
    await rollUp(clinic, ['2026-05-08', '2026-05-09', '2026-05-10', '2026-05-11'])
    // Saturday, worked: Friday 7 h + the whole Saturday 24 h = 31 h
    const saturday = await dayRow(clinic.id, '2026-05-09')
    assert.isTrue(!!saturday.working_day)
    assert.equal(saturday.longest_gap_minutes, 31 * 60)
    assert.isTrue(!!saturday.gap_over_24h)
    const sunday = await dayRow(clinic.id, '2026-05-10')
    assert.isFalse(!!sunday.working_day)
    assert.isNull(sunday.longest_gap_minutes)
    // Monday: 7 h + 24 h (Saturday) + 0 (Sunday) + 9 h = 40 h
    assert.equal((await dayRow(clinic.id, '2026-05-11')).longest_gap_minutes, 40 * 60)
  })

  test('refusals: a weekday as an adjusted working day, an unknown kind, no name, a bad date, an unknown day, a clinic — nothing changed', async ({
    assert,
  }) => {
    const admin = await make.user('admin', await make.institution('lead_hospital'))
    const token = await apiToken(admin)
    const before = await db.from('recognition_calendar_days').count('* as n').first()
    const refused = async (body: Record<string, string>, code: string) => {
      const r = await api('PUT', '/recognition/calendar', token, body)
      assert.equal(r.status, 422, code)
      assert.equal(r.body.errors[0].code, code)
    }
    // Wednesday 2 December 2026
    await refused({ day: '2026-12-02', kind: 'workday', name: '调休' }, 'calendar_workday_weekday')
    await refused({ day: '2026-12-05', kind: 'rest', name: '调休' }, 'calendar_bad_kind')
    await refused({ day: '2026-12-05', kind: 'holiday', name: '   ' }, 'calendar_name_missing')
    await refused({ day: '2026-13-40', kind: 'holiday', name: '节日' }, 'calendar_bad_day')
    assert.equal((await api('DELETE', '/recognition/calendar/2026-12-02', token)).status, 404)
    const clinicStaff = await make.user('clinic_staff', await make.institution('member_clinic'))
    const forbidden = await api('PUT', '/recognition/calendar', await apiToken(clinicStaff), {
      day: '2026-12-05',
      kind: 'workday',
      name: '调休',
    })
    assert.equal(forbidden.status, 403)
    const after = await db.from('recognition_calendar_days').count('* as n').first()
    assert.equal(Number(after.n), Number(before.n))
    // the seeded years are there
    assert.isTrue(
      !!(await db
        .from('recognition_calendar_days')
        .where('day', '2026-02-28')
        .where('kind', 'workday')
        .first())
    )
    assert.isTrue(!!(await db.from('recognition_calendar_days').where('day', '2027-02-06').first()))
  })
})

test.group('Recognition statistics (H 四(四))', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  let restore: () => void
  group.each.setup(() => {
    restore = manualClock('2026-12-01T00:30:00Z').restore
    return () => restore()
  })

  test('the month by clinic and item: reminders, decisions by reason, rate, exams and money avoided; kept as the monthly report', async ({
    assert,
  }) => {
    const item = await chestDr()
    const clinic = await make.institution('member_clinic')
    const staff = await make.user('clinic_staff', clinic)
    const other = await make.institution('member_clinic')
    const patient = await make.patientAt(clinic)
    await db
      .table('recognition_fees')
      .insert({ exam_item_id: item.id, fee_cents: 8500, updated_at: sqlTime(DateTime.utc()) })
    const at = (iso: string) => sqlTime(local(iso))
    for (const day of ['2026-11-03', '2026-11-10', '2026-11-17', '2026-11-24', '2026-10-31']) {
      await db.table('recognition_reminders').insert({
        institution_id: clinic.id,
        patient_id: patient.patient.id,
        clinic_patient_id: patient.clinicPatient.id,
        exam_item_id: item.id,
        shown_at: at(`${day}T09:00`),
      })
    }
    const decide = (day: string, decision: string, reason: string | null = null) =>
      db.table('recognition_decisions').insert({
        institution_id: clinic.id,
        patient_id: patient.patient.id,
        clinic_patient_id: patient.clinicPatient.id,
        exam_item_id: item.id,
        decision,
        earlier_institution_id: other.id,
        earlier_institution_name: other.name,
        earlier_exam_at: at(`${day}T08:00`),
        earlier_reference: 'X1',
        reason_code: reason,
        patient_informed: !!reason,
        requesting_doctor: '李医生',
        decided_by_id: staff.id,
        decided_at: at(`${day}T09:05`),
      })
    await decide('2026-11-03', 'accepted')
    await decide('2026-11-10', 'accepted')
    await decide('2026-11-17', 'accepted')
    await decide('2026-11-24', 're_examined', 'condition_changed')
    await decide('2026-10-31', 're_examined', 'emergency') // October: not this month

    const stats = await monthlyStatistics('2026-11')
    assert.lengthOf(stats.rows, 1)
    assert.deepInclude(stats.rows[0], {
      shown: 4,
      accepted: 3,
      reExamined: 1,
      byReason: { condition_changed: 1 },
      recognitionRate: 0.75,
      examsAvoided: 3,
      moneyAvoidedCents: 25500,
    })
    assert.deepInclude(stats.totals, { shown: 4, accepted: 3, moneyAvoidedCents: 25500 })

    const rate = await clinicIndicators.get('recognition.recognition_rate')!.compute({
      from: local('2026-11-01T00:00'),
      to: local('2026-12-01T00:00'),
      clinicIds: [clinic.id],
    })
    assert.deepInclude(rate.get(clinic.id), { value: 0.75, numerator: 3, denominator: 4 })

    // the job on the 1st makes last month's report, kept and downloadable
    await scheduledJobs.find('recognition.monthly-report')!.run()
    const kept = await db
      .from('recognition_monthly_reports')
      .where('month', '2026-11')
      .firstOrFail()
    assert.equal(JSON.parse(kept.figures).totals.accepted, 3)
    const admin = await make.user('admin')
    const response = await fetch(`${baseUrl()}/api/v1/recognition/reports/${kept.id}/xlsx`, {
      headers: { Authorization: `Bearer ${await apiToken(admin)}` },
    })
    assert.equal(response.status, 200)
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(Buffer.from(await response.arrayBuffer()) as any)
    const sheet = workbook.worksheets[0]
    const rows = sheet.getSheetValues().filter(Boolean) as any[]
    const line = rows.find((r) => r[1] === clinic.name)
    assert.equal(line[3], 4)
    assert.equal(line[4], 3)
    assert.equal(line[line.length - 1], 255)

    // a clinic may not download the bureau's report; it sees its own statistics
    const clinicToken = await apiToken(staff)
    assert.equal(
      (
        await fetch(`${baseUrl()}/api/v1/recognition/reports/${kept.id}/xlsx`, {
          headers: { Authorization: `Bearer ${clinicToken}` },
        })
      ).status,
      403
    )
    const own = await api('GET', '/recognition/statistics?month=2026-11', clinicToken)
    assert.equal(own.body.data.totals.accepted, 3)
    await generateMonthlyReport('2026-11', DateTime.utc())
    assert.equal(
      Number((await db.from('recognition_monthly_reports').count('* as n').first()).n),
      1,
      'regenerating replaces'
    )
  })

  test('refusals by the receiving side are recorded with a listed reason and counted against the clinic', async ({
    assert,
  }) => {
    const item = await chestDr()
    const clinic = await make.institution('member_clinic')
    const staff = await make.user('clinic_staff', clinic)
    const { exam } = await make.exam(staff, 'DR')
    void item
    const upper = await make.institution('upper_hospital', { level: '三级甲等' } as any)
    const qc = await make.user('qc_officer', await make.institution('lead_hospital'))
    const token = await apiToken(qc)
    const missing = await api('POST', '/recognition/refusals', token, {
      accessionNumber: exam.accessionNumber,
      refusingInstitutionId: upper.id,
    })
    assert.equal(missing.status, 422)
    assert.equal(missing.body.errors[0].code, 'reason_missing')
    const other = await api('POST', '/recognition/refusals', token, {
      accessionNumber: exam.accessionNumber,
      refusingInstitutionId: upper.id,
      reasonCode: 'other',
    })
    assert.equal(other.body.errors[0].code, 'reason_text_missing')
    const recorded = await api('POST', '/recognition/refusals', token, {
      accessionNumber: exam.accessionNumber,
      refusingInstitutionId: upper.id,
      reasonCode: 'insufficient_quality',
    })
    assert.equal(recorded.status, 201)
    // a clinic that is not the patient's cannot refuse (or even find) the result
    const stranger = await make.user('clinic_staff', await make.institution('member_clinic'))
    const hidden = await api('POST', '/recognition/refusals', await apiToken(stranger), {
      accessionNumber: exam.accessionNumber,
      reasonCode: 'doubtful_result',
    })
    assert.equal(hidden.status, 404)
    const counted = await clinicIndicators.get('recognition.refusals')!.compute({
      from: local('2026-11-30T00:00'),
      to: local('2026-12-02T00:00'),
      clinicIds: [clinic.id],
    })
    assert.equal(counted.get(clinic.id)!.value, 1)
  })
})
