import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import AuditEvent from '#models/audit_event'
import ExamItem from '#models/exam_item'
import { ExamRegistration } from '#app/intake/services/exam_registration'
import { RepeatExamCheck, RepeatExamReminder } from '#app/recognition/services/repeat_exam_check'
import * as make from '#tests/support/fixtures'
import { apiToken } from '#tests/support/http'
import { api, manualClock } from '#tests/support/reading'
import { chestDr, evaluate, samePatientAt, signedResult } from '#tests/support/recognition'

const NOW = DateTime.fromISO('2026-11-22T02:00:00Z', { zone: 'utc' })
const countExams = async () => Number((await db.from('exams').count('* as n').first()).n)

/** Two member clinics of the alliance, one patient registered at both, chest DR evaluated at the first. */
async function scene() {
  const first = await make.institution('member_clinic')
  const second = await make.institution('member_clinic')
  const atFirst = await make.user('clinic_staff', first)
  const atSecond = await make.user('clinic_staff', second)
  const item = await chestDr()
  await evaluate(first, item)
  const patient = await samePatientAt(first, second)
  return { first, second, atFirst, atSecond, item, patient }
}

const request = (clinicPatientId: number, itemId: number, extra: Record<string, unknown> = {}) => ({
  clinicPatientId,
  itemIds: [itemId],
  priority: 'routine' as const,
  clinicalHistory: '咳嗽一周',
  purpose: '排除肺炎',
  requestingDoctor: '李医生',
  ...extra,
})

