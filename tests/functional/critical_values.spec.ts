import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import ExcelJS from 'exceljs'
import { ApiRequest } from '@japa/api-client'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import CriticalValue from '#models/critical_value'
import CriticalFinding from '#models/critical_finding'
import CriticalValueDelivery from '#models/critical_value_delivery'
import CriticalValueContact from '#models/critical_value_contact'
import AuditEvent from '#models/audit_event'
import { Clock, ManualClock } from '#app/platform/clock'
import { parseCsv } from '#app/platform/csv'
import { DutyRoster } from '#app/critical_values/services/duty_roster'
import { CriticalValueRaising } from '#app/critical_values/services/critical_value_raising'
import { CriticalValueAcknowledgement } from '#app/critical_values/services/critical_value_acknowledgement'
import { CriticalFindingList } from '#app/critical_values/services/critical_finding_list'
import { CriticalValueRegistry } from '#app/critical_values/services/critical_value_registry'
import * as make from '#tests/support/fixtures'
import {
  examWithImages,
  finding,
  findings,
  MESSAGE,
  READ_BACK,
} from '#tests/support/critical_values'

/*
| Critical values over HTTP: raising from the exam page (and its refusals),
| acknowledging (and its refusals), the two-person check, the registry with
| its exports and statistics, and the administrators' list and contacts.
*/

const json = { Accept: 'application/json' }
// The Excel export is binary: collect it as a Buffer.
ApiRequest.addParser(
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  (res: any, done: any) => {
    const chunks: Buffer[] = []
    res.on('data', (chunk: Buffer) => chunks.push(chunk))
    res.on('end', () => done(null, Buffer.concat(chunks)))
  }
)
const countValues = async (examId: number) =>
  Number((await CriticalValue.query().where('exam_id', examId).count('* as n'))[0].$extras.n)
const lastAudit = (action: string) =>
  AuditEvent.query().where('action', action).orderBy('id', 'desc').first()

