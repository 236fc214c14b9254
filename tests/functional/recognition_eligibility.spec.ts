import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { writeFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DateTime } from 'luxon'
import AuditEvent from '#models/audit_event'
import ExamItem from '#models/exam_item'
import { resultMarks } from '#app/platform/result_marks'
import { clinicIndicators, type IndicatorValue } from '#app/platform/clinic_indicators'
import { RecognitionSuspensions } from '#app/recognition/services/suspensions'
import { RepeatExamCheck } from '#app/recognition/services/repeat_exam_check'
import * as make from '#tests/support/fixtures'
import { apiToken, baseUrl } from '#tests/support/http'
import {
  api,
  CT_REPORT,
  doctor,
  examWithImages,
  manualClock,
  revisionOf,
} from '#tests/support/reading'
import { chestDr, evaluate, samePatientAt, signedResult } from '#tests/support/recognition'

const run = promisify(execFile)
const NOW = DateTime.fromISO('2026-11-22T02:00:00Z', { zone: 'utc' })

async function pdfText(pdf: ArrayBuffer) {
  const dir = await mkdtemp(join(tmpdir(), 'recognition-pdf-'))
  try {
    await writeFile(join(dir, 'r.pdf'), Buffer.from(pdf))
    return (await run('pdftotext', ['-layout', join(dir, 'r.pdf'), '-'])).stdout
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** A clinic below level 2 that passed a QC-centre evaluation (R 6.2), so its items can carry marks. */
async function evaluatedClinic() {
  const clinic = await make.institution('member_clinic')
  await db.table('recognition_institutions').insert({
    institution_id: clinic.id,
    is_public: true,
    qc_evaluation_passed_on: '2026-01-01',
    qc_evaluation_valid_until: '2027-12-31',
    created_at: NOW.toSQL({ includeOffset: false }),
    updated_at: NOW.toSQL({ includeOffset: false }),
  })
  return clinic
}

test.group('Eligibility and marks (R 6.2, R 6.4, B)', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  let restore: () => void
  group.each.setup(() => {
    restore = manualClock(NOW.toISO()!).restore
    return () => restore()
  })

  test('a mark needs the institution in scope and the item evaluated; the widest applicable scope wins', async ({
    assert,
  }) => {
    const item = await chestDr()
    const plain = await make.institution('member_clinic')
    const user = await make.user('clinic_staff', plain)
    const patient = await make.patientAt(plain)
    const exam = await signedResult(user, patient.clinicPatient.id, item, NOW.minus({ days: 2 }))
    assert.isNull(await resultMarks.forExam(exam.id), 'unevaluated item: no mark')
    await evaluate(plain, item)
    assert.isNull(
      await resultMarks.forExam(exam.id),
      'first-level clinic without a QC-centre evaluation is outside R 6.2'
    )

    const clinic = await evaluatedClinic()
    const staff = await make.user('clinic_staff', clinic)
    const theirs = await make.patientAt(clinic)
    const result = await signedResult(staff, theirs.clinicPatient.id, item, NOW.minus({ days: 2 }))
    assert.isNull(await resultMarks.forExam(result.id))
    await evaluate(clinic, item, { passed: false })
    assert.isNull(await resultMarks.forExam(result.id), 'failed evaluation: no mark')
    await db
      .from('recognition_item_evaluations')
      .where('institution_id', clinic.id)
      .update({ passed: true })
    assert.deepInclude(await resultMarks.forExam(result.id), { code: '川渝HR' })

    // a region adds a wider catalogue naming the same item (R 7.2: same four parts)
    await db.table('recognition_catalogues').insert({
      code: 'jjj',
      name: '京津冀',
      mark: 'JJJHR',
      scope_rank: 35,
      min_level: '二级乙等',
      requires_public: false,
      active: true,
      created_at: NOW.toSQL({ includeOffset: false }),
      updated_at: NOW.toSQL({ includeOffset: false }),
    })
    const jjjItem = await ExamItem.create({
      catalogue: 'jjj' as any,
      seq: 1,
      modality: item.modality,
      region: null,
      bodyPart: item.bodyPart,
      method: item.method,
      position: item.position,
      name: item.name,
      sourceName: '胸部后前位',
      techniqueNote: null,
      isContrast: false,
      active: true,
    })
    assert.deepInclude(
      await resultMarks.forExam(result.id),
      { code: '川渝HR' },
      'not evaluated in the wider catalogue yet'
    )
    await evaluate(clinic, jjjItem)
    assert.deepInclude(await resultMarks.forExam(result.id), { code: 'JJJHR' })
  })

  test('the signed report PDF of an eligible item prints the mark; an ineligible one prints none (pdftotext)', async ({
    assert,
  }) => {
    const clinic = await evaluatedClinic()
    const staff = await make.user('clinic_staff', clinic)
    const { exam } = await examWithImages(staff, 'CT')
    const junior = await doctor('junior')
    const senior = await doctor('senior')
    await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, await apiToken(junior))
    await api('POST', `/reading/exams/${exam.accessionNumber}/submit`, await apiToken(junior), {
      ...CT_REPORT,
      revision: await revisionOf(exam),
    })
    const signed = await api(
      'POST',
      `/reading/exams/${exam.accessionNumber}/sign`,
      await apiToken(senior),
      { revision: await revisionOf(exam) }
    )
    assert.equal(signed.status, 200)
    const token = await apiToken(staff)
    const pdf = async () => {
      const response = await fetch(`${baseUrl()}/api/v1/exams/${exam.accessionNumber}/report.pdf`, {
        headers: { Authorization: `Bearer ${token}` },
      })
      assert.equal(response.status, 200)
      return pdfText(await response.arrayBuffer())
    }
    assert.notInclude(await pdf(), 'HR')
    const item = await db.from('exam_exam_items').where('exam_id', exam.id).firstOrFail()
    await evaluate(clinic, { id: item.exam_item_id })
    const text = await pdf()
    assert.include(text, '川渝HR')
    // top-right: on the first line, before the title
    const firstLines = text
      .split('\n')
      .filter((l) => l.trim())
      .slice(0, 2)
      .join('\n')
    assert.match(firstLines, /川渝HR/)
  })

  test('administrators keep eligibility through the API; a mark on an item of no catalogue and a negative fee are refused; all audited', async ({
    assert,
  }) => {
    const admin = await make.user('admin')
    const token = await apiToken(admin)
    const clinic = await make.institution('member_clinic')
    const item = await chestDr()

    const set = await api('PUT', `/recognition/institutions/${clinic.id}`, token, {
      isPublic: true,
      qcEvaluationPassedOn: '2026-03-01',
      qcEvaluationValidUntil: '2027-03-01',
    })
    assert.equal(set.status, 200)
    const reversed = await api('PUT', `/recognition/institutions/${clinic.id}`, token, {
      isPublic: true,
      qcEvaluationPassedOn: '2026-03-01',
      qcEvaluationValidUntil: '2025-03-01',
    })
    assert.equal(reversed.status, 422)
    assert.equal(reversed.body.errors[0].code, 'dates_reversed')

    const evaluation = await api('POST', '/recognition/evaluations', token, {
      institutionId: clinic.id,
      examItemId: item.id,
      passed: true,
      evaluatedOn: '2026-03-01',
      validUntil: '2027-03-01',
    })
    assert.equal(evaluation.status, 201, JSON.stringify(evaluation.body))
    const local = await ExamItem.create({
      catalogue: 'local',
      seq: 9001,
      modality: 'DR',
      region: null,
      bodyPart: '胸部',
      method: '摄影',
      position: '床旁',
      name: 'DR 胸部 摄影 床旁',
      sourceName: '床旁胸片',
      techniqueNote: null,
      isContrast: false,
      active: true,
    })
    const refused = await api('POST', '/recognition/evaluations', token, {
      institutionId: clinic.id,
      examItemId: local.id,
      passed: true,
      evaluatedOn: '2026-03-01',
    })
    assert.equal(refused.status, 422)
    assert.equal(refused.body.errors[0].code, 'item_not_in_catalogue')

    const negative = await api('POST', '/recognition/fees', token, {
      examItemId: item.id,
      feeYuan: -5,
    })
    assert.equal(negative.status, 422)
    assert.equal(negative.body.errors[0].code, 'fee_negative')
    const fee = await api('POST', '/recognition/fees', token, {
      examItemId: item.id,
      feeYuan: 85.5,
    })
    assert.equal(fee.status, 200)
    assert.equal(
      (await db.from('recognition_fees').where('exam_item_id', item.id).firstOrFail()).fee_cents,
      8550
    )

    const actions = (await AuditEvent.query().where('action', 'like', 'recognition.%')).map(
      (e) => `${e.action}:${e.outcome}`
    )
    for (const expected of [
      'recognition.institution.update:success',
      'recognition.institution.update:refused',
      'recognition.evaluation.save:success',
      'recognition.evaluation.save:refused',
      'recognition.fee.save:refused',
      'recognition.fee.save:success',
    ]) {
      assert.include(actions, expected)
    }

    // a clinic may not touch eligibility
    const clinicToken = await apiToken(await make.user('clinic_staff', clinic))
    const forbidden = await api('POST', '/recognition/evaluations', clinicToken, {
      institutionId: clinic.id,
      examItemId: item.id,
      passed: true,
      evaluatedOn: '2026-03-01',
    })
    assert.equal(forbidden.status, 403)
  })
})

