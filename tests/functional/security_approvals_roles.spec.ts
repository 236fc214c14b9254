import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import User from '#models/user'
import AuditEvent from '#models/audit_event'
import Approval from '#app/approvals/approval'
import * as make from '#tests/support/fixtures'
import { apiToken, baseUrl } from '#tests/support/http'
import { CookieClient } from '#tests/support/sessions'

/*
| Two-person approval of granting a guarded role (MLPS 8.1.4.2). The attack this stops: the system
| administrator creates a radiologist account with a password of their choosing, or gives an existing
| account a clinical role, and reads every clinic's records. The grant waits for the security administrator.
*/
async function decide(id: number, user: User, how: 'approve' | 'reject' = 'approve') {
  const response = await fetch(baseUrl() + `/api/v1/approvals/${id}/${how}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${await apiToken(user)}`, Accept: 'application/json' },
  })
  return response.status
}

const PASSWORD = 'Ying-Xiang#2027'

async function pending(kind: string) {
  return Approval.query().where('kind', kind).where('status', 'pending').firstOrFail()
}

function profile(user: User) {
  return {
    fullName: user.fullName,
    institutionId: user.institutionId,
    role: user.role,
    title: user.title ?? '',
    status: user.status,
  }
}

test.group('Two-person approval of clinical roles', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a radiologist account made by the system administrator exists only once the security administrator approves', async ({
    client,
    assert,
  }) => {
    const sysadmin = await make.user('admin')
    const secadmin = await make.user('security_admin')
    const lead = await make.institution('lead_hospital')
    const username = make.unique('dr')
    const asked = await client
      .post('/admin/users')
      .loginAs(sysadmin)
      .withCsrfToken()
      .form({
        username,
        fullName: '钱医生',
        institutionId: lead.id,
        role: 'radiologist',
        title: 'senior',
        password: PASSWORD,
        expiresOn: '2027-06-30',
      })
      .redirects(0)
    asked.assertStatus(302)
    const approval = await pending('admin.user.create_with_role')
    // No account, so nobody signs in with the role; the approver reads who and what, never the password.
    assert.isNull(await User.findBy('username', username))
    assert.notInclude(JSON.stringify(approval.summary), PASSWORD)
    assert.equal(approval.summary.grantedRole, 'radiologist')
    const browser = new CookieClient(baseUrl())
    assert.equal(await browser.logIn(username, PASSWORD), '/login')

    // The requester, the audit administrator and clinicians may not approve: 403, still no account.
    assert.equal(await decide(approval.id, sysadmin), 403)
    assert.equal(await decide(approval.id, await make.user('audit_admin')), 403)
    assert.equal(await decide(approval.id, await make.user('radiologist')), 403)
    assert.isNull(await User.findBy('username', username))

    assert.equal(await decide(approval.id, secadmin), 200)
    const created = await User.findByOrFail('username', username)
    assert.equal(created.role, 'radiologist')
    assert.equal(created.title, 'senior')
    assert.equal(created.expiresOn?.toISODate(), '2027-06-30')
    assert.notEqual(await new CookieClient(baseUrl()).logIn(username, PASSWORD), '/login')
    // Both steps audited: the request (target: the approval) and the approval (result: the user).
    const request = await AuditEvent.query()
      .where('action', 'admin.user.create')
      .where('outcome', 'success')
      .where('target_type', 'approval')
      .where('target_id', String(approval.id))
      .first()
    assert.isNotNull(request)
    const approved = await AuditEvent.query()
      .where('action', 'approval.approve')
      .where('outcome', 'success')
      .where('target_id', String(approval.id))
      .firstOrFail()
    assert.equal(approved.details?.result, `user:${created.id}`)
  })

  test('a rejected account is never made; a security administrator account waits as well; a system administrator needs nobody', async ({
    client,
    assert,
  }) => {
    const sysadmin = await make.user('admin')
    const secadmin = await make.user('security_admin')
    const lead = await make.institution('lead_hospital')
    const clinic = await make.institution('member_clinic')
    const form = (username: string, role: string, institutionId: number) => ({
      username,
      fullName: '某',
      institutionId,
      role,
      password: PASSWORD,
    })
    const nurse = make.unique('c')
    await client
      .post('/admin/users')
      .loginAs(sysadmin)
      .withCsrfToken()
      .form(form(nurse, 'clinic_staff', clinic.id))
    const second = make.unique('s')
    await client
      .post('/admin/users')
      .loginAs(sysadmin)
      .withCsrfToken()
      .form(form(second, 'security_admin', lead.id))
    const colleague = make.unique('a')
    await client
      .post('/admin/users')
      .loginAs(sysadmin)
      .withCsrfToken()
      .form(form(colleague, 'admin', lead.id))

    assert.isNull(await User.findBy('username', nurse))
    // A second security administrator made by the system administrator would approve their own requests.
    assert.isNull(await User.findBy('username', second))
    assert.equal((await User.findByOrFail('username', colleague)).role, 'admin')
    const requests = await Approval.query()
      .where('kind', 'admin.user.create_with_role')
      .orderBy('id')
    assert.deepEqual(
      requests.map((a) => a.summary.username),
      [nurse, second]
    )
    assert.equal(await decide(requests[0].id, secadmin, 'reject'), 200)
    assert.isNull(await User.findBy('username', nurse))
    // A decided request cannot be approved after all.
    assert.equal(await decide(requests[0].id, secadmin), 409)
    assert.isNull(await User.findBy('username', nurse))
  })

  test('a role change to a clinical role is held: the account keeps its role until approved, and rejection leaves it as it was', async ({
    client,
    assert,
  }) => {
    const sysadmin = await make.user('admin')
    const secadmin = await make.user('security_admin')
    const qc = await make.user('qc_officer')
    const asked = await client
      .put(`/admin/users/${qc.id}`)
      .loginAs(sysadmin)
      .withCsrfToken()
      .form({ ...profile(qc), fullName: '改名', role: 'radiologist', title: 'senior' })
      .redirects(0)
    asked.assertStatus(302)
    // What the administrator may change alone is saved; the role and its title wait.
    const held = await User.findOrFail(qc.id)
    assert.equal(held.fullName, '改名')
    assert.equal(held.role, 'qc_officer')
    assert.isNull(held.title)
    // The role is not usable before approval: the reading queue stays closed.
    ;(await client.get('/reading').loginAs(held)).assertStatus(403)

    const approval = await pending('admin.user.role_grant')
    assert.equal(approval.summary.previousRole, 'qc_officer')
    assert.equal(approval.summary.grantedRole, 'radiologist')
    // The approver reads it in words: the kind, the present role and the one asked for.
    const queue = await client.get('/approvals').loginAs(secadmin)
    queue.assertTextIncludes('授予账号临床或管理员角色，或调往其他机构')
    queue.assertTextIncludes('<strong>质控人员</strong>')
    queue.assertTextIncludes('<strong>影像诊断医师</strong>')
    const english = await client.get('/approvals?lang=en').loginAs(secadmin)
    english.assertTextIncludes('Give an account a clinical or administrator role')
    english.assertTextIncludes('<strong>Radiologist</strong>')
    assert.equal(await decide(approval.id, sysadmin), 403)
    assert.equal(await decide(approval.id, await make.user('audit_admin')), 403)
    assert.equal((await User.findOrFail(qc.id)).role, 'qc_officer')

    assert.equal(await decide(approval.id, secadmin), 200)
    const granted = await User.findOrFail(qc.id)
    assert.equal(granted.role, 'radiologist')
    assert.equal(granted.title, 'senior')
    ;(await client.get('/reading').loginAs(granted)).assertStatus(200)

    // A second change, rejected: the account stays as it was.
    await client
      .put(`/admin/users/${qc.id}`)
      .loginAs(sysadmin)
      .withCsrfToken()
      .form({ ...profile(granted), role: 'qc_officer', title: '' })
    const second = await pending('admin.user.role_grant')
    assert.equal(await decide(second.id, secadmin, 'reject'), 200)
    const kept = await User.findOrFail(qc.id)
    assert.equal(kept.role, 'radiologist')
    assert.equal(kept.title, 'senior')
  })

  test("moving clinic staff to another clinic is held: they do not see that clinic's exams before approval", async ({
    client,
    assert,
  }) => {
    const sysadmin = await make.user('admin')
    const secadmin = await make.user('security_admin')
    const nurse = await make.user('clinic_staff')
    const other = await make.user('clinic_staff')
    const { exam } = await make.exam(other, 'DR')
    await client
      .put(`/admin/users/${nurse.id}`)
      .loginAs(sysadmin)
      .withCsrfToken()
      .form({ ...profile(nurse), institutionId: other.institutionId })
    const before = await User.findOrFail(nurse.id)
    assert.equal(before.institutionId, nurse.institutionId)
    ;(await client.get(`/exams/${exam.id}`).loginAs(before)).assertStatus(404)

    const approval = await pending('admin.user.role_grant')
    assert.equal(await decide(approval.id, sysadmin), 403)
    assert.equal(await decide(approval.id, secadmin), 200)
    const moved = await User.findOrFail(nurse.id)
    assert.equal(moved.institutionId, other.institutionId)
    ;(await client.get(`/exams/${exam.id}`).loginAs(moved)).assertStatus(200)
  })

  test("a role change and another user's password together make two requests; a non-guarded change saves at once", async ({
    client,
    assert,
  }) => {
    const sysadmin = await make.user('admin')
    const qc = await make.user('qc_officer')
    const response = await client
      .put(`/admin/users/${qc.id}`)
      .loginAs(sysadmin)
      .withCsrfToken()
      .header('Accept', 'application/json')
      .json({ ...profile(qc), role: 'radiologist', title: 'junior', password: 'Reset-Held-2026!x' })
    response.assertStatus(200)
    assert.equal(response.body().role, 'qc_officer')
    assert.lengthOf(response.body().approvalIds, 2)
    const kinds = (await Approval.query().whereIn('id', response.body().approvalIds)).map(
      (a) => a.kind
    )
    assert.sameMembers(kinds, ['admin.user.password_reset', 'admin.user.role_grant'])

    // A refused grant (a radiologist needs a title) asks for nothing, not even the password reset with it.
    const other = await make.user('qc_officer')
    const refused = await client
      .put(`/admin/users/${other.id}`)
      .loginAs(sysadmin)
      .withCsrfToken()
      .header('Accept', 'application/json')
      .json({ ...profile(other), role: 'radiologist', title: '', password: 'Reset-Held-2026!x' })
    refused.assertStatus(422)
    assert.lengthOf(await Approval.query().whereNotIn('id', response.body().approvalIds), 0)
    assert.equal((await User.findOrFail(other.id)).role, 'qc_officer')

    // Locking, or a title change within the same role, needs nobody.
    const rad = await make.user('radiologist')
    const plain = await client
      .put(`/admin/users/${rad.id}`)
      .loginAs(sysadmin)
      .withCsrfToken()
      .header('Accept', 'application/json')
      .json({ ...profile(rad), title: 'senior', status: 'locked' })
    assert.deepEqual(plain.body().approvalIds, [])
    const saved = await User.findOrFail(rad.id)
    assert.equal(saved.title, 'senior')
    assert.equal(saved.status, 'locked')
  })
})
