import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import limiter from '@adonisjs/limiter/services/main'
import { TOTP, Secret } from 'otpauth'
import User from '#models/user'
import AuditEvent from '#models/audit_event'
import { Clock, ManualClock } from '#app/platform/clock'
import { LoginService } from '#app/access/services/login_service'
import { SecondFactor } from '#app/access/services/second_factor'
import { checkNewPassword } from '#app/access/services/password_policy'
import { DomainRefusal } from '#app/platform/domain_refusal'
import securityConfig from '#config/security'
import * as make from '#tests/support/fixtures'
import { baseUrl } from '#tests/support/http'
import { CookieClient } from '#tests/support/sessions'

/*
| Logins that hold (MLPS 8.1.4.1 b, d; ASVS 2.2, 2.8): the failure counter cannot be raced, rate limits per
| address and per account, one answer for every refusal, two password profiles, TOTP for administrators.
*/

async function withLimits<T>(limits: Partial<typeof securityConfig.login>, work: () => Promise<T>) {
  const saved = { ...securityConfig.login }
  Object.assign(securityConfig.login, limits)
  try {
    return await work()
  } finally {
    Object.assign(securityConfig.login, saved)
  }
}

const codeAt = (secret: string, at: ManualClock) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp: at.now().toMillis(),
  })

test.group('Logins that hold', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.teardown(() => app.container.restore(Clock))

  test('40 parallel wrong passwords lock the account after 5, and no more than 5 passwords are checked', async ({
    assert,
  }) => {
    const user = await make.user('clinic_staff')
    const service = await app.container.make(LoginService)
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        service.attempt(user.username, 'Wrong-guess-1', '203.0.113.7')
      )
    )
    assert.isTrue(results.every((r) => !r.ok))
    const reasons = results.map((r) => (r.ok ? 'ok' : r.reason))
    // Five reservations (five password checks), the fifth locks; 35 are refused without a password check.
    assert.equal(results.filter((r) => !r.ok && r.passwordChecked).length, 5)
    assert.sameMembers([...new Set(reasons)], ['temporarily_locked'])
    const locked = await User.findOrFail(user.id)
    assert.isNotNull(locked.lockedUntil)
    const right = await service.attempt(user.username, make.PASSWORD, '203.0.113.7')
    assert.isFalse(right.ok)
  })

  test('40 parallel wrong passwords through the form: the same answer to each, the account locked', async ({
    assert,
  }) => {
    const user = await make.user('clinic_staff')
    const tries = Array.from({ length: 40 }, () => new CookieClient(baseUrl()))
    await Promise.all(tries.map((c) => c.get('/login')))
    await Promise.all(
      tries.map((c) => c.post('/login', { username: user.username, password: 'Wrong-guess-1' }))
    )
    const pages = await Promise.all(
      tries.map(async (c) =>
        (await c.get('/login')).text.match(/class="flash[^"]*"[^>]*>([^<]*)/)?.[1]?.trim()
      )
    )
    assert.lengthOf(new Set(pages), 1)
    assert.isNotNull((await User.findOrFail(user.id)).lockedUntil)
    const failed = await AuditEvent.query()
      .where('action', 'auth.login_failed')
      .where('actor_user_id', user.id)
    assert.lengthOf(failed, 40)
  })

  test('a locked, a disabled, an expired and an unknown account get the same answer as a wrong password', async ({
    assert,
  }) => {
    const locked = await make.user('clinic_staff', undefined, { status: 'locked' })
    const disabled = await make.user('clinic_staff', undefined, { status: 'disabled' })
    const wrong = await make.user('clinic_staff')
    const answers = []
    for (const [username, password] of [
      [locked.username, make.PASSWORD],
      [disabled.username, make.PASSWORD],
      [wrong.username, 'Nope-nope-1'],
      ['nobody-at-all', make.PASSWORD],
    ]) {
      const c = new CookieClient(baseUrl())
      await c.get('/login')
      const r = await c.post('/login', { username, password })
      assert.equal(r.location, '/login')
      answers.push(
        (await c.get('/login')).text
          .replace(/name=['"]_csrf['"] value=['"][^'"]+['"]/g, '')
          .replace(/value="[^"]*"/g, '')
      )
    }
    assert.lengthOf(new Set(answers), 1)
  })

  test('per-account and per-address rate limits refuse before any password is checked', async ({
    assert,
  }) => {
    const user = await make.user('clinic_staff')
    const service = await app.container.make(LoginService)
    await withLimits({ perAccountAttempts: 3, perIpAttempts: 1000 }, async () => {
      for (let i = 0; i < 2; i++)
        assert.isFalse((await service.attempt(user.username, 'Wrong-guess-1', '198.51.100.1')).ok)
      assert.isTrue((await service.attempt(user.username, make.PASSWORD, '198.51.100.2')).ok)
      const limited = await service.attempt(user.username, make.PASSWORD, '198.51.100.3')
      assert.deepInclude(limited, { ok: false, reason: 'rate_limited' })
    })
    const ip = '198.51.100.99'
    await limiter.use({ requests: 1, duration: '1 minute' }).delete(`login:ip:${ip}`)
    await withLimits({ perAccountAttempts: 1000, perIpAttempts: 3 }, async () => {
      for (let i = 0; i < 3; i++) await service.attempt(`someone${i}`, 'x', ip)
      const other = await make.user('clinic_staff')
      assert.deepInclude(await service.attempt(other.username, make.PASSWORD, ip), {
        ok: false,
        reason: 'rate_limited',
      })
      assert.isTrue((await service.attempt(other.username, make.PASSWORD, '198.51.100.100')).ok)
    })
  })

  test('password profiles: 等保 wants three kinds of characters and no reuse; ASVS wants length and no common password', async ({
    assert,
  }) => {
    const user = await make.user('clinic_staff')
    const refusal = async (password: string, profile: 'mlps' | 'asvs') => {
      try {
        await checkNewPassword(password, user, undefined, profile)
        return null
      } catch (error) {
        return (error as DomainRefusal).code
      }
    }
    assert.equal(await refusal('abcdefgh1', 'mlps'), 'password_complexity')
    assert.isNull(await refusal('Abcdefg1', 'mlps'))
    assert.equal(await refusal('P@ssw0rd', 'mlps'), 'password_common')
    assert.equal(await refusal('Abcdefg1', 'asvs'), 'password_length')
    assert.isNull(await refusal('correct horse battery staple', 'asvs'))
    assert.equal(await refusal('administrator', 'asvs'), 'password_common')
    assert.equal(await refusal(`${user.username}Aa1!xyz`, 'mlps'), 'password_username')

    const c = new CookieClient(baseUrl())
    await c.logIn(user.username, make.PASSWORD)
    await c.get('/account')
    await c.post('/account/password', {
      currentPassword: make.PASSWORD,
      newPassword: 'Second#Pass42',
      newPasswordConfirmation: 'Second#Pass42',
    })
    await c.get('/account')
    await c.post('/account/password', {
      currentPassword: 'Second#Pass42',
      newPassword: 'Third#Pass42',
      newPasswordConfirmation: 'Third#Pass42',
    })
    await c.get('/account')
    const back = await c.post('/account/password', {
      currentPassword: 'Third#Pass42',
      newPassword: 'Second#Pass42',
      newPasswordConfirmation: 'Second#Pass42',
    })
    assert.equal(back.status, 302)
    assert.include((await c.get('/account')).text, '不能使用最近 5 次用过的密码')
  })
})