test.group('The repeat-exam reminder (R 6.5, R 6.6)', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  let restore: () => void
  group.each.setup(() => {
    restore = manualClock(NOW.toISO()!).restore
    return () => restore()
  })

  test('an exam 29 days old at another member is reminded; one 32 days old is not', async ({
    assert,
  }) => {
    const { atFirst, atSecond, item, patient } = await scene()
    const recent = await signedResult(atFirst, patient.atFirst.id, item, NOW.minus({ days: 29 }))
    const check = await app.container.make(RepeatExamCheck)
    const reminders = await check.remindersFor(atSecond, patient.atSecond.id, [item.id])
    assert.lengthOf(reminders, 1)
    assert.equal(reminders[0].earlier[0].id, recent.id)
    assert.equal(reminders[0].earlier[0].mark, '川渝HR')
    assert.include(reminders[0].earlier[0].impression!, '未见明确实变')

    await db
      .from('exams')
      .where('id', recent.id)
      .update({
        images_received_at: NOW.minus({ days: 32 }).toSQL({ includeOffset: false }),
        registered_at: NOW.minus({ days: 32 }).toSQL({ includeOffset: false }),
      })
    assert.lengthOf(await check.remindersFor(atSecond, patient.atSecond.id, [item.id]), 0)
  })

  test('no reminder across items, from an unevaluated item, or from an institution this clinic does not recognise', async ({
    assert,
  }) => {
    const { atFirst, atSecond, item, patient, second } = await scene()
    const check = await app.container.make(RepeatExamCheck)
    // another item: chest DR with a lateral view is not the same normalised item
    const lateral = await ExamItem.query()
      .where('catalogue', 'chuanyu')
      .where('seq', 2)
      .firstOrFail()
    await evaluate(atFirst.institution, lateral)
    await signedResult(atFirst, patient.atFirst.id, lateral, NOW.minus({ days: 5 }))
    assert.lengthOf(await check.remindersFor(atSecond, patient.atSecond.id, [item.id]), 0)

    // not evaluated at the performing clinic
    const knee = await ExamItem.query()
      .where('catalogue', 'chuanyu')
      .where('modality', 'DR')
      .where('body_part', 'like', '%膝%')
      .firstOrFail()
    await signedResult(atFirst, patient.atFirst.id, knee, NOW.minus({ days: 5 }))
    assert.lengthOf(await check.remindersFor(atSecond, patient.atSecond.id, [knee.id]), 0)

    // a first-level institution outside the alliance (not in R 6.2's scope) and one upper hospital that is
    const outsider = await make.institution('specialty_centre', { level: '一级' } as any)
    const upper = await make.institution('upper_hospital', { level: '三级甲等' } as any)
    await evaluate(outsider, item)
    await evaluate(upper, item)
    const insert = (institutionId: number, reference: string) =>
      db.table('recognition_external_results').insert({
        patient_id: patient.patientId,
        institution_id: institutionId,
        exam_item_id: item.id,
        performed_at: NOW.minus({ days: 3 }).toSQL({ includeOffset: false }),
        reference,
        impression: '未见异常',
        source: 'consultation',
        created_at: NOW.toSQL({ includeOffset: false }),
      })
    await insert(outsider.id, 'OUT-1')
    assert.lengthOf(await check.remindersFor(atSecond, patient.atSecond.id, [item.id]), 0)
    await insert(upper.id, 'UP-1')
    const reminders = await check.remindersFor(atSecond, patient.atSecond.id, [item.id])
    assert.deepEqual(
      reminders[0].earlier.map((e) => e.reference),
      ['UP-1']
    )
    void second
  })

  test('registering without answering the reminder saves nothing and says so (page and API alike)', async ({
    assert,
  }) => {
    const { atFirst, atSecond, item, patient } = await scene()
    await signedResult(atFirst, patient.atFirst.id, item, NOW.minus({ days: 10 }))
    const before = await countExams()
    const registration = await app.container.make(ExamRegistration)
    await assert.rejects(
      () => registration.register(atSecond, request(patient.atSecond.id, item.id)),
      RepeatExamReminder as any
    )
    assert.equal(await countExams(), before)

    const response = await api(
      'POST',
      '/exams',
      await apiToken(atSecond),
      request(patient.atSecond.id, item.id)
    )
    assert.equal(response.status, 409)
    assert.equal(response.body.errors[0].code, 'repeat_exam_reminder')
    assert.equal(await countExams(), before)
    // the reminders the API client shows
    const reminders = await api(
      'GET',
      `/recognition/reminders?clinicPatientId=${patient.atSecond.id}&itemIds[]=${item.id}`,
      await apiToken(atSecond)
    )
    assert.equal(reminders.status, 200)
    assert.equal(reminders.body.data[0].itemId, item.id)
    // shown once a day, however often the form comes back
    assert.equal(Number((await db.from('recognition_reminders').count('* as n').first()).n), 1)
  })

  test('accepting records what R 6.6 lists, makes no exam and links the earlier report to this visit', async ({
    assert,
  }) => {
    const { atFirst, atSecond, item, patient, first } = await scene()
    const earlier = await signedResult(atFirst, patient.atFirst.id, item, NOW.minus({ days: 10 }))
    const before = await countExams()
    const response = await api(
      'POST',
      '/exams',
      await apiToken(atSecond),
      request(patient.atSecond.id, item.id, {
        recognition: [{ itemId: item.id, decision: 'accept', earlierExamId: earlier.id }],
      })
    )
    assert.equal(response.status, 200)
    assert.lengthOf(response.body.data, 0)
    assert.equal(await countExams(), before)
    const decision = await db
      .from('recognition_decisions')
      .where('id', response.body.recognitionDecisionIds[0])
      .firstOrFail()
    assert.equal(decision.decision, 'accepted')
    assert.equal(Number(decision.earlier_exam_id), earlier.id)
    assert.equal(decision.earlier_institution_name, first.name)
    assert.equal(decision.earlier_reference, earlier.accessionNumber)
    assert.equal(
      DateTime.fromJSDate(decision.earlier_exam_at, { zone: 'utc' }).toISO(),
      NOW.minus({ days: 10 }).toISO()
    )
    assert.include(decision.earlier_impression, '未见明确实变')
    assert.equal(Number(decision.clinic_patient_id), patient.atSecond.id)
    assert.isNull(decision.new_exam_id)
    const audited = await AuditEvent.query()
      .where('action', 'exam.register')
      .where('target_type', 'recognition_decision')
      .firstOrFail()
    assert.equal(audited.targetId, String(decision.id))
  })

  test('re-examining needs a listed reason, text for "other" and the patient told; then the exam is registered and linked', async ({
    assert,
  }) => {
    const { atFirst, atSecond, item, patient } = await scene()
    const earlier = await signedResult(atFirst, patient.atFirst.id, item, NOW.minus({ days: 10 }))
    const token = await apiToken(atSecond)
    const before = await countExams()
    const attempt = (decision: Record<string, unknown>) =>
      api(
        'POST',
        '/exams',
        token,
        request(patient.atSecond.id, item.id, {
          recognition: [{ itemId: item.id, decision: 're_examine', ...decision }],
        })
      )

    for (const [decision, code] of [
      [{ patientInformed: true }, 'reason_missing'],
      [{ reasonCode: 'made_up', patientInformed: true }, 'reason_missing'],
      [{ reasonCode: 'other', patientInformed: true }, 'reason_text_missing'],
      [{ reasonCode: 'condition_changed' }, 'patient_not_informed'],
    ] as const) {
      const refused = await attempt(decision)
      assert.equal(refused.status, 422, JSON.stringify(decision))
      assert.equal(refused.body.errors[0].code, code)
    }
    assert.equal(await countExams(), before)
    assert.equal(Number((await db.from('recognition_decisions').count('* as n').first()).n), 0)

    const done = await attempt({
      reasonCode: 'other',
      reasonText: '外院片为床旁片，体位不标准',
      patientInformed: true,
    })
    assert.equal(done.status, 201)
    assert.equal(await countExams(), before + 1)
    const decision = await db.from('recognition_decisions').firstOrFail()
    assert.equal(decision.decision, 're_examined')
    assert.equal(decision.reason_code, 'other')
    assert.equal(decision.reason_text, '外院片为床旁片，体位不标准')
    assert.isTrue(!!decision.patient_informed)
    assert.equal(Number(decision.earlier_exam_id), earlier.id)
    assert.equal(Number(decision.new_exam_id), done.body.data[0].id)
  })

  test('accepting a result the clinic may not see is a 404 (audited); too old or of another item is refused', async ({
    assert,
  }) => {
    const { atFirst, atSecond, item, patient } = await scene()
    await signedResult(atFirst, patient.atFirst.id, item, NOW.minus({ days: 10 }))
    const token = await apiToken(atSecond)
    const accept = (earlierExamId: number, itemId = item.id) =>
      api(
        'POST',
        '/exams',
        token,
        request(patient.atSecond.id, itemId, {
          recognition: [{ itemId, decision: 'accept', earlierExamId }],
        })
      )

    // another patient's exam at the first clinic
    const stranger = await make.patientAt(atFirst.institution)
    const hidden = await signedResult(
      atFirst,
      stranger.clinicPatient.id,
      item,
      NOW.minus({ days: 5 })
    )
    const notTheirs = await accept(hidden.id)
    assert.equal(notTheirs.status, 404)
    const denied = await AuditEvent.query()
      .where('action', 'exam.register')
      .where('outcome', 'denied')
      .firstOrFail()
    assert.equal(denied.targetType, 'exam')
    assert.equal(denied.targetId, String(hidden.id))

    const old = await signedResult(atFirst, patient.atFirst.id, item, NOW.minus({ days: 40 }))
    const tooOld = await accept(old.id)
    assert.equal(tooOld.status, 422)
    assert.equal(tooOld.body.errors[0].code, 'earlier_outside_window')

    const lateral = await ExamItem.query()
      .where('catalogue', 'chuanyu')
      .where('seq', 2)
      .firstOrFail()
    const other = await signedResult(atFirst, patient.atFirst.id, lateral, NOW.minus({ days: 3 }))
    const otherItem = await accept(other.id)
    assert.equal(otherItem.status, 422)
    assert.equal(otherItem.body.errors[0].code, 'earlier_other_item')
    assert.equal(Number((await db.from('recognition_decisions').count('* as n').first()).n), 0)
  })

  test('the window is configurable', async ({ assert }) => {
    const { atFirst, atSecond, item, patient } = await scene()
    await signedResult(atFirst, patient.atFirst.id, item, NOW.minus({ days: 20 }))
    const check = await app.container.make(RepeatExamCheck)
    assert.lengthOf(await check.remindersFor(atSecond, patient.atSecond.id, [item.id]), 1)
    await db
      .table('recognition_settings')
      .insert({ name: 'window_days', value: '14', updated_at: NOW.toSQL({ includeOffset: false }) })
    assert.lengthOf(await check.remindersFor(atSecond, patient.atSecond.id, [item.id]), 0)
  })
})
