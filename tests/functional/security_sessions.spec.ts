import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import { io as connect, type Socket } from 'socket.io-client'
import User from '#models/user'
import { Clock, ManualClock } from '#app/platform/clock'
import { StaffDirectory } from '#app/administration/services/staff_directory'
import securityConfig from '#config/security'
import * as make from '#tests/support/fixtures'
import { apiToken, baseUrl } from '#tests/support/http'
import { CookieClient, storedSession } from '#tests/support/sessions'
import { sessionCollection } from '#app/access/services/account_sessions'

/*
| Sessions that end (MLPS 8.1.4.1; ASVS 3.3): server-side sessions, every session, API token and socket of an
| account ended at once, tickets bound to the session, idle and absolute timeouts.
*/

function open(ticket: string) {
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect(baseUrl(), {
      auth: { ticket },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    })
    socket.once('connect', () => resolve(socket))
    socket.once('connect_error', (error) => {
      socket.close()
      reject(error)
    })
  })
}

/** Resolves when the server disconnects the socket, rejects after the deadline. */
function disconnected(socket: Socket, deadlineMs: number) {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`still connected after ${deadlineMs} ms`)),
      deadlineMs
    )
    socket.once('disconnect', (reason) => {
      clearTimeout(timer)
      resolve(reason)
    })
  })
}

const profile = (user: User) => ({
  institutionId: user.institutionId,
  fullName: user.fullName,
  role: user.role,
  title: user.title,
  status: user.status,
})

test.group('Sessions that end', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.teardown(() => app.container.restore(Clock))

  test('a copied session cookie stops working after logout', async ({ assert }) => {
    const user = await make.user('clinic_staff')
    const browser = new CookieClient(baseUrl())
    assert.equal(await browser.logIn(user.username, make.PASSWORD), '/')
    const stolen = browser.copy()
    assert.equal((await stolen.get('/exams')).status, 200)

    await browser.get('/account')
    const logout = await browser.post('/logout')
    assert.equal(logout.location, '/login')

    const replay = await stolen.get('/exams')
    assert.equal(replay.status, 302)
    assert.equal(replay.location, '/login')
    const api = await stolen.get('/api/v1/exams', { accept: 'application/json' })
    assert.equal(api.status, 401)
  })

  test('a socket ticket dies with its session: refused after logout, and the open socket is disconnected', async ({
    assert,
  }) => {
    const user = await make.user('clinic_staff')
    const browser = new CookieClient(baseUrl())
    await browser.logIn(user.username, make.PASSWORD)
    const ticket = await browser.ticket()
    const socket = await open(ticket)
    const gone = disconnected(socket, 1000)
    await browser.post('/logout')
    assert.equal(await gone, 'io server disconnect')
    await assert.rejects(() => open(ticket), /unauthorised/)
  })

  test('locking an account disconnects its socket within a second and ends its sessions and API tokens', async ({
    assert,
  }) => {
    const admin = await make.user('admin')
    const user = await make.user('clinic_staff')
    const browser = new CookieClient(baseUrl())
    await browser.logIn(user.username, make.PASSWORD)
    const token = await apiToken(user)
    const { ticket } = await storedSession(user)
    const socket = await open(ticket)
    try {
      const gone = disconnected(socket, 1000)
      await new StaffDirectory().update(user, { ...profile(user), status: 'locked' }, admin)
      assert.equal(await gone, 'io server disconnect')
    } finally {
      socket.close()
    }
    assert.equal((await browser.get('/exams')).location, '/login')
    const api = await fetch(`${baseUrl()}/api/v1/exams`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
    })
    assert.equal(api.status, 401)
    await assert.rejects(() => open(ticket), /unauthorised/)
  })

  test('a role change by an administrator ends every session of the account; an unchanged save ends none', async ({
    assert,
  }) => {
    const admin = await make.user('admin')
    const user = await make.user('radiologist')
    const one = new CookieClient(baseUrl())
    const two = new CookieClient(baseUrl())
    await one.logIn(user.username, make.PASSWORD)
    await two.logIn(user.username, make.PASSWORD)
    await new StaffDirectory().update(user, { ...profile(user), fullName: '改名' }, admin)
    assert.equal((await one.get('/account')).status, 200)
    await new StaffDirectory().update(
      user,
      { ...profile(user), role: 'qc_officer', title: 'intermediate' },
      admin
    )
    assert.equal((await one.get('/account')).location, '/login')
    assert.equal((await two.get('/account')).location, '/login')
  })

  test("changing one's password ends the other sessions and tokens, and keeps this one", async ({
    assert,
  }) => {
    const user = await make.user('clinic_staff')
    const here = new CookieClient(baseUrl())
    const elsewhere = new CookieClient(baseUrl())
    await here.logIn(user.username, make.PASSWORD)
    await elsewhere.logIn(user.username, make.PASSWORD)
    const token = await apiToken(user)
    await here.get('/account')
    const changed = await here.post('/account/password', {
      currentPassword: make.PASSWORD,
      newPassword: 'Another#Pass42',
      newPasswordConfirmation: 'Another#Pass42',
    })
    assert.equal(changed.status, 302)
    assert.equal((await here.get('/account')).status, 200)
    assert.equal((await elsewhere.get('/account')).location, '/login')
    const api = await fetch(`${baseUrl()}/api/v1/exams`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
    })
    assert.equal(api.status, 401)
  })

  test('a session unused for the idle timeout ends; a busy one ends at the absolute timeout', async ({
    assert,
  }) => {
    const clock = new ManualClock()
    app.container.swap(Clock, () => clock)
    const user = await make.user('clinic_staff')
    const idle = new CookieClient(baseUrl())
    await idle.logIn(user.username, make.PASSWORD)
    clock.advance({ minutes: securityConfig.session.idleMinutes - 1 })
    assert.equal((await idle.get('/account')).status, 200)
    clock.advance({ minutes: securityConfig.session.idleMinutes + 1 })
    const ended = await idle.get('/account')
    assert.equal(ended.location, '/login')
    assert.include((await idle.get('/login')).text, '自动退出')

    const busy = new CookieClient(baseUrl())
    await busy.logIn(user.username, make.PASSWORD)
    const stepMinutes = securityConfig.session.idleMinutes - 5
    let minutes = 0
    while (minutes + stepMinutes < securityConfig.session.absoluteHours * 60) {
      clock.advance({ minutes: stepMinutes })
      minutes += stepMinutes
      assert.equal((await busy.get('/account')).status, 200, `after ${minutes} minutes`)
    }
    clock.advance({ minutes: stepMinutes })
    assert.equal((await busy.get('/account')).location, '/login')
  })

  test('sessions live in the server-side store, tagged with their account, not in the cookie', async ({
    assert,
  }) => {
    const user = await make.user('clinic_staff')
    const browser = new CookieClient(baseUrl())
    await browser.logIn(user.username, make.PASSWORD)
    const rows = await (await sessionCollection()).tagged(String(user.id))
    assert.lengthOf(rows, 1)
    const cookie = browser.cookies.get('imaging-session')!
    // The signed cookie carries the session id and nothing else.
    const signed = decodeURIComponent(cookie).replace(/^s:/, '').split('.')[0]
    assert.equal(JSON.parse(Buffer.from(signed, 'base64url').toString()).message, rows[0].id)
  })
})