test.group('Two-factor authentication', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.teardown(() => app.container.restore(Clock))

  test('an administrator must set up a second factor; a used code is refused; a recovery code works once', async ({
    assert,
  }) => {
    const clock = new ManualClock()
    app.container.swap(Clock, () => clock)
    const admin = await make.user('admin')
    const c = new CookieClient(baseUrl())
    assert.equal(await c.logIn(admin.username, make.PASSWORD), '/login/second-factor')
    assert.equal((await c.get('/admin/users')).location, '/login')
    const setup = await c.get('/login/second-factor')
    const secret = setup.text.match(/data-totp-secret>([A-Z2-7]+)</)![1]
    const done = await c.post('/login/second-factor', { code: codeAt(secret, clock) })
    assert.equal(done.status, 200)
    const recovery = [...done.text.matchAll(/<li>([0-9a-f]{5}-[0-9a-f]{5})<\/li>/g)].map(
      (m) => m[1]
    )
    assert.lengthOf(recovery, 10)
    assert.equal((await c.get('/admin/users')).status, 200)

    // The same code again (another login within the same 30 s): refused.
    const replay = new CookieClient(baseUrl())
    assert.equal(await replay.logIn(admin.username, make.PASSWORD), '/login/second-factor')
    await replay.get('/login/second-factor')
    assert.equal(
      (await replay.post('/login/second-factor', { code: codeAt(secret, clock) })).location,
      '/login/second-factor'
    )
    assert.equal((await replay.get('/admin/users')).location, '/login')
    const refused = await AuditEvent.query()
      .where('action', 'auth.second_factor_failed')
      .where('actor_user_id', admin.id)
    assert.lengthOf(refused, 1)

    // Thirty seconds later a new code works.
    clock.advance({ seconds: 30 })
    assert.equal(
      (await replay.post('/login/second-factor', { code: codeAt(secret, clock) })).location,
      '/'
    )

    const lost = new CookieClient(baseUrl())
    await lost.logIn(admin.username, make.PASSWORD)
    await lost.get('/login/second-factor')
    assert.equal((await lost.post('/login/second-factor', { code: recovery[0] })).location, '/')
    const again = new CookieClient(baseUrl())
    await again.logIn(admin.username, make.PASSWORD)
    await again.get('/login/second-factor')
    assert.equal(
      (await again.post('/login/second-factor', { code: recovery[0] })).location,
      '/login/second-factor'
    )
  })

  test('two parallel logins with one code: only one gets in', async ({ assert }) => {
    const clock = new ManualClock()
    app.container.swap(Clock, () => clock)
    const admin = await make.user('admin')
    const factor = await app.container.make(SecondFactor)
    const { secret } = await factor.begin(admin)
    await factor.confirm(admin, codeAt(secret, clock))
    clock.advance({ seconds: 30 })
    const code = codeAt(secret, clock)
    const fresh = await User.findOrFail(admin.id)
    const results = await Promise.all([
      factor.verify(fresh, code),
      factor.verify(fresh, code),
      factor.verify(fresh, code),
    ])
    assert.deepEqual(results.filter(Boolean), ['code'])
  })

  test('other staff log in with a password alone unless they turned the second factor on', async ({
    assert,
  }) => {
    const user = await make.user('radiologist')
    const c = new CookieClient(baseUrl())
    assert.equal(await c.logIn(user.username, make.PASSWORD), '/')
  })
})
