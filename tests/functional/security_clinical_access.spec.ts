import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type User from '#models/user'
import AuditEvent from '#models/audit_event'
import Approval from '#app/approvals/approval'
import {
  adminClinicalAccess,
  refreshAdminClinicalAccess,
  setAdminClinicalAccess,
} from '#app/access/clinical_access'
import * as make from '#tests/support/fixtures'
import { apiToken, baseUrl } from '#tests/support/http'

/*
| Administrators' clinical access (C 8.5 least privilege; MLPS 8.1.4.2). It used to be a constant in the
| configuration; now switching it on is a two-person change and switching it off is immediate.
*/
async function api(method: 'GET' | 'POST', path: string, user: User) {
  const response = await fetch(baseUrl() + path, {
    method,
    headers: { Authorization: `Bearer ${await apiToken(user)}`, Accept: 'application/json' },
  })
  return { status: response.status, body: (await response.json().catch(() => null)) as any }
}

test.group("Administrators' clinical access", (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  // The setting is cached in the process; the rolled-back row must not leave it on for the next test.
  group.each.teardown(async () => {
    await setAdminClinicalAccess(false, null, DateTime.utc())
  })

  test('an administrator reads no clinical data until the security administrator approves switching it on, and none after it is switched off', async ({
    client,
    assert,
  }) => {
    const sysadmin = await make.user('admin')
    const secadmin = await make.user('security_admin')
    const clinic = await make.user('clinic_staff')
    const { exam } = await make.exam(clinic, 'DR')
    ;(await client.get(`/exams/${exam.id}`).loginAs(sysadmin)).assertStatus(404)
    assert.isFalse((await api('GET', '/api/v1/admin/clinical-access', sysadmin)).body.on)

    const asked = await api('POST', '/api/v1/admin/clinical-access/on', sysadmin)
    assert.equal(asked.status, 202)
    const approvalId = asked.body.approvalId
    // Asked, not approved: still nothing.
    ;(await client.get(`/exams/${exam.id}`).loginAs(sysadmin)).assertStatus(404)
    ;(await client.get('/exams').loginAs(sysadmin)).assertStatus(403)
    // A second request while one waits: 409.
    assert.equal((await api('POST', '/api/v1/admin/clinical-access/on', sysadmin)).status, 409)

    // The requester, the audit administrator, a radiologist: 403, and it stays off.
    for (const who of [sysadmin, await make.user('audit_admin'), await make.user('radiologist')])
      assert.equal((await api('POST', `/api/v1/approvals/${approvalId}/approve`, who)).status, 403)
    ;(await client.get(`/exams/${exam.id}`).loginAs(sysadmin)).assertStatus(404)

    assert.equal(
      (await api('POST', `/api/v1/approvals/${approvalId}/approve`, secadmin)).status,
      200
    )
    ;(await client.get(`/exams/${exam.id}`).loginAs(sysadmin)).assertStatus(200)
    ;(await client.get('/exams').loginAs(sysadmin)).assertStatus(200)
    assert.isTrue((await api('GET', '/api/v1/admin/clinical-access', secadmin)).body.on)

    // Off at once, by the system administrator alone.
    const off = await api('POST', '/api/v1/admin/clinical-access/off', sysadmin)
    assert.equal(off.status, 200)
    assert.isFalse(off.body.on)
    ;(await client.get(`/exams/${exam.id}`).loginAs(sysadmin)).assertStatus(404)
    ;(await client.get('/exams').loginAs(sysadmin)).assertStatus(403)

    // Every step audited: the request, the approval, the switch-off.
    for (const action of [
      'access.clinical_access.request_on',
      'approval.approve',
      'access.clinical_access.off',
    ])
      assert.isNotNull(
        await AuditEvent.query().where('action', action).where('outcome', 'success').first(),
        action
      )
    const offLine = await AuditEvent.query()
      .where('action', 'access.clinical_access.off')
      .firstOrFail()
    assert.deepInclude(offLine.details, { from: true, to: false })
  })

  test('only the system administrator asks; the security administrator may switch off, which withdraws a waiting request', async ({
    assert,
  }) => {
    const sysadmin = await make.user('admin')
    const secadmin = await make.user('security_admin')
    for (const who of [secadmin, await make.user('audit_admin'), await make.user('radiologist')])
      assert.equal((await api('POST', '/api/v1/admin/clinical-access/on', who)).status, 403)
    assert.equal(
      (await api('GET', '/api/v1/admin/clinical-access', await make.user('clinic_staff'))).status,
      403
    )
    assert.equal(
      (await api('POST', '/api/v1/admin/clinical-access/off', await make.user('radiologist')))
        .status,
      403
    )
    assert.isNull(await Approval.query().where('kind', 'access.admin_clinical_access.on').first())

    const asked = await api('POST', '/api/v1/admin/clinical-access/on', sysadmin)
    assert.equal(asked.status, 202)
    const off = await api('POST', '/api/v1/admin/clinical-access/off', secadmin)
    assert.equal(off.body.withdrawn, 1)
    const withdrawn = await Approval.findOrFail(asked.body.approvalId)
    assert.equal(withdrawn.status, 'rejected')
    // The withdrawn request cannot be approved afterwards.
    assert.equal(
      (await api('POST', `/api/v1/approvals/${asked.body.approvalId}/approve`, secadmin)).status,
      409
    )
    assert.isFalse(adminClinicalAccess())
  })

  test("a switch-off written elsewhere (another process, by hand) counts from the administrator's next request", async ({
    client,
  }) => {
    const sysadmin = await make.user('admin')
    const clinic = await make.user('clinic_staff')
    const { exam } = await make.exam(clinic, 'DR')
    await setAdminClinicalAccess(true, null, DateTime.utc())
    ;(await client.get(`/exams/${exam.id}`).loginAs(sysadmin)).assertStatus(200)
    await db
      .from('security_settings')
      .where('name', 'admin_clinical_access')
      .update({ value: 'off' })
    ;(await client.get(`/exams/${exam.id}`).loginAs(sysadmin)).assertStatus(404)
  })

  test('a read that began before a switch-off does not turn it back on', async ({ assert }) => {
    await setAdminClinicalAccess(true, null, DateTime.utc())
    // A read of "on" that answers only after the switch-off (another connection, a slow query).
    let answer!: (on: boolean) => void
    const slowRead = refreshAdminClinicalAccess(() => new Promise((resolve) => (answer = resolve)))
    await setAdminClinicalAccess(false, null, DateTime.utc())
    answer(true)
    assert.isFalse(await slowRead)
    assert.isFalse(adminClinicalAccess())
  })

  test('the setting page shows the state to the system administrator', async ({ client }) => {
    const sysadmin = await make.user('admin')
    const page = await client.get('/admin/clinical-access').loginAs(sysadmin)
    page.assertStatus(200)
    page.assertTextIncludes('data-clinical-access="off"')
  })
})
