import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import { setAdminClinicalAccess } from '#app/access/clinical_access'
import AuditEvent from '#models/audit_event'
import Approval from '#app/approvals/approval'
import { Clock, ManualClock } from '#app/platform/clock'
import { audit } from '#app/platform/audit/audit_log'
import { parseCsv } from '#app/platform/csv'
import { CriticalValueRaising } from '#app/critical_values/services/critical_value_raising'
import * as make from '#tests/support/fixtures'
import { apiToken } from '#tests/support/http'
import { decide } from '#tests/support/approvals'
import { examWithImages, finding, MESSAGE } from '#tests/support/critical_values'

/*
| Refusals are read as JSON: the page answer to a refused download is a redirect back with the reason.
|
| Two-person approval of bulk exports of patient data (MLPS 8.1.4.2): the audit log, and an
| administrator's export of the critical-value registry. The request waits for the security
| administrator; the requester then downloads the file once, within 24 hours; both steps audited.
*/
async function lastAudit(action: string, actorId: number) {
  return AuditEvent.query()
    .where('action', action)
    .where('actor_user_id', actorId)
    .orderBy('id', 'desc')
    .first()
}

async function askAuditExport(client: any, requester: any, form: Record<string, string> = {}) {
  const asked = await client
    .post('/admin/audit/export-requests')
    .loginAs(requester)
    .withCsrfToken()
    .form(form)
    .redirects(0)
  asked.assertStatus(302)
  asked.assertHeader('location', '/approvals/mine')
  return Approval.query()
    .where('kind', 'audit.export')
    .where('requested_by_id', requester.id)
    .orderBy('id', 'desc')
    .firstOrFail()
}

