import { test } from '@japa/runner'
import { spawnSync } from 'node:child_process'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { Clock, ManualClock } from '#app/platform/clock'
import { audit } from '#app/platform/audit/audit_log'
import { verifyChain } from '#app/platform/audit/audit_chain'
import * as make from '#tests/support/fixtures'

/*
| A tamper-evident audit log (MLPS 8.1.4.3 c): the app's database account cannot remove the protection,
| and a line changed, removed or slipped in by someone who can (the migration account, root) is reported.
*/

const mysql = () => db.primaryConnectionName === 'mysql'

test.group("The app's database account", () => {
  test('is not the migration account and cannot drop a trigger, truncate, alter or update the audit log', async ({
    assert,
  }) => {
    if (!mysql()) return
    const appUser = (db.manager.get('mysql')!.config.connection as any).user
    const migrator = (db.manager.get('migrator')!.config.connection as any).user
    assert.notEqual(appUser, migrator)
    await assert.rejects(() => db.rawQuery('DROP TRIGGER audit_events_no_update'), /denied/i)
    await assert.rejects(() => db.rawQuery('TRUNCATE TABLE audit_events'), /denied/i)
    await assert.rejects(
      () => db.rawQuery('ALTER TABLE audit_events DROP COLUMN row_hash'),
      /denied/i
    )
    await assert.rejects(
      () => db.rawQuery("UPDATE audit_events SET action = 'x' WHERE id = 0"),
      /denied/i
    )
    await assert.rejects(
      () =>
        db.rawQuery('CREATE TRIGGER x BEFORE INSERT ON users FOR EACH ROW SET NEW.locale = NULL'),
      /denied/i
    )
    // The triggers are still there.
    const [triggers] = await db
      .connection('migrator')
      .rawQuery("SHOW TRIGGERS WHERE `Table` = 'audit_events'")
    assert.isAtLeast(triggers.length, 2)
  })
})

test.group("The audit log's hash chain", (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.teardown(() => app.container.restore(Clock))

  test('lines written in parallel form one unbroken chain per day, and the verifier says so', async ({
    assert,
  }) => {
    const clock = new ManualClock('2026-10-03T23:59:59.500Z')
    app.container.swap(Clock, () => clock)
    const user = await make.user('clinic_staff')
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        audit.record({ user, ip: '10.0.0.1' }, { action: 'test.chain', details: { i, 名: '张三' } })
      )
    )
    clock.advance({ seconds: 1 })
    await audit.system({ action: 'test.chain_next_day' })
    const report = await verifyChain('2026-10-03', '2026-10-04')
    assert.isTrue(report.ok, JSON.stringify(report.problems))
    assert.equal(report.days, 2)
    assert.isAtLeast(report.checked, 21)
  })

  test('lines that arrive together are appended in groups, each caller gets its own line, and a line the database refuses fails only its caller', async ({
    assert,
  }) => {
    // MariaDB's strict mode refuses the out-of-range actor id; the global transaction keeps every append on one
    // connection, whose counter of savepoints (one per append transaction) shows how many transactions ran.
    if (!mysql()) return
    const clock = new ManualClock('2026-10-05T10:00:00Z')
    app.container.swap(Clock, () => clock)
    const savepoints = async () => {
      const [rows] = await db.rawQuery("SHOW SESSION STATUS LIKE 'Com_savepoint'")
      return Number(rows[0].Value)
    }
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        i === 17
          ? audit.record(
              { user: { id: -1, username: 'nobody', institutionId: 1 } },
              { action: 'test.group_refused' }
            )
          : audit.system({ action: 'test.group', targetId: i })
      )
    )
    assert.equal(outcomes[17].status, 'rejected')
    for (const [i, outcome] of outcomes.entries()) {
      if (i === 17) continue
      assert.equal(outcome.status, 'fulfilled')
      const row = await db
        .from('audit_events')
        .where('id', (outcome as PromiseFulfilledResult<number>).value)
        .firstOrFail()
      assert.equal(row.target_id, String(i))
    }
    // Without a refusal, a burst of 30 is a few transactions, not 30.
    const burstBefore = await savepoints()
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        audit.system({ action: 'test.group_burst', targetId: i })
      )
    )
    assert.isAtMost((await savepoints()) - burstBefore, 3)
    const report = await verifyChain('2026-10-05', '2026-10-05')
    assert.isTrue(report.ok, JSON.stringify(report.problems))
    assert.equal(report.checked, 59)
  })

  test('a line slipped in with SQL (no link, or a copied link) is reported', async ({ assert }) => {
    const clock = new ManualClock('2026-09-14T08:00:00Z')
    app.container.swap(Clock, () => clock)
    for (let i = 0; i < 5; i++) {
      await audit.system({ action: 'test.chain', details: { i } })
      clock.advance({ minutes: 1 })
    }
    const rows = await db.from('audit_events').where('chain_day', '2026-09-14').orderBy('chain_seq')
    assert.lengthOf(rows, 5)
    assert.isTrue((await verifyChain('2026-09-14', '2026-09-14')).ok)
    // A back-dated line with no chain fields.
    await db.table('audit_events').insert({
      occurred_at: '2026-09-14 08:02:30.000',
      action: 'test.slipped_in',
      outcome: 'success',
    })
    assert.deepInclude(
      (await verifyChain('2026-09-14', '2026-09-14')).problems.map((p) => p.kind),
      'not_chained'
    )
    // A line made to look chained (the next sequence number, the last hash as its link) without the key.
    const last = { ...rows[4] }
    delete last.id
    await db
      .table('audit_events')
      .insert({ ...last, action: 'test.forged', chain_seq: 6, prev_hash: rows[4].row_hash })
    const kinds = (await verifyChain('2026-09-14', '2026-09-14')).problems.map((p) => p.kind)
    assert.includeMembers(kinds, ['changed', 'missing_tail'])
  })
})