test.group('Critical values · raising from the exam page', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test("the exam page shows radiologists the raise form once the images are in, and clinic users the exam's critical values", async ({
    assert,
    client,
  }) => {
    const clinicUser = await make.user('clinic_staff')
    const radiologist = await make.user('radiologist')
    await findings()
    const { exam: waiting } = await make.exam(clinicUser, 'CT')
    const notYet = await client.get(`/exams/${waiting.id}`).loginAs(radiologist)
    notYet.assertStatus(200)
    assert.include(notYet.text(), '影像到达后即可发起危急值')
    assert.notInclude(notYet.text(), `action="/exams/${waiting.id}/critical-values"`)

    const { exam } = await examWithImages(clinicUser)
    const page = await client.get(`/exams/${exam.id}`).loginAs(radiologist)
    assert.include(page.text(), `action="/exams/${exam.id}/critical-values"`)
    assert.include(page.text(), '急性颅内出血')
    assert.include(page.text(), 'name="requestKey"')

    const raising = await app.container.make(CriticalValueRaising)
    await raising.raise(radiologist, exam, {
      findingId: (await finding()).id,
      message: MESSAGE,
      requestKey: randomUUID(),
    })
    const clinicPage = await client.get(`/exams/${exam.id}`).loginAs(clinicUser)
    assert.include(clinicPage.text(), '急性颅内出血')
    assert.include(clinicPage.text(), '待确认接收')
    assert.notInclude(clinicPage.text(), `action="/exams/${exam.id}/critical-values"`)
    // Every logged-in page carries the alert shell and its script.
    assert.include(clinicPage.text(), 'id="critical-alerts"')
    assert.include(clinicPage.text(), '/js/critical_alerts.js')
  })

  test('the form posts and comes back to the page it was on, saying how many were told', async ({
    assert,
    client,
  }) => {
    const clinicUser = await make.user('clinic_staff')
    const radiologist = await make.user('radiologist')
    const { exam } = await examWithImages(clinicUser)
    const response = await client
      .post(`/exams/${exam.id}/critical-values`)
      .header('Referer', `/exams/${exam.id}`)
      .loginAs(radiologist)
      .withCsrfToken()
      .form({
        findingId: (await finding('PE')).id,
        message: '双肺动脉主干及分支多发充盈缺损',
        requestKey: randomUUID(),
      })
      .redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', `/exams/${exam.id}`)
    response.assertFlashMessage('success', '危急值已发出，推送给 1 人。')
    const value = await CriticalValue.findByOrFail('exam_id', exam.id)
    assert.equal(value.findingName, '肺动脉栓塞')
    assert.equal(value.raisedById, radiologist.id)
    const audited = await lastAudit('critical_value.raise')
    assert.equal(audited!.outcome, 'success')
    assert.equal(audited!.targetId, String(exam.id))
  })

  test('a clinic user cannot raise: 403, audited, nothing stored', async ({ assert, client }) => {
    const clinicUser = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinicUser)
    const response = await client
      .post(`/exams/${exam.id}/critical-values`)
      .headers(json)
      .loginAs(clinicUser)
      .withCsrfToken()
      .form({ findingId: (await finding()).id, message: MESSAGE, requestKey: randomUUID() })
    response.assertStatus(403)
    assert.equal(await countValues(exam.id), 0)
    const audited = await lastAudit('critical_value.raise')
    assert.equal(audited!.outcome, 'denied')
    assert.equal(audited!.actorUserId, clinicUser.id)
  })

  test("another clinic's exam answers 404 to a clinic user, like a missing one, and is audited", async ({
    assert,
    client,
  }) => {
    const owner = await make.user('clinic_staff')
    const other = await make.user('clinic_staff')
    const { exam } = await examWithImages(owner)
    const foreign = await client
      .post(`/exams/${exam.id}/critical-values`)
      .headers(json)
      .loginAs(other)
      .withCsrfToken()
      .form({ findingId: 1, message: MESSAGE, requestKey: randomUUID() })
    const missing = await client
      .post(`/exams/999999999/critical-values`)
      .headers(json)
      .loginAs(other)
      .withCsrfToken()
      .form({ findingId: 1, message: MESSAGE, requestKey: randomUUID() })
    foreign.assertStatus(404)
    missing.assertStatus(404)
    assert.deepEqual(foreign.body(), missing.body())
    assert.isNotNull(
      await AuditEvent.query()
        .where('action', 'critical_value.raise')
        .where('outcome', 'denied')
        .where('target_id', String(exam.id))
        .first()
    )
  })

  test('refuses with the reason and stores nothing: {case}')
    .with([
      { case: 'no images yet', code: 'no_images_yet' },
      { case: 'a message of one word', code: 'message_too_short' },
      { case: 'a retired finding', code: 'unknown_finding' },
      { case: 'the same finding already open on this exam', code: 'already_open' },
    ])
    .run(async ({ assert, client }, row) => {
      const clinicUser = await make.user('clinic_staff')
      const radiologist = await make.user('radiologist')
      const ich = await finding('ICH')
      const { exam } =
        row.code === 'no_images_yet'
          ? await make.exam(clinicUser, 'CT')
          : await examWithImages(clinicUser)
      let findingId = ich.id
      if (row.code === 'unknown_finding') {
        const retired = await finding('VOLVULUS')
        retired.active = false
        await retired.save()
        findingId = retired.id
      }
      if (row.code === 'already_open') {
        const raising = await app.container.make(CriticalValueRaising)
        await raising.raise(radiologist, exam, {
          findingId,
          message: MESSAGE,
          requestKey: randomUUID(),
        })
      }
      const before = await countValues(exam.id)
      const response = await client
        .post(`/exams/${exam.id}/critical-values`)
        .headers(json)
        .loginAs(radiologist)
        .withCsrfToken()
        .form({
          findingId,
          message: row.code === 'message_too_short' ? '出血' : MESSAGE,
          requestKey: randomUUID(),
        })
      assert.oneOf(response.status(), [409, 422])
      assert.equal(response.body().errors[0].code, row.code)
      assert.isString(response.body().errors[0].message)
      assert.equal(await countValues(exam.id), before)
      const audited = await lastAudit('critical_value.raise')
      assert.equal(audited!.outcome, 'refused')
      assert.equal(audited!.details?.code, row.code)
    })

  test('bad input is refused by the validator: no finding, no message, no request key', async ({
    assert,
    client,
  }) => {
    const clinicUser = await make.user('clinic_staff')
    const radiologist = await make.user('radiologist')
    const { exam } = await examWithImages(clinicUser)
    const response = await client
      .post(`/exams/${exam.id}/critical-values`)
      .headers(json)
      .loginAs(radiologist)
      .withCsrfToken()
      .form({ message: '' })
    response.assertStatus(422)
    const fields = response
      .body()
      .errors.map((e: any) => e.field)
      .sort()
    assert.deepEqual(fields, ['findingId', 'message', 'requestKey'])
    assert.equal(await countValues(exam.id), 0)
  })

  test('a replayed request (same form sent twice) raises once and the replay is refused and audited', async ({
    assert,
    client,
  }) => {
    const clinicUser = await make.user('clinic_staff')
    const radiologist = await make.user('radiologist')
    const { exam } = await examWithImages(clinicUser)
    const form = { findingId: (await finding()).id, message: MESSAGE, requestKey: randomUUID() }
    const first = await client
      .post(`/exams/${exam.id}/critical-values`)
      .headers(json)
      .loginAs(radiologist)
      .withCsrfToken()
      .form(form)
    first.assertStatus(201)
    const replay = await client
      .post(`/exams/${exam.id}/critical-values`)
      .headers(json)
      .loginAs(radiologist)
      .withCsrfToken()
      .form(form)
    replay.assertStatus(409)
    assert.equal(replay.body().errors[0].code, 'replayed')
    assert.equal(await countValues(exam.id), 1)
    assert.equal(
      Number(
        (
          await CriticalValueDelivery.query()
            .where('critical_value_id', first.body().id)
            .count('* as n')
        )[0].$extras.n
      ),
      1
    )
    const audited = await lastAudit('critical_value.raise')
    assert.equal(audited!.outcome, 'refused')
    assert.equal(audited!.details?.code, 'replayed')
  })
})

