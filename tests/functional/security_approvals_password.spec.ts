import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import hash from '@adonisjs/core/services/hash'
import User from '#models/user'
import AuditEvent from '#models/audit_event'
import Approval from '#app/approvals/approval'
import * as make from '#tests/support/fixtures'
import { apiToken, baseUrl } from '#tests/support/http'

/*
| Two-person approval of resetting another user's password (MLPS 8.1.4.2): otherwise the system
| administrator could sign in as any clinician. The reset waits for the security administrator.
*/
async function approve(id: number, token: string) {
  const response = await fetch(baseUrl() + `/api/v1/approvals/${id}/approve`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
  })
  return response.status
}

const NEW_PASSWORD = 'Reset-Approved-2026!x'

function resetForm(target: User) {
  return {
    fullName: target.fullName,
    institutionId: target.institutionId,
    role: target.role,
    status: 'active',
    password: NEW_PASSWORD,
  }
}

test.group('Two-person approval of password resets', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test("resetting another user's password does nothing until the security administrator approves", async ({
    client,
    assert,
  }) => {
    const sysadmin = await make.user('admin')
    const secadmin = await make.user('security_admin')
    const target = await make.user('clinic_staff')
    const before = (await User.findOrFail(target.id)).password
    const asked = await client
      .put(`/admin/users/${target.id}`)
      .loginAs(sysadmin)
      .withCsrfToken()
      .form(resetForm(target))
      .redirects(0)
    asked.assertStatus(302)
    const approval = await Approval.query()
      .where('kind', 'admin.user.password_reset')
      .where('status', 'pending')
      .firstOrFail()
    // Nothing changed yet, and the approver never reads the password.
    assert.equal((await User.findOrFail(target.id)).password, before)
    assert.notInclude(JSON.stringify(approval.summary), NEW_PASSWORD)

    // The requester and the audit administrator may not approve: 403.
    assert.equal(await approve(approval.id, await apiToken(sysadmin)), 403)
    assert.equal(await approve(approval.id, await apiToken(await make.user('audit_admin'))), 403)
    assert.equal((await User.findOrFail(target.id)).password, before)

    assert.equal(await approve(approval.id, await apiToken(secadmin)), 200)
    const after = await User.findOrFail(target.id)
    assert.isTrue(await hash.verify(after.password, NEW_PASSWORD))
    // Both steps audited.
    assert.isNotNull(await AuditEvent.query().where('action', 'admin.user.update').first())
    assert.isNotNull(
      await AuditEvent.query()
        .where('action', 'approval.approve')
        .where('outcome', 'success')
        .first()
    )
  })

  test('only the system administrator may ask for a reset (403 for others)', async ({
    client,
    assert,
  }) => {
    const target = await make.user('clinic_staff')
    for (const role of ['security_admin', 'clinic_staff'] as const) {
      const refused = await client
        .put(`/admin/users/${target.id}`)
        .loginAs(await make.user(role))
        .withCsrfToken()
        .form(resetForm(target))
        .redirects(0)
      refused.assertStatus(403)
    }
    assert.isNull(await Approval.query().where('kind', 'admin.user.password_reset').first())
  })
})
