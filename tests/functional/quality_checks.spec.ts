import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { Readable } from 'node:stream'
import AuditEvent from '#models/audit_event'
import ExamItem from '#models/exam_item'
import * as make from '#tests/support/fixtures'
import { apiToken } from '#tests/support/http'
import { studyFor } from '#tests/support/dicom'
import { api, CT_REPORT, doctor, manualClock } from '#tests/support/reading'
import { ImageIntake } from '#app/intake/services/image_intake'
import { checkIntake } from '#app/quality/services/check_records'
import { BODY_PART_WORDS } from '#app/quality/services/automatic_checks'

/** A CT exam whose study is stored in the test Orthanc through intake, slice by slice. */
async function ctExamWith(options: { drop?: number[]; fields?: boolean; studyTime?: string }) {
  const clinic = await make.user('clinic_staff')
  const made = await make.exam(clinic, 'CT')
  const item = await ExamItem.findOrFail(
    (await db.from('exam_exam_items').where('exam_id', made.exam.id).first()).exam_item_id
  )
  const bodyPart = Object.entries(BODY_PART_WORDS).find(([, words]) =>
    words.some((w) => `${item.bodyPart}${item.name}`.includes(w))
  )![0]
  const extra =
    options.fields === false
      ? {}
      : { bodyPart, operatorsName: 'Wang^Li', studyDescription: item.name }
  const study = studyFor(made.exam, made.clinicPatient, 1, 6, {
    ...extra,
    studyTime: options.studyTime ?? '085000',
  })
  const intake = await app.container.make(ImageIntake)
  const identity = await intake.examIdentity(made.exam)
  for (const [i, file] of study.files.entries()) {
    if (options.drop?.includes(i + 1)) continue
    const outcome = await intake.receive(
      made.exam,
      Readable.from([file.data]),
      identity,
      file.data.length
    )
    if (outcome.status === 'rejected') throw new Error(outcome.reason)
  }
  await made.exam.refresh()
  return { ...made, clinic }
}

test.group('Automatic QC checks on real studies', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  let restore: () => void
  let clock: ReturnType<typeof manualClock>['clock']
  group.each.setup(() => {
    const manual = manualClock('2026-11-22T01:00:00Z')
    clock = manual.clock
    restore = manual.restore
    return () => restore()
  })

  test('a good study stays quiet; its technologist is remembered', async ({ assert }) => {
    const { exam } = await ctExamWith({})
    assert.deepEqual(await checkIntake(exam.id, clock.now()), [])
    assert.lengthOf(await db.from('qc_findings').where('exam_id', exam.id), 0)
    assert.equal(
      (await db.from('qc_exam_technologists').where('exam_id', exam.id).first()).operator_name,
      'Wang Li'
    )
  })

  test('a study made to break it: missing fields, a missing slice, uploaded late — findings on the exam, shown on the QC form', async ({
    assert,
    client,
  }) => {
    const { exam } = await ctExamWith({ drop: [3], fields: false, studyTime: '063000' })
    const findings = await checkIntake(exam.id, clock.now())
    assert.sameMembers(
      findings.map((f) => f.code),
      ['missing_field', 'missing_field', 'missing_field', 'missing_slices', 'late_upload']
    )
    const stored = await db.from('qc_findings').where('exam_id', exam.id).where('stage', 'intake')
    assert.lengthOf(stored, 5)
    assert.equal(stored[0].institution_id, exam.institutionId)
    // Checked again, the findings are replaced, not doubled.
    await checkIntake(exam.id, clock.now())
    assert.lengthOf(await db.from('qc_findings').where('exam_id', exam.id), 5)
    const qc = await make.user('qc_officer')
    const page = await client.get(`/quality/exams/${exam.id}`).loginAs(qc)
    assert.include(page.text(), '实例号 3')
    assert.include(page.text(), 'DICOM 缺少必填字段：检查部位')
  })

  test('at submission: a warning refuses until overridden with a reason, which is recorded and audited', async ({
    assert,
  }) => {
    const { exam } = await ctExamWith({})
    const junior = await doctor('junior')
    const token = await apiToken(junior)
    const claimed = await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, token)
    const revision = claimed.body.data.report.revision
    const wrongSide = { ...CT_REPORT, impression: '左肺下叶炎症，建议治疗后复查。' }
    const refused = await api('POST', `/reading/exams/${exam.accessionNumber}/submit`, token, {
      ...wrongSide,
      revision,
    })
    assert.equal(refused.status, 422, JSON.stringify(refused.body))
    assert.equal(refused.body.errors[0].code, 'qc_warnings')
    assert.equal((await exam.refresh()).status, 'in_progress')

    const overridden = await api('POST', `/reading/exams/${exam.accessionNumber}/submit`, token, {
      ...wrongSide,
      revision,
      qcOverrideReason: '患者左肺另有病灶，已核对',
    })
    assert.equal(overridden.status, 200, JSON.stringify(overridden.body))
    const recorded = await db
      .from('qc_findings')
      .where('exam_id', exam.id)
      .where('stage', 'submission')
    assert.deepEqual(
      recorded.map((r: any) => [r.code, r.override_reason, r.overridden_by_id]),
      [['laterality', '患者左肺另有病灶，已核对', junior.id]]
    )
    const audit = await AuditEvent.query()
      .where('action', 'report.submit')
      .where('outcome', 'success')
      .firstOrFail()
    assert.equal((audit.details as any).qcOverride, '患者左肺另有病灶，已核对')
  })

  test('the reading page shows the warnings before submitting, with the override field', async ({
    assert,
    client,
  }) => {
    const { exam } = await ctExamWith({})
    const junior = await doctor('junior')
    await client
      .post(`/reading/exams/${exam.id}/claim`)
      .loginAs(junior)
      .withCsrfToken()
      .redirects(0)
    const token = await apiToken(junior)
    const reading = await api('GET', `/reading/exams/${exam.accessionNumber}`, token)
    await api('PUT', `/reading/exams/${exam.accessionNumber}/draft`, token, {
      ...CT_REPORT,
      impression: '',
      revision: reading.body.data.working.revision,
    })
    const page = await client.get(`/reading/exams/${exam.id}`).loginAs(junior)
    assert.include(page.text(), 'data-warning="empty_impression"')
    assert.include(page.text(), 'name="qcOverrideReason"')
  })
})