test.group('Two-person approval of audit-log exports', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.teardown(() => app.container.restore(Clock))

  test('the audit administrator gets no file without approval; once approved, one download', async ({
    client,
    assert,
  }) => {
    const auditor = await make.user('audit_admin')
    const clinic = await make.user('clinic_staff')
    await audit.record(
      { user: clinic, ip: '10.1.2.3' },
      { action: 'exam.view', targetType: 'exam', targetId: 42 }
    )
    // The direct download is gone: 403, audited.
    const direct = await client.get('/admin/audit/export').loginAs(auditor).accept('json')
    direct.assertStatus(403)
    assert.equal((await lastAudit('audit.export', auditor.id))!.outcome, 'denied')

    const approval = await askAuditExport(client, auditor, {
      action: 'exam.view',
      username: clinic.username,
    })
    assert.equal(approval.status, 'pending')
    assert.equal(approval.summary.rows, 1)
    assert.include(String(approval.summary.filters), `username=${clinic.username}`)
    const request = (await lastAudit('audit.export_request', auditor.id))!
    assert.equal(request.outcome, 'success')
    assert.equal(request.targetId, String(approval.id))

    // Not before approval (409), and the requester cannot approve it themself (403).
    ;(
      await client.get(`/admin/audit/exports/${approval.id}`).loginAs(auditor).accept('json')
    ).assertStatus(409)
    assert.equal((await decide('approve', approval.id, await apiToken(auditor))).status, 403)
    for (const role of ['admin', 'radiologist'] as const)
      assert.equal(
        (await decide('approve', approval.id, await apiToken(await make.user(role)))).status,
        403
      )
    assert.equal((await Approval.findOrFail(approval.id)).status, 'pending')

    const approved = await decide(
      'approve',
      approval.id,
      await apiToken(await make.user('security_admin'))
    )
    assert.equal(approved.status, 200)

    // Another audit administrator cannot use someone else's approval: answered as missing.
    const other = await make.user('audit_admin')
    ;(
      await client.get(`/admin/audit/exports/${approval.id}`).loginAs(other).accept('json')
    ).assertStatus(404)

    const mine = await client.get('/approvals/mine').loginAs(auditor)
    mine.assertStatus(200)
    mine.assertTextIncludes('导出审计日志')
    mine.assertTextIncludes(`/admin/audit/exports/${approval.id}`)

    const file = await client.get(`/admin/audit/exports/${approval.id}`).loginAs(auditor)
    file.assertStatus(200)
    file.assertHeader('content-type', 'text/csv; charset=utf-8')
    const rows = parseCsv(file.text())
    assert.lengthOf(rows, 1)
    assert.equal(rows[0].username, clinic.username)
    const download = (await lastAudit('audit.export', auditor.id))!
    assert.equal(download.outcome, 'success')
    assert.equal(download.details?.approvalId, approval.id)

    // Once: a second copy needs a second request (410), and the page no longer offers it.
    ;(
      await client.get(`/admin/audit/exports/${approval.id}`).loginAs(auditor).accept('json')
    ).assertStatus(410)
    const after = await client.get('/approvals/mine').loginAs(auditor)
    assert.notInclude(after.text(), `/admin/audit/exports/${approval.id}`)
  })

  test('a rejected export cannot be downloaded', async ({ client, assert }) => {
    const auditor = await make.user('audit_admin')
    const approval = await askAuditExport(client, auditor)
    const rejected = await decide(
      'reject',
      approval.id,
      await apiToken(await make.user('security_admin')),
      {
        note: 'no reason given',
      }
    )
    assert.equal(rejected.status, 200)
    ;(
      await client.get(`/admin/audit/exports/${approval.id}`).loginAs(auditor).accept('json')
    ).assertStatus(409)
    assert.equal((await lastAudit('audit.export', auditor.id))!.outcome, 'refused')
  })

  test('two downloads at once: exactly one gets the file', async ({ client, assert }) => {
    const auditor = await make.user('audit_admin')
    const approval = await askAuditExport(client, auditor)
    await decide('approve', approval.id, await apiToken(await make.user('security_admin')))
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        client.get(`/admin/audit/exports/${approval.id}`).loginAs(auditor).accept('json')
      )
    )
    assert.deepEqual(answers.map((a) => a.status()).sort(), [200, 410, 410, 410])
  })

  test('an approval is good for 24 hours', async ({ client }) => {
    const clock = new ManualClock(DateTime.utc())
    app.container.swap(Clock, () => clock)
    const auditor = await make.user('audit_admin')
    const approval = await askAuditExport(client, auditor)
    await decide('approve', approval.id, await apiToken(await make.user('security_admin')))
    clock.advance({ hours: 24, minutes: 1 })
    ;(
      await client.get(`/admin/audit/exports/${approval.id}`).loginAs(auditor).accept('json')
    ).assertStatus(410)
  })

  test('nobody but the audit administrator asks for or downloads an audit export (403)', async ({
    client,
    assert,
  }) => {
    const auditor = await make.user('audit_admin')
    const approval = await askAuditExport(client, auditor)
    await decide('approve', approval.id, await apiToken(await make.user('security_admin')))
    for (const role of ['admin', 'security_admin', 'radiologist'] as const) {
      const user = await make.user(role)
      ;(
        await client.post('/admin/audit/export-requests').loginAs(user).withCsrfToken().redirects(0)
      ).assertStatus(403)
      ;(
        await client.get(`/admin/audit/exports/${approval.id}`).loginAs(user).accept('json')
      ).assertStatus(403)
    }
    assert.isNull((await Approval.findOrFail(approval.id)).downloadedAt)
  })
})

