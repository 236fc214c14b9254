import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import AuditEvent from '#models/audit_event'
import { audit } from '#app/platform/audit/audit_log'
import { AuditRetention } from '#app/audit/audit_retention'
import { Clock, ManualClock } from '#app/platform/clock'
import * as make from '#tests/support/fixtures'
import { approvePending } from '#tests/support/approvals'
import { checkAuditRetention } from '#config/imaging'

const sql = (time: DateTime) => time.toUTC().toFormat('yyyy-MM-dd HH:mm:ss.SSS')

async function eventAt(time: DateTime, action = 'test.old') {
  const [id] = await db
    .table('audit_events')
    .insert({ occurred_at: sql(time), action, outcome: 'success' })
  return id
}

test.group('The audit log (C 8.3.4)', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.teardown(() => app.container.restore(Clock))

  test('no line can be changed, even straight in the database', async ({ assert }) => {
    const id = await audit.system({ action: 'test.append_only' })
    await assert.rejects(() =>
      db.from('audit_events').where('id', id).update({ action: 'tampered' })
    )
    assert.equal((await AuditEvent.findOrFail(id)).action, 'test.append_only')
  })

  test('no line younger than 184 days can be deleted, even straight in the database', async ({
    assert,
  }) => {
    const recent = await eventAt(DateTime.utc().minus({ days: 183 }))
    await assert.rejects(() => db.from('audit_events').where('id', recent).delete())
    assert.isNotNull(await AuditEvent.find(recent))
  })

  test('the purge keeps six months even when configured shorter, and removes what is older', async ({
    assert,
  }) => {
    const clock = new ManualClock(DateTime.utc())
    app.container.swap(Clock, () => clock)
    const old = await eventAt(clock.now().minus({ days: 400 }))
    const kept = await eventAt(clock.now().minus({ days: 185 }).plus({ hours: 2 }))
    const retention = await app.container.make(AuditRetention)
    // Asked for 30 days: the legal floor of 184 days still applies.
    assert.equal(
      retention.cutoff(30).toISODate(),
      clock.now().minus({ days: 184 }).startOf('day').toISODate()
    )
    // Other suites leave lines of their own (manual clocks of years past, committed on purpose): count at least ours.
    const deleted = await retention.purgeExpired(365)
    assert.isAtLeast(deleted, 1)
    assert.isNull(await AuditEvent.find(old))
    assert.isNotNull(await AuditEvent.find(kept))
    assert.isNotNull(await AuditEvent.query().where('action', 'audit.purge').first())
  })

  test('a retention below six months is refused by the configuration', ({ assert }) => {
    assert.throws(() => checkAuditRetention(90), /below the legal minimum of 184 days/)
    assert.throws(() => checkAuditRetention(183), /below the legal minimum/)
    assert.equal(checkAuditRetention(184), 184)
  })

  test('administrators search and export it; both are themselves audited', async ({
    client,
    assert,
  }) => {
    const admin = await make.user('audit_admin')
    const clinic = await make.user('clinic_staff')
    await audit.record(
      { user: clinic, ip: '10.1.2.3' },
      { action: 'exam.view', targetType: 'exam', targetId: 42 }
    )
    const page = await client.get('/admin/audit').qs({ username: clinic.username }).loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes('查看了检查 42')
    page.assertTextIncludes('10.1.2.3')
    // Taking the log away is a two-person change (tests/functional/security_approvals_exports.spec.ts).
    await client
      .post('/admin/audit/export-requests')
      .loginAs(admin)
      .withCsrfToken()
      .form({ action: 'exam.view' })
    const [approval] = await approvePending('audit.export')
    const csv = await client.get(`/admin/audit/exports/${approval.id}`).loginAs(admin)
    csv.assertStatus(200)
    csv.assertHeader('content-type', 'text/csv; charset=utf-8')
    assert.include(csv.text(), clinic.username)
    assert.isNotNull(
      await AuditEvent.query()
        .where('action', 'audit.search')
        .where('actor_user_id', admin.id)
        .first()
    )
    assert.isNotNull(
      await AuditEvent.query()
        .where('action', 'audit.export')
        .where('actor_user_id', admin.id)
        .first()
    )
  })

  test('nobody but the audit administrator opens it (the system and security administrators neither, MLPS 8.1.4.2)', async ({
    client,
  }) => {
    for (const role of [
      'clinic_staff',
      'radiologist',
      'qc_officer',
      'admin',
      'security_admin',
    ] as const) {
      ;(await client.get('/admin/audit').loginAs(await make.user(role))).assertStatus(403)
      ;(await client.get('/admin/audit/export').loginAs(await make.user(role))).assertStatus(403)
    }
  })
})