test.group('Critical values · acknowledgement', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  async function openValue() {
    const clinicUser = await make.user('clinic_staff')
    const radiologist = await make.user('radiologist')
    const { exam } = await examWithImages(clinicUser)
    const raising = await app.container.make(CriticalValueRaising)
    const value = await raising.raise(radiologist, exam, {
      findingId: (await finding()).id,
      message: MESSAGE,
      requestKey: randomUUID(),
    })
    return { clinicUser, radiologist, exam, value }
  }

  test('a read-back that does not repeat the message is refused, audited, and changes nothing', async ({
    assert,
    client,
  }) => {
    const { clinicUser, value } = await openValue()
    const response = await client
      .post(`/critical-values/${value.id}/acknowledge`)
      .headers(json)
      .loginAs(clinicUser)
      .withCsrfToken()
      .json({ readBack: '收到' })
    response.assertStatus(422)
    assert.equal(response.body().errors[0].code, 'read_back_mismatch')
    await value.refresh()
    assert.equal(value.status, 'open')
    assert.isNull(value.acknowledgedAt)
    assert.equal((await lastAudit('critical_value.acknowledge'))!.outcome, 'refused')
  })

  test("the detail page's form acknowledges and comes back with the confirmation", async ({
    assert,
    client,
  }) => {
    const { clinicUser, value } = await openValue()
    const page = await client.get(`/critical-values/${value.id}`).loginAs(clinicUser)
    page.assertStatus(200)
    assert.include(page.text(), `action="/critical-values/${value.id}/acknowledge"`)
    const response = await client
      .post(`/critical-values/${value.id}/acknowledge`)
      .header('Referer', `/critical-values/${value.id}`)
      .loginAs(clinicUser)
      .withCsrfToken()
      .form({ readBack: '急性颅内出血，右侧基底节' })
      .redirects(0)
    response.assertStatus(302)
    response.assertFlashMessage('success', '已确认接收。')
    await value.refresh()
    assert.equal(value.status, 'acknowledged')
    assert.equal(value.ackChannel, 'system')
  })

  test('a replayed acknowledgement is refused with who acknowledged when; the first stands', async ({
    assert,
    client,
  }) => {
    const { clinicUser, value } = await openValue()
    const colleague = await make.user('clinic_staff', clinicUser.institution)
    ;(
      await client
        .post(`/critical-values/${value.id}/acknowledge`)
        .headers(json)
        .loginAs(clinicUser)
        .withCsrfToken()
        .json({ readBack: READ_BACK })
    ).assertStatus(200)
    const replay = await client
      .post(`/critical-values/${value.id}/acknowledge`)
      .headers(json)
      .loginAs(colleague)
      .withCsrfToken()
      .json({ readBack: READ_BACK })
    replay.assertStatus(409)
    assert.equal(replay.body().errors[0].code, 'already_acknowledged')
    assert.include(replay.body().errors[0].message, clinicUser.fullName)
    await value.refresh()
    assert.equal(value.acknowledgedById, clinicUser.id)
    assert.equal((await lastAudit('critical_value.acknowledge'))!.outcome, 'refused')
  })

  test("another clinic's user gets 404 (audited); a radiologist may not acknowledge for the clinic (403, audited)", async ({
    assert,
    client,
  }) => {
    const { value, radiologist } = await openValue()
    const stranger = await make.user('clinic_staff')
    const foreign = await client
      .post(`/critical-values/${value.id}/acknowledge`)
      .headers(json)
      .loginAs(stranger)
      .withCsrfToken()
      .json({ readBack: READ_BACK })
    foreign.assertStatus(404)
    const denied = await AuditEvent.query()
      .where('action', 'critical_value.acknowledge')
      .where('outcome', 'denied')
      .where('target_id', String(value.id))
      .firstOrFail()
    assert.equal(denied.outcome, 'denied')
    assert.equal(denied.actorUserId, stranger.id)
    ;(await client.get(`/critical-values/${value.id}`).loginAs(stranger)).assertStatus(404)

    const wrongRole = await client
      .post(`/critical-values/${value.id}/acknowledge`)
      .headers(json)
      .loginAs(radiologist)
      .withCsrfToken()
      .json({ readBack: READ_BACK })
    wrongRole.assertStatus(403)
    assert.equal((await lastAudit('critical_value.acknowledge'))!.outcome, 'denied')
    await value.refresh()
    assert.equal(value.status, 'open')
  })

  test('a clinic user cannot record telephone calls (403, audited)', async ({ assert, client }) => {
    const { clinicUser, value } = await openValue()
    const response = await client
      .post(`/critical-values/${value.id}/calls`)
      .headers(json)
      .loginAs(clinicUser)
      .withCsrfToken()
      .json({ outcome: 'reached', contactName: '某人', readBack: READ_BACK })
    response.assertStatus(403)
    assert.equal((await lastAudit('critical_value.call'))!.outcome, 'denied')
    await value.refresh()
    assert.equal(value.status, 'open')
  })

  test('a call that reached someone needs their name and a read-back', async ({ assert }) => {
    const { radiologist, value } = await openValue()
    const acknowledgement = await app.container.make(CriticalValueAcknowledgement)
    await assert.rejects(
      () =>
        acknowledgement.recordCall(radiologist, value, { outcome: 'reached', readBack: READ_BACK }),
      'critical_values.call.contact_required'
    )
    await assert.rejects(
      () =>
        acknowledgement.recordCall(radiologist, value, {
          outcome: 'reached',
          contactName: '王五',
          readBack: '好的',
        }),
      'critical_values.acknowledge.read_back_mismatch'
    )
    await value.refresh()
    assert.equal(value.status, 'open')
  })
})

