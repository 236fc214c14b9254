import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import CriticalValue from '#models/critical_value'
import CriticalValueDelivery from '#models/critical_value_delivery'
import CriticalValueEvent from '#models/critical_value_event'
import AuditEvent from '#models/audit_event'
import { Clock, ManualClock } from '#app/platform/clock'
import { rooms } from '#app/realtime/realtime'
import { DutyRoster } from '#app/critical_values/services/duty_roster'
import { CriticalValueRaising } from '#app/critical_values/services/critical_value_raising'
import { CriticalValueEscalation } from '#app/critical_values/services/critical_value_escalation'
import { receiptBook } from '#app/critical_values/services/receipt_book'
import * as make from '#tests/support/fixtures'
import {
  examWithImages,
  finding,
  MESSAGE,
  openTab,
  READ_BACK,
  settle,
  type Tab,
} from '#tests/support/critical_values'

/*
| Critical values pushed over socket.io to clinic users' browser tabs:
| delivered at once, re-sent on reconnection, shown in every tab, taken down
| everywhere when acknowledged, escalated as the clock moves, and no way into
| another clinic's room.
*/

const tabs: Tab[] = []
async function tab(...args: Parameters<typeof openTab>) {
  const opened = await openTab(...args)
  tabs.push(opened)
  return opened
}

async function clinicWithStaff() {
  const clinic = await make.institution('member_clinic', { phone: '0831-5550101' } as any)
  const staff = await make.user('clinic_staff', clinic)
  return { clinic, staff }
}

async function raiseVia(
  service: CriticalValueRaising,
  raiser: Awaited<ReturnType<typeof make.user>>,
  exam: any,
  message = MESSAGE
) {
  return service.raise(raiser, exam, {
    findingId: (await finding()).id,
    message,
    requestKey: randomUUID(),
  })
}