test.group("Two-person approval of an administrator's critical-value export", (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.setup(async () => {
    // Administrators reach the registry only with clinical access switched on.
    await setAdminClinicalAccess(true, null, DateTime.utc())
    return async () => {
      await setAdminClinicalAccess(false, null, DateTime.utc())
    }
  })

  async function oneCriticalValue() {
    const staff = await make.user('clinic_staff')
    const radiologist = await make.user('radiologist')
    const raising = await app.container.make(CriticalValueRaising)
    const { exam } = await examWithImages(staff)
    await raising.raise(radiologist, exam, {
      findingId: (await finding('ICH')).id,
      message: MESSAGE,
      requestKey: randomUUID(),
    })
    return { staff, exam }
  }

  test('the export waits for approval, then downloads once with the filters asked', async ({
    client,
    assert,
  }) => {
    const { staff } = await oneCriticalValue()
    const admin = await make.user('admin')
    for (const format of ['csv', 'xlsx']) {
      const direct = await client
        .get(`/critical-values/export.${format}?institutionId=${staff.institutionId}`)
        .loginAs(admin)
        .accept('json')
      direct.assertStatus(403)
    }
    assert.equal((await lastAudit('critical_value.export', admin.id))!.outcome, 'denied')

    const page = await client.get('/critical-values').loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes('申请导出（CSV）')

    const asked = await client
      .post('/critical-values/export-requests')
      .loginAs(admin)
      .withCsrfToken()
      .form({ format: 'csv', institutionId: staff.institutionId })
      .redirects(0)
    asked.assertStatus(302)
    const approval = await Approval.query().where('kind', 'critical_value.export').firstOrFail()
    assert.equal(approval.summary.rows, 1)
    assert.equal(approval.summary.format, 'csv')
    assert.equal((await lastAudit('critical_value.export_request', admin.id))!.outcome, 'success')
    ;(
      await client.get(`/critical-values/exports/${approval.id}`).loginAs(admin).accept('json')
    ).assertStatus(409)
    assert.equal((await decide('approve', approval.id, await apiToken(admin))).status, 403)

    const secadmin = await make.user('security_admin')
    const queue = await client.get('/approvals').loginAs(secadmin)
    queue.assertTextIncludes('导出危急值登记（含患者信息）')
    assert.notInclude(queue.text(), 'approvals.kinds.')
    assert.notInclude(queue.text(), 'approvals.fields.')
    assert.equal((await decide('approve', approval.id, await apiToken(secadmin))).status, 200)

    const file = await client.get(`/critical-values/exports/${approval.id}`).loginAs(admin)
    file.assertStatus(200)
    assert.include(file.header('content-type'), 'text/csv')
    assert.lengthOf(parseCsv(file.text()), 1)
    const download = (await lastAudit('critical_value.export', admin.id))!
    assert.equal(download.outcome, 'success')
    assert.equal(download.details?.approvalId, approval.id)
    ;(
      await client.get(`/critical-values/exports/${approval.id}`).loginAs(admin).accept('json')
    ).assertStatus(410)
  })

  test('a malformed request (no format) is refused and nothing is queued', async ({
    client,
    assert,
  }) => {
    const admin = await make.user('admin')
    const refused = await client
      .post('/critical-values/export-requests')
      .loginAs(admin)
      .withCsrfToken()
      .form({ format: 'pdf' })
      .redirects(0)
    refused.assertStatus(302)
    assert.isNull(await Approval.query().where('kind', 'critical_value.export').first())
  })

  test('with clinical access off, administrators can neither ask nor download (403)', async ({
    client,
    assert,
  }) => {
    await oneCriticalValue()
    const admin = await make.user('admin')
    await client
      .post('/critical-values/export-requests')
      .loginAs(admin)
      .withCsrfToken()
      .form({ format: 'csv' })
      .redirects(0)
    const approval = await Approval.query().where('kind', 'critical_value.export').firstOrFail()
    await decide('approve', approval.id, await apiToken(await make.user('security_admin')))
    await setAdminClinicalAccess(false, null, DateTime.utc())
    ;(
      await client.get(`/critical-values/exports/${approval.id}`).loginAs(admin).accept('json')
    ).assertStatus(403)
    ;(
      await client
        .post('/critical-values/export-requests')
        .loginAs(admin)
        .withCsrfToken()
        .form({ format: 'csv' })
        .redirects(0)
    ).assertStatus(403)
    assert.isNull((await Approval.findOrFail(approval.id)).downloadedAt)
  })

  test("a clinician's export of what they see stays a direct download (no approval)", async ({
    client,
    assert,
  }) => {
    const { staff } = await oneCriticalValue()
    const csv = await client.get('/critical-values/export.csv').loginAs(staff)
    csv.assertStatus(200)
    assert.lengthOf(parseCsv(csv.text()), 1)
    assert.isNull(await Approval.query().where('kind', 'critical_value.export').first())
  })
})