test.group('Critical values · two-person check', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('with the check on, nothing goes out until a second radiologist confirms; the raiser cannot confirm their own', async ({
    assert,
    client,
  }) => {
    const list = await app.container.make(CriticalFindingList)
    await list.setTwoPersonCheck(true, null)
    const clinicUser = await make.user('clinic_staff')
    const raiser = await make.user('radiologist')
    const second = await make.user('radiologist')
    const { exam } = await examWithImages(clinicUser)
    const raised = await client
      .post(`/exams/${exam.id}/critical-values`)
      .headers(json)
      .loginAs(raiser)
      .withCsrfToken()
      .form({ findingId: (await finding()).id, message: MESSAGE, requestKey: randomUUID() })
    raised.assertStatus(201)
    assert.equal(raised.body().status, 'awaiting_confirmation')
    assert.equal(raised.body().recipients, 0)
    const id = raised.body().id

    const own = await client
      .post(`/critical-values/${id}/confirm`)
      .headers(json)
      .loginAs(raiser)
      .withCsrfToken()
    own.assertStatus(403)
    assert.equal((await lastAudit('critical_value.confirm'))!.outcome, 'denied')

    const confirmed = await client
      .post(`/critical-values/${id}/confirm`)
      .headers(json)
      .loginAs(second)
      .withCsrfToken()
    confirmed.assertStatus(200)
    assert.equal(confirmed.body().status, 'open')
    const value = await CriticalValue.findOrFail(id)
    assert.equal(value.confirmedById, second.id)
    assert.isNotNull(value.sentAt)
    assert.lengthOf(await CriticalValueDelivery.query().where('critical_value_id', id), 1)

    // Confirming twice is refused (it has gone out).
    const again = await client
      .post(`/critical-values/${id}/confirm`)
      .headers(json)
      .loginAs(second)
      .withCsrfToken()
    again.assertStatus(409)
  })

  test('the second radiologist may withdraw it with a reason; it never goes out', async ({
    assert,
    client,
  }) => {
    const list = await app.container.make(CriticalFindingList)
    await list.setTwoPersonCheck(true, null)
    const clinicUser = await make.user('clinic_staff')
    const raiser = await make.user('radiologist')
    const second = await make.user('radiologist')
    const { exam } = await examWithImages(clinicUser)
    const raising = await app.container.make(CriticalValueRaising)
    const value = await raising.raise(raiser, exam, {
      findingId: (await finding()).id,
      message: MESSAGE,
      requestKey: randomUUID(),
    })
    const response = await client
      .post(`/critical-values/${value.id}/withdraw`)
      .headers(json)
      .loginAs(second)
      .withCsrfToken()
      .form({ reason: '复核为伪影' })
    response.assertStatus(200)
    await value.refresh()
    assert.equal(value.status, 'withdrawn')
    assert.equal(value.withdrawnReason, '复核为伪影')
    assert.lengthOf(await CriticalValueDelivery.query().where('critical_value_id', value.id), 0)
  })
})