test.group('Critical values · delivery over socket.io', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.teardown(async () => {
    for (const t of tabs.splice(0)) t.close()
    // Receipts still batched belong to this test's transaction.
    await receiptBook.flush()
    app.container.restore(Clock)
  })

  test("a raised critical value reaches the clinic user on duty at once, and the tab's receipt is stored", async ({
    assert,
    client,
  }) => {
    const { clinic, staff } = await clinicWithStaff()
    const colleague = await make.user('clinic_staff', clinic)
    const roster = await app.container.make(DutyRoster)
    await roster.assign(staff, staff.id, 'on_duty', true)
    const radiologist = await make.user('radiologist')
    const { exam } = await examWithImages(staff)
    const onDuty = await tab(staff)
    const offDuty = await tab(colleague)

    const response = await client
      .post(`/exams/${exam.id}/critical-values`)
      .header('Accept', 'application/json')
      .loginAs(radiologist)
      .withCsrfToken()
      .form({ findingId: (await finding('ICH')).id, message: MESSAGE, requestKey: randomUUID() })
    response.assertStatus(201)
    const id = response.body().id

    const alert = await onDuty.next('critical:alert', (a) => a.id === id)
    assert.equal(alert.accessionNumber, exam.accessionNumber)
    assert.equal(alert.message, MESSAGE)
    assert.equal(alert.clinic.id, clinic.id)
    assert.isTrue(alert.canAcknowledge)
    assert.isFalse(alert.canRecordCall)

    // The receipt (sent by the tab on arrival) is stored as this person's delivery and the alert's first.
    const delivery = await waitFor(() =>
      CriticalValueDelivery.query()
        .where('critical_value_id', id)
        .where('user_id', staff.id)
        .whereNotNull('delivered_at')
        .first()
    )
    assert.equal(delivery.reason, 'on_duty')
    const value = await CriticalValue.findOrFail(id)
    assert.isNotNull(value.firstDeliveredAt)
    assert.equal(value.status, 'open')
    // Only those on duty: a colleague not on duty hears nothing.
    await settle()
    assert.lengthOf(offDuty.all('critical:alert'), 0)
    assert.isNull(
      await CriticalValueDelivery.query()
        .where('critical_value_id', id)
        .where('user_id', colleague.id)
        .first()
    )
  })

  test('with nobody on duty every clinic user gets it, and the requesting doctor too when the name is a user of the clinic', async ({
    assert,
  }) => {
    const { clinic, staff } = await clinicWithStaff()
    const doctor = await make.user('clinic_staff', clinic)
    doctor.fullName = '刘医生' // make.exam registers the request with requestingDoctor '刘医生'
    await doctor.save()
    const raising = await app.container.make(CriticalValueRaising)
    const { exam } = await examWithImages(staff)
    const value = await raiseVia(raising, await make.user('radiologist'), exam)
    const reasons = Object.fromEntries(
      (await CriticalValueDelivery.query().where('critical_value_id', value.id)).map((d) => [
        d.userId,
        d.reason,
      ])
    )
    assert.deepEqual(reasons, { [staff.id]: 'clinic_staff', [doctor.id]: 'clinic_staff' })
    assert.equal(value.requestingDoctorUserId, doctor.id)

    // With someone else on duty, the requesting doctor still gets it, for that reason.
    const roster = await app.container.make(DutyRoster)
    await roster.assign(staff, staff.id, 'on_duty', true)
    const { exam: second } = await examWithImages(staff)
    const next = await raiseVia(raising, await make.user('radiologist'), second)
    const again = Object.fromEntries(
      (await CriticalValueDelivery.query().where('critical_value_id', next.id)).map((d) => [
        d.userId,
        d.reason,
      ])
    )
    assert.deepEqual(again, { [staff.id]: 'on_duty', [doctor.id]: 'requesting_doctor' })
  })

  test('a browser that was offline gets the alert it missed as soon as it reconnects; a later login too', async ({
    assert,
  }) => {
    const { staff } = await clinicWithStaff()
    const raising = await app.container.make(CriticalValueRaising)
    const { exam } = await examWithImages(staff)
    const first = await tab(staff)
    first.close() // the network drops
    await settle(100)

    const value = await raiseVia(raising, await make.user('radiologist'), exam)
    await settle()
    assert.lengthOf(first.all('critical:alert'), 0, 'the push went to nobody')
    assert.isNull(
      (await CriticalValueDelivery.query().where('critical_value_id', value.id).firstOrFail())
        .deliveredAt
    )

    const reconnected = await tab(staff)
    const alert = await reconnected.next('critical:alert', (a) => a.id === value.id)
    assert.equal(alert.finding, value.findingName)
    await waitFor(() =>
      CriticalValueDelivery.query()
        .where('critical_value_id', value.id)
        .whereNotNull('delivered_at')
        .first()
    )

    // Every connection repeats every open alert: harmless, the receipt is recorded once.
    const again = await tab(staff)
    await again.next('critical:alert', (a) => a.id === value.id)
    await settle()
    const delivered = await CriticalValueEvent.query()
      .where('critical_value_id', value.id)
      .where('kind', 'delivered')
    assert.lengthOf(delivered, 1)
  })

  test('several tabs of one user all show the alert, and acknowledging in one takes it down in every tab', async ({
    assert,
    client,
  }) => {
    const { staff } = await clinicWithStaff()
    const raiser = await make.user('radiologist')
    const raising = await app.container.make(CriticalValueRaising)
    const { exam } = await examWithImages(staff)
    const tabA = await tab(staff)
    const tabB = await tab(staff)
    const tabC = await tab(staff)
    const raiserTab = await tab(raiser)

    const value = await raiseVia(raising, raiser, exam)
    for (const t of [tabA, tabB, tabC]) await t.next('critical:alert', (a) => a.id === value.id)

    const response = await client
      .post(`/critical-values/${value.id}/acknowledge`)
      .header('Accept', 'application/json')
      .loginAs(staff)
      .withCsrfToken()
      .json({ readBack: READ_BACK })
    response.assertStatus(200)
    assert.equal(response.body().status, 'acknowledged')

    for (const t of [tabA, tabB, tabC]) {
      const closed = await t.next('critical:closed', (c) => c.id === value.id)
      assert.equal(closed.status, 'acknowledged')
      assert.equal(closed.acknowledgedBy, staff.fullName)
    }
    // The raiser hears back.
    const heard = await raiserTab.next('critical:acknowledged', (c) => c.id === value.id)
    assert.equal(heard.channel, 'system')

    await value.refresh()
    assert.equal(value.status, 'acknowledged')
    assert.equal(value.acknowledgedById, staff.id)
    assert.equal(value.readBack, READ_BACK)
    assert.isNotNull(value.acknowledgedAt)
    // A new tab opened afterwards gets nothing: the alert is closed.
    const late = await tab(staff)
    await settle()
    assert.lengthOf(late.all('critical:alert'), 0)
  })

  test('not acknowledged by the deadline: escalated to the clinic head and the duty desk; at 30 minutes the raiser is told to telephone', async ({
    assert,
    client,
  }) => {
    const clock = new ManualClock('2026-11-22T08:00:00Z')
    app.container.swap(Clock, () => clock)
    const { clinic, staff } = await clinicWithStaff()
    const head = await make.user('clinic_staff', clinic)
    const desk = await make.user('qc_officer')
    const raiser = await make.user('radiologist')
    const roster = await app.container.make(DutyRoster)
    await roster.assign(staff, staff.id, 'on_duty', true)
    await roster.assign(staff, head.id, 'clinic_head', true)
    await roster.assign(staff, desk.id, 'duty_desk', true)
    const { exam } = await examWithImages(staff)
    const staffTab = await tab(staff)
    const headTab = await tab(head)
    const deskTab = await tab(desk)
    const raiserTab = await tab(raiser)

    const raising = await app.container.make(CriticalValueRaising)
    const escalation = await app.container.make(CriticalValueEscalation)
    const value = await raiseVia(raising, raiser, exam)
    await staffTab.next('critical:alert', (a) => a.id === value.id)

    clock.advance({ minutes: 9, seconds: 59 })
    assert.deepEqual(await escalation.escalateUnacknowledged(clock.now()), {
      escalated: 0,
      phoneRequired: 0,
    })
    await settle()
    assert.lengthOf(headTab.all('critical:alert'), 0)
    assert.lengthOf(deskTab.all('critical:alert'), 0)

    clock.advance({ seconds: 1 }) // 10 minutes: the finding's deadline
    assert.deepEqual(await escalation.escalateUnacknowledged(clock.now()), {
      escalated: 1,
      phoneRequired: 0,
    })
    const toHead = await headTab.next('critical:alert', (a) => a.id === value.id)
    const toDesk = await deskTab.next('critical:alert', (a) => a.id === value.id)
    assert.equal(toHead.escalationLevel, 1)
    assert.isTrue(toHead.canAcknowledge)
    assert.isFalse(toDesk.canAcknowledge)
    assert.isTrue(toDesk.canRecordCall)
    // The person on duty sees that it escalated.
    await staffTab.next('critical:alert', (a) => a.id === value.id && a.escalationLevel === 1)
    await settle()
    assert.lengthOf(raiserTab.all('critical:alert'), 0)

    // A second run at the same moment repeats nothing.
    assert.deepEqual(await escalation.escalateUnacknowledged(clock.now()), {
      escalated: 0,
      phoneRequired: 0,
    })

    clock.advance({ minutes: 20 }) // 30 minutes
    assert.deepEqual(await escalation.escalateUnacknowledged(clock.now()), {
      escalated: 0,
      phoneRequired: 1,
    })
    const toRaiser = await raiserTab.next('critical:alert', (a) => a.id === value.id)
    assert.isTrue(toRaiser.phoneRequired)
    assert.isTrue(toRaiser.canRecordCall)

    // The raiser telephones: first nobody answers, then the doctor on duty reads back.
    clock.advance({ minutes: 2 })
    const unanswered = await client
      .post(`/critical-values/${value.id}/calls`)
      .header('Accept', 'application/json')
      .loginAs(raiser)
      .withCsrfToken()
      .json({ outcome: 'not_reached', note: '无人接听' })
    unanswered.assertStatus(200)
    assert.equal(unanswered.body().status, 'open')
    clock.advance({ minutes: 1 })
    const answered = await client
      .post(`/critical-values/${value.id}/calls`)
      .header('Accept', 'application/json')
      .loginAs(raiser)
      .withCsrfToken()
      .json({ outcome: 'reached', contactName: '值班医生王五', readBack: READ_BACK })
    answered.assertStatus(200)
    assert.equal(answered.body().status, 'acknowledged')
    for (const t of [staffTab, headTab, deskTab, raiserTab])
      await t.next('critical:closed', (c) => c.id === value.id)

    await value.refresh()
    assert.equal(value.escalationLevel, 2)
    assert.equal(value.ackChannel, 'phone')
    assert.equal(value.acknowledgedByName, '值班医生王五')
    assert.equal(value.escalatedAt!.toUTC().toISO(), '2026-11-22T08:10:00.000Z')
    assert.equal(value.phoneRequiredAt!.toUTC().toISO(), '2026-11-22T08:30:00.000Z')
    assert.equal(value.acknowledgedAt!.toUTC().toISO(), '2026-11-22T08:33:00.000Z')
    // Every step is in the registry, in order.
    const kinds = (
      await CriticalValueEvent.query()
        .where('critical_value_id', value.id)
        .orderBy('occurred_at')
        .orderBy('id')
    ).map((e) => e.kind)
    assert.deepEqual(
      kinds.filter((k) => k !== 'delivered'),
      [
        'raised',
        'sent',
        'escalated',
        'phone_required',
        'call_recorded',
        'call_recorded',
        'acknowledged',
      ]
    )
    const deliveredTo = (await CriticalValueDelivery.query().where('critical_value_id', value.id))
      .map((d) => `${d.userId}:${d.reason}`)
      .sort()
    assert.deepEqual(
      deliveredTo,
      [
        `${staff.id}:on_duty`,
        `${head.id}:clinic_head`,
        `${desk.id}:duty_desk`,
        `${raiser.id}:raiser_call`,
      ].sort()
    )
    // The detail page tells the whole story.
    const page = await client.get(`/critical-values/${value.id}`).loginAs(desk)
    page.assertStatus(200)
    for (const label of [
      '超时未确认，升级通知',
      '超时未确认，要求电话通知',
      '记录电话通知',
      '值班医生王五',
      '单位负责人',
      '牵头医院总值班',
    ]) {
      assert.include(page.text(), label)
    }
    // Nothing more once acknowledged.
    clock.advance({ hours: 2 })
    assert.deepEqual(await escalation.escalateUnacknowledged(clock.now()), {
      escalated: 0,
      phoneRequired: 0,
    })
  })

  test('a run that comes late takes both steps in order', async ({ assert }) => {
    const clock = new ManualClock('2026-11-22T08:00:00Z')
    app.container.swap(Clock, () => clock)
    const { staff } = await clinicWithStaff()
    const raising = await app.container.make(CriticalValueRaising)
    const escalation = await app.container.make(CriticalValueEscalation)
    const value = await raiseVia(
      raising,
      await make.user('radiologist'),
      (await examWithImages(staff)).exam
    )
    clock.advance({ minutes: 45 })
    assert.deepEqual(await escalation.escalateUnacknowledged(clock.now()), {
      escalated: 1,
      phoneRequired: 1,
    })
    const kinds = (
      await CriticalValueEvent.query().where('critical_value_id', value.id).orderBy('id')
    ).map((e) => e.kind)
    assert.deepEqual(kinds.slice(-2), ['escalated', 'phone_required'])
  })

  test('a forged room join is refused and audited, and the forger hears nothing of the other clinic', async ({
    assert,
  }) => {
    const { staff } = await clinicWithStaff()
    const { clinic: otherClinic, staff: otherStaff } = await clinicWithStaff()
    const raising = await app.container.make(CriticalValueRaising)
    const forger = await tab(staff)

    for (const room of [
      rooms.institution(otherClinic.id),
      rooms.user(otherStaff.id),
      rooms.readers,
    ]) {
      const reply = await forger.socket.timeout(5000).emitWithAck('join', room)
      assert.deepEqual(reply, { ok: false })
      const audited = await AuditEvent.query()
        .where('action', 'realtime.join')
        .where('actor_user_id', staff.id)
        .where('outcome', 'denied')
        .orderBy('id', 'desc')
        .firstOrFail()
      assert.equal(audited.details?.room, room)
    }
    // Its own institution room is allowed (it is already in it).
    assert.deepEqual(
      await forger.socket.timeout(5000).emitWithAck('join', rooms.institution(staff.institutionId)),
      { ok: true }
    )

    const value = await raiseVia(
      raising,
      await make.user('radiologist'),
      (await examWithImages(otherStaff)).exam
    )
    await settle()
    assert.isFalse(forger.all('critical:alert').some((a) => a.id === value.id))

    // Nor can it claim receipt of an alert that was not addressed to it.
    const reply = await forger.socket
      .timeout(5000)
      .emitWithAck('critical:received', { id: value.id })
    assert.deepEqual(reply, { ok: false, id: value.id })
    assert.isNull(
      await CriticalValueDelivery.query()
        .where('critical_value_id', value.id)
        .where('user_id', staff.id)
        .first()
    )
    assert.isNotNull(
      await AuditEvent.query()
        .where('action', 'critical_value.receipt')
        .where('outcome', 'denied')
        .where('actor_user_id', staff.id)
        .first()
    )
  })

  test('a socket without a valid ticket is refused and audited', async ({ assert }) => {
    await assert.rejects(() => openTab({ id: 0 } as any, { ticket: 'forged-ticket' }))
    assert.isNotNull(
      await AuditEvent.query()
        .where('action', 'realtime.connect')
        .where('outcome', 'denied')
        .first()
    )
  })
})

/** Polls the database until the row appears (a socket receipt is handled asynchronously). */
async function waitFor<T>(find: () => Promise<T | null>, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const found = await find()
    if (found) return found
    await settle(50)
  }
  throw new Error('not found in time')
}
