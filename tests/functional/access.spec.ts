import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import User from '#models/user'
import AuditEvent from '#models/audit_event'
import { Clock, ManualClock } from '#app/platform/clock'
import { MAX_FAILED_LOGINS } from '#app/access/services/account_rules'
import * as make from '#tests/support/fixtures'
import { apiToken, baseUrl } from '#tests/support/http'

async function loginForm(client: any, username: string, password: string) {
  return client.post('/login').withCsrfToken().form({ username, password }).redirects(0)
}

/** Every refusal reads the same (ASVS 2.2; a locked, disabled or expired account cannot be told from a wrong password). */
const REFUSED = '用户名或密码错误，或该账号暂时无法登录。多次失败请稍后再试或联系管理员。'

test.group('Logging in', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.teardown(() => app.container.restore(Clock))

  test('a correct password logs in, is audited and records the time', async ({
    client,
    assert,
  }) => {
    const user = await make.user('clinic_staff')
    const response = await loginForm(client, user.username, make.PASSWORD)
    response.assertStatus(302)
    response.assertHeader('location', '/')
    await user.refresh()
    assert.isNotNull(user.lastLoginAt)
    const event = await AuditEvent.query()
      .where('action', 'auth.login')
      .where('actor_user_id', user.id)
      .firstOrFail()
    assert.equal(event.outcome, 'success')
    assert.isString(event.ip)
  })

  test('a wrong password is refused and audited, an unknown user too', async ({
    client,
    assert,
  }) => {
    const user = await make.user('clinic_staff')
    const response = await loginForm(client, user.username, 'wrong-password1')
    response.assertStatus(302)
    response.assertHeader('location', '/login')
    response.assertFlashMessage('error', REFUSED)
    await loginForm(client, 'nobody-here', 'whatever1')
    const failed = await AuditEvent.query().where('action', 'auth.login_failed').orderBy('id')
    assert.deepEqual(
      failed.map((e) => e.actorUsername),
      [user.username, 'nobody-here']
    )
    assert.isTrue(failed.every((e) => e.outcome === 'denied'))
  })

  test(`${MAX_FAILED_LOGINS} wrong passwords lock the account for 15 minutes, even against the right one`, async ({
    client,
    assert,
  }) => {
    const clock = new ManualClock('2026-11-22T08:00:00Z')
    app.container.swap(Clock, () => clock)
    const user = await make.user('clinic_staff')
    for (let i = 0; i < MAX_FAILED_LOGINS; i++)
      await loginForm(client, user.username, 'wrong-password1')
    const locked = await loginForm(client, user.username, make.PASSWORD)
    locked.assertFlashMessage('error', REFUSED)
    clock.advance({ minutes: 16 })
    const again = await loginForm(client, user.username, make.PASSWORD)
    again.assertHeader('location', '/')
    assert.equal((await User.findOrFail(user.id)).failedLoginCount, 0)
  })

  test('an expired or locked account cannot log in (C 8.5.4)', async ({ client }) => {
    const expired = await make.user('clinic_staff', undefined, {
      expiresOn: DateTime.utc().minus({ days: 2 }),
    })
    const locked = await make.user('clinic_staff', undefined, { status: 'locked' })
    ;(await loginForm(client, expired.username, make.PASSWORD)).assertFlashMessage('error', REFUSED)
    ;(await loginForm(client, locked.username, make.PASSWORD)).assertFlashMessage('error', REFUSED)
  })

  test('an account locked after login is stopped at its next request, pages and API alike', async ({
    client,
    assert,
  }) => {
    const user = await make.user('clinic_staff')
    const token = await apiToken(user)
    user.status = 'locked'
    await user.save()
    const page = await client.get('/exams').loginAs(user).redirects(0)
    page.assertStatus(302)
    page.assertHeader('location', '/login')
    const api = await fetch(`${baseUrl()}/api/v1/exams`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
    })
    assert.equal(api.status, 401)
  })

  test('a login form without its CSRF token is refused', async ({ client, assert }) => {
    const user = await make.user('clinic_staff')
    const response = await client
      .post('/login')
      .form({ username: user.username, password: make.PASSWORD })
      .redirects(0)
    response.assertStatus(302)
    response.assertFlashMessage(
      'error',
      '表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。未做任何更改。'
    )
    assert.isNull((await User.findOrFail(user.id)).lastLoginAt)
    assert.isNull(
      await AuditEvent.query().where('action', 'auth.login').where('actor_user_id', user.id).first()
    )
  })

  test('the interface speaks Chinese by default and English on request', async ({ client }) => {
    const zh = await client.get('/login')
    zh.assertTextIncludes('登录')
    const en = await client.get('/login').withCookie('locale', 'en')
    en.assertTextIncludes('Log in')
  })
})

test.group('Who may open what', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('pages need a login', async ({ client }) => {
    const response = await client.get('/exams').redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/login')
  })

  test('clinic staff cannot open administration, and the attempt is audited', async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const response = await client.get('/admin/users').loginAs(clinic)
    response.assertStatus(403)
    assert.isNotNull(
      await AuditEvent.query()
        .where('action', 'access.area')
        .where('actor_user_id', clinic.id)
        .where('outcome', 'denied')
        .first()
    )
  })

  test('administrators manage but do not open exams (least privilege, C 8.5)', async ({
    client,
  }) => {
    const clinic = await make.user('clinic_staff')
    const admin = await make.user('admin')
    const { exam } = await make.exam(clinic, 'DR')
    ;(await client.get(`/exams/${exam.id}`).loginAs(admin)).assertStatus(404)
    ;(await client.get('/admin/users').loginAs(admin)).assertStatus(200)
  })

  test("a clinic sees its own exams only; lead-hospital radiologists see every clinic's", async ({
    client,
    assert,
  }) => {
    const mine = await make.user('clinic_staff')
    const other = await make.user('clinic_staff')
    const radiologist = await make.user('radiologist')
    const { exam: own } = await make.exam(mine, 'DR')
    const { exam: foreign } = await make.exam(other, 'CT')

    ;(await client.get(`/exams/${own.id}`).loginAs(mine)).assertStatus(200)
    ;(await client.get(`/exams/${foreign.id}`).loginAs(mine)).assertStatus(404)
    ;(await client.get(`/exams/${foreign.id}`).loginAs(radiologist)).assertStatus(200)

    const token = await apiToken(mine)
    const list = (await fetch(`${baseUrl()}/api/v1/exams`, {
      headers: { Authorization: `Bearer ${token}` },
    }).then((r) => r.json())) as any
    const accessions = list.data.map((e: any) => e.accessionNumber)
    assert.include(accessions, own.accessionNumber)
    assert.notInclude(accessions, foreign.accessionNumber)
  })
})