test.group('Suspension on falling QC (R 9.1)', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  let restore: () => void
  group.each.setup(() => {
    restore = manualClock(NOW.toISO()!).restore
    return () => restore()
  })

  test('without quality control installed nothing is suspended', async ({ assert }) => {
    if (clinicIndicators.get('quality.image_pass_rate')) return assert.isTrue(true)
    const clinic = await make.institution('member_clinic')
    await evaluate(clinic, await chestDr())
    const suspensions = await app.container.make(RecognitionSuspensions)
    assert.deepEqual(await suspensions.review(), [])
  })

  test('a QC pass rate below the threshold suspends the institution × modality, tells the administrators and stops reminders', async ({
    assert,
  }) => {
    const first = await make.institution('member_clinic')
    const second = await make.institution('member_clinic')
    const atFirst = await make.user('clinic_staff', first)
    const atSecond = await make.user('clinic_staff', second)
    const admin = await make.user('admin')
    const item = await chestDr()
    await evaluate(first, item)
    const patient = await samePatientAt(first, second)
    await signedResult(atFirst, patient.atFirst.id, item, NOW.minus({ days: 3 }))
    const check = await app.container.make(RepeatExamCheck)
    assert.lengthOf(await check.remindersFor(atSecond, patient.atSecond.id, [item.id]), 1)

    // quality control's indicator, as that capability will register it (a fake one when it is absent)
    const asked: Array<{ modality?: string; from: string; to: string }> = []
    const fake = {
      key: 'quality.image_pass_rate',
      labelKey: 'x',
      unit: 'rate' as const,
      higherIsBetter: true,
      async compute(q: { from: DateTime; to: DateTime; clinicIds: number[]; modality?: string }) {
        asked.push({ modality: q.modality, from: q.from.toISODate()!, to: q.to.toISODate()! })
        return new Map<number, IndicatorValue>(
          q.clinicIds.map((id) => [
            id,
            { value: id === first.id && q.modality === 'DR' ? 0.6 : 0.95 },
          ])
        )
      },
    }
    // Registered for this test only (quality control registers the real one at boot; registering twice throws).
    const registry = clinicIndicators as any
    const originalGet = clinicIndicators.get.bind(clinicIndicators)
    registry.get = (key: string) => (key === fake.key ? fake : originalGet(key))
    try {
      const suspensions = await app.container.make(RecognitionSuspensions)
      const outcomes = await suspensions.review()
      assert.lengthOf(outcomes, 1)
      assert.equal(outcomes[0].institutionId, first.id)
      assert.equal(outcomes[0].modality, 'DR')
      assert.deepInclude(asked, { modality: 'DR', from: '2026-08-22', to: '2026-11-22' })
      assert.deepEqual(await suspensions.review(), [], 'suspended once')
      assert.lengthOf(await check.remindersFor(atSecond, patient.atSecond.id, [item.id]), 0)
      const notice = await db.from('recognition_notices').where('user_id', admin.id).firstOrFail()
      assert.equal(notice.kind, 'suspension')
      const audited = await AuditEvent.query().where('action', 'recognition.suspend').firstOrFail()
      assert.equal(audited.targetId, String(first.id))
    } finally {
      registry.get = originalGet
    }
  })
})