test.group('Critical values · registry, exports and statistics', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.teardown(() => app.container.restore(Clock))

  /** Two clinics: A acknowledges after 2, 4, 6, 8 and 20 minutes; B after 5 minutes and has one still open. */
  async function county() {
    const clock = new ManualClock('2026-11-20T02:00:00Z')
    app.container.swap(Clock, () => clock)
    const clinicA = await make.institution('member_clinic')
    const clinicB = await make.institution('member_clinic')
    const staffA = await make.user('clinic_staff', clinicA)
    const staffB = await make.user('clinic_staff', clinicB)
    const radiologist = await make.user('radiologist')
    const raising = await app.container.make(CriticalValueRaising)
    const acknowledgement = await app.container.make(CriticalValueAcknowledgement)
    const ich = await finding('ICH')
    const raise = async (staff: typeof staffA) =>
      raising.raise(radiologist, (await examWithImages(staff)).exam, {
        findingId: ich.id,
        message: MESSAGE,
        requestKey: randomUUID(),
      })
    for (const minutes of [2, 4, 6, 8, 20]) {
      const value = await raise(staffA)
      clock.advance({ minutes })
      await acknowledgement.acknowledge(staffA, value, READ_BACK)
      clock.advance({ minutes: 1 })
    }
    const b = await raise(staffB)
    clock.advance({ minutes: 5 })
    await acknowledgement.acknowledge(staffB, b, READ_BACK)
    const open = await raise(staffB)
    return { clinicA, clinicB, staffA, staffB, radiologist, open, clock }
  }

  test('per clinic median and 90th percentile time to acknowledge, with a chart', async ({
    assert,
    client,
  }) => {
    const { clinicA, clinicB, radiologist } = await county()
    const registry = new CriticalValueRegistry()
    const stats = await registry.clinicStats(radiologist, {})
    const a = stats.find((s) => s.institutionId === clinicA.id)!
    const b = stats.find((s) => s.institutionId === clinicB.id)!
    assert.deepInclude(a, { raised: 5, acknowledged: 5, open: 0, median: 6, p90: 15.2 })
    assert.deepInclude(b, { raised: 2, acknowledged: 1, open: 1, median: 5, p90: 5 })

    const page = await client
      .get(`/critical-values/statistics?institutionId=${clinicA.id}`)
      .loginAs(radiologist)
    page.assertStatus(200)
    assert.include(page.text(), '<svg')
    assert.include(page.text(), clinicA.name)
    assert.notInclude(page.text(), clinicB.name + '</td>')
    assert.match(page.text(), /class="median">6</)
    assert.match(page.text(), /class="p90">15\.2</)
  })

  test('the registry lists with filters; a clinic sees only its own', async ({
    assert,
    client,
  }) => {
    const { clinicA, clinicB, staffB, radiologist, open } = await county()
    const all = await client.get('/critical-values').loginAs(radiologist)
    all.assertStatus(200)
    assert.include(all.text(), clinicA.name)
    assert.include(all.text(), clinicB.name)

    const openOnly = await client.get('/critical-values?status=open').loginAs(radiologist)
    assert.include(openOnly.text(), `/critical-values/${open.id}"`)
    assert.equal((openOnly.text().match(/href="\/critical-values\/\d+"/g) ?? []).length, 1)

    const own = await client.get('/critical-values').loginAs(staffB)
    assert.notInclude(own.text(), clinicA.name)
    assert.equal((own.text().match(/href="\/critical-values\/\d+"/g) ?? []).length, 2)
    const dated = await client
      .get('/critical-values?from=2026-11-19&to=2026-11-19')
      .loginAs(radiologist)
    assert.include(dated.text(), '没有符合条件的危急值')
  })

  test('exports the filtered registry as CSV and Excel, with times and durations', async ({
    assert,
    client,
  }) => {
    const { clinicA, radiologist } = await county()
    const csv = await client
      .get(`/critical-values/export.csv?institutionId=${clinicA.id}`)
      .loginAs(radiologist)
    csv.assertStatus(200)
    assert.include(csv.header('content-type'), 'text/csv')
    const rows = parseCsv(csv.text())
    assert.lengthOf(rows, 5)
    assert.deepEqual(
      rows.map((r) => r['确认用时（分钟）']),
      ['2', '4', '6', '8', '20']
    )
    assert.equal(rows[0]['申请单位'], clinicA.name)
    assert.equal(rows[0]['状态'], '已确认接收')
    assert.equal(rows[0]['发起时间'], '2026-11-20 10:00') // hospital time (UTC+8)

    const xlsx = await client
      .get(`/critical-values/export.xlsx?institutionId=${clinicA.id}`)
      .loginAs(radiologist)
    xlsx.assertStatus(200)
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(xlsx.body() as any)
    const sheet = workbook.worksheets[0]
    assert.equal(sheet.rowCount, 6)
    assert.equal(sheet.getRow(2).getCell(3).value, clinicA.name)
    const stats = workbook.worksheets[1]
    assert.equal(stats.getRow(2).getCell(6).value, 6)
    assert.equal(stats.getRow(2).getCell(7).value, 15.2)
    assert.equal((await lastAudit('critical_value.export'))!.details?.format, 'xlsx')
  })

  test('administrators do not see the registry (least privilege, C 8.5): 403, audited', async ({
    assert,
    client,
  }) => {
    const admin = await make.user('admin')
    const response = await client.get('/critical-values').loginAs(admin)
    response.assertStatus(403)
    assert.equal((await lastAudit('critical_value.registry'))!.outcome, 'denied')
  })
})