test.group('The audit administrator verifies a period from the UI', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('the page says intact, the check is audited; other administrators are refused', async ({
    client,
    assert,
  }) => {
    const auditor = await make.user('audit_admin')
    await audit.system({ action: 'test.chain' })
    const today = DateTime.utc().toISODate()!
    const page = await client
      .get('/admin/audit/verify')
      .qs({ from: today, to: today })
      .loginAs(auditor)
    page.assertStatus(200)
    assert.include(page.text(), 'data-chain="intact"')
    const line = await db
      .from('audit_events')
      .where('action', 'audit.verify')
      .where('actor_user_id', auditor.id)
      .first()
    assert.isNotNull(line)
    ;(await client.get('/admin/audit/verify').loginAs(auditor)).assertStatus(200)
    ;(
      await client
        .get('/admin/audit/verify')
        .qs({ from: today, to: today })
        .loginAs(await make.user('admin'))
    ).assertStatus(403)
    ;(
      await client
        .get('/admin/audit/verify')
        .qs({ from: today, to: today })
        .loginAs(await make.user('security_admin'))
    ).assertStatus(403)
  })
})

test.group("The audit log's hash chain against root", () => {
  test('a line changed by someone who can drop the trigger, and a line deleted, are reported by the verifier and the command', async ({
    assert,
  }) => {
    if (!mysql()) return
    // A day of its own, old enough that its lines may be deleted afterwards (the trigger allows > 184 days).
    const day = DateTime.fromISO('2024-01-01', { zone: 'utc' }).plus({
      days: Math.floor(Math.random() * 300),
    })
    const clock = new ManualClock(day.plus({ hours: 8 }))
    app.container.swap(Clock, () => clock)
    const iso = day.toISODate()!
    const root = db.connection('migrator')
    try {
      for (let i = 0; i < 4; i++) {
        await audit.system({ action: 'test.chain_root', details: { i } })
        clock.advance({ minutes: 1 })
      }
      const rows = await db.from('audit_events').where('chain_day', iso).orderBy('chain_seq')
      assert.isTrue((await verifyChain(iso, iso)).ok)
      // The fast path: worker threads on their own connections, the day cut into segments joined after.
      assert.isTrue((await verifyChain(iso, iso, { workers: 2, segment: 1 })).ok)
      const [[trigger]] = await root.rawQuery('SHOW CREATE TRIGGER audit_events_no_update')
      await root.rawQuery('DROP TRIGGER audit_events_no_update')
      try {
        await root.from('audit_events').where('id', rows[1].id).update({ action: 'test.innocent' })
      } finally {
        await root.rawQuery(trigger['SQL Original Statement'])
      }
      // An old line may be deleted (retention), but not silently: the gap shows.
      await db.from('audit_events').where('id', rows[2].id).delete()
      const report = await verifyChain(iso, iso)
      assert.isFalse(report.ok)
      // Worker threads and segments (the joints fall on the changed and the missing line) say the same.
      for (const segment of [1, 2, 3])
        assert.deepEqual(await verifyChain(iso, iso, { workers: 2, segment }), report)
      assert.deepInclude(report.problems, {
        day: iso,
        seq: 2,
        id: Number(rows[1].id),
        kind: 'changed',
      })
      assert.deepInclude(
        report.problems.map((p) => p.kind),
        'missing'
      )

      // The command an operator (or cron) runs: its own process, exit code 1 on a break.
      const cli = spawnSync(
        process.execPath,
        ['ace.js', 'audit:verify', `--from=${iso}`, `--to=${iso}`],
        { cwd: app.makePath(), env: process.env, encoding: 'utf8' }
      )
      assert.equal(cli.status, 1, cli.stdout + cli.stderr)
      assert.include(cli.stdout + cli.stderr, 'changed')
    } finally {
      app.container.restore(Clock)
      await db.from('audit_events').where('chain_day', iso).delete()
      await db.from('audit_chain_heads').where('day', iso).delete()
    }
  })
})