test.group('Critical values · the finding list and the contacts', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('administrators add a finding and change a deadline; the new deadline applies to the next alert', async ({
    assert,
    client,
  }) => {
    const admin = await make.user('admin')
    await findings()
    const page = await client.get('/admin/critical-findings').loginAs(admin)
    page.assertStatus(200)
    assert.include(page.text(), '张力性气胸')

    ;(
      await client
        .post('/admin/critical-findings')
        .loginAs(admin)
        .withCsrfToken()
        .form({
          code: 'CORD_INFARCT',
          name: '急性脊髓梗死',
          category: 'spine',
          ackMinutes: 15,
          active: 'true',
        })
        .redirects(0)
    ).assertStatus(302)
    const added = await CriticalFinding.findByOrFail('code', 'CORD_INFARCT')
    assert.equal(added.ackMinutes, 15)

    const pe = await finding('PE')
    ;(
      await client
        .put(`/admin/critical-findings/${pe.id}`)
        .loginAs(admin)
        .withCsrfToken()
        .form({ name: pe.name, category: 'chest', ackMinutes: 5, active: 'true' })
        .redirects(0)
    ).assertStatus(302)
    await pe.refresh()
    assert.equal(pe.ackMinutes, 5)
    const clinicUser = await make.user('clinic_staff')
    const raising = await app.container.make(CriticalValueRaising)
    const value = await raising.raise(
      await make.user('radiologist'),
      (await examWithImages(clinicUser)).exam,
      { findingId: pe.id, message: '右肺动脉主干充盈缺损', requestKey: randomUUID() }
    )
    assert.equal(value.dueAt!.diff(value.sentAt!, 'minutes').minutes, 5)
  })

  test('a duplicate name or a deadline out of range is refused; a radiologist may not edit the list', async ({
    assert,
    client,
  }) => {
    const admin = await make.user('admin')
    const radiologist = await make.user('radiologist')
    await findings()
    const count = async () => Number((await CriticalFinding.query().count('* as n'))[0].$extras.n)
    const before = await count()
    const duplicate = await client
      .post('/admin/critical-findings')
      .headers(json)
      .loginAs(admin)
      .withCsrfToken()
      .form({ name: '主动脉夹层', category: 'chest', ackMinutes: 10 })
    duplicate.assertStatus(422)
    assert.equal(duplicate.body().errors[0].code, 'name_taken')
    const outOfRange = await client
      .post('/admin/critical-findings')
      .headers(json)
      .loginAs(admin)
      .withCsrfToken()
      .form({ name: '新项目', category: 'chest', ackMinutes: 0 })
    outOfRange.assertStatus(422)
    const wrongRole = await client
      .post('/admin/critical-findings')
      .headers(json)
      .loginAs(radiologist)
      .withCsrfToken()
      .form({ name: '新项目', category: 'chest', ackMinutes: 10 })
    wrongRole.assertStatus(403)
    assert.equal((await lastAudit('admin.critical_finding.create'))!.outcome, 'denied')
    assert.equal(await count(), before)
  })

  test('administrators name the clinic head and the duty desk; a clinic user cannot be the duty desk', async ({
    assert,
    client,
  }) => {
    const admin = await make.user('admin')
    const clinicUser = await make.user('clinic_staff')
    const qc = await make.user('qc_officer')
    const page = await client
      .get(`/admin/critical-contacts?institutionId=${clinicUser.institutionId}`)
      .loginAs(admin)
    page.assertStatus(200)
    assert.include(page.text(), clinicUser.username)

    ;(
      await client
        .post('/admin/critical-contacts')
        .loginAs(admin)
        .withCsrfToken()
        .form({ userId: clinicUser.id, duty: 'clinic_head', on: 'true' })
        .redirects(0)
    ).assertStatus(302)
    ;(
      await client
        .post('/admin/critical-contacts')
        .loginAs(admin)
        .withCsrfToken()
        .form({ userId: qc.id, duty: 'duty_desk', on: 'true' })
        .redirects(0)
    ).assertStatus(302)
    const refused = await client
      .post('/admin/critical-contacts')
      .headers(json)
      .loginAs(admin)
      .withCsrfToken()
      .form({ userId: clinicUser.id, duty: 'duty_desk', on: 'true' })
    refused.assertStatus(422)
    assert.equal(refused.body().errors[0].code, 'duty_desk_lead_only')
    const duties = (await CriticalValueContact.query().whereIn('user_id', [clinicUser.id, qc.id]))
      .map((c) => `${c.userId}:${c.duty}`)
      .sort()
    assert.deepEqual(duties, [`${clinicUser.id}:clinic_head`, `${qc.id}:duty_desk`].sort())
    const roster = await app.container.make(DutyRoster)
    const { recipients, dutyDeskFallback } = await roster.escalationRecipients(
      clinicUser.institutionId
    )
    assert.isFalse(dutyDeskFallback)
    assert.deepEqual(
      recipients.map((r) => `${r.user.id}:${r.reason}`).sort(),
      [`${clinicUser.id}:clinic_head`, `${qc.id}:duty_desk`].sort()
    )
  })

  test('clinic staff start and end their own duty from the registry page', async ({
    assert,
    client,
  }) => {
    const clinicUser = await make.user('clinic_staff')
    ;(
      await client
        .post('/critical-values/duty')
        .loginAs(clinicUser)
        .withCsrfToken()
        .form({ on: 'true' })
        .redirects(0)
    ).assertStatus(302)
    assert.deepEqual(await (await app.container.make(DutyRoster)).dutiesOf(clinicUser.id), [
      'on_duty',
    ])
    const page = await client.get('/critical-values').loginAs(clinicUser)
    assert.include(page.text(), '您正在值班')
    ;(
      await client
        .post('/critical-values/duty')
        .loginAs(clinicUser)
        .withCsrfToken()
        .form({ on: 'false' })
        .redirects(0)
    ).assertStatus(302)
    assert.deepEqual(await (await app.container.make(DutyRoster)).dutiesOf(clinicUser.id), [])
    const radiologist = await make.user('radiologist')
    const refused = await client
      .post('/critical-values/duty')
      .headers(json)
      .loginAs(radiologist)
      .withCsrfToken()
      .form({ on: 'true' })
    refused.assertStatus(403)
    assert.equal((await lastAudit('critical_value.duty'))!.outcome, 'denied')
  })
})
