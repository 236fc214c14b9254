import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import AuditEvent from '#models/audit_event'
import * as make from '#tests/support/fixtures'
import { baseUrl } from '#tests/support/http'
import { CookieClient } from '#tests/support/sessions'
import { ownOrthanc } from '#tests/support/orthanc_node'

/*
| The rest of the findings: a forged X-Forwarded-For is not believed, clinical pages are not cached, HSTS
| only over HTTPS, array-shaped parameters answer 422, Orthanc's files are the owner's only.
*/
test.group('Transport and headers', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a clinic PC cannot forge the audited address with X-Forwarded-For (no proxy is trusted by default)', async ({
    assert,
  }) => {
    const user = await make.user('clinic_staff')
    const c = new CookieClient(baseUrl())
    await c.get('/login')
    await c.request(
      'POST',
      '/login',
      { username: user.username, password: make.PASSWORD },
      { 'x-forwarded-for': '10.9.9.9' }
    )
    const line = await AuditEvent.query()
      .where('action', 'auth.login')
      .where('actor_user_id', user.id)
      .firstOrFail()
    assert.notEqual(line.ip, '10.9.9.9')
  })

  test('clinical pages and exports carry Cache-Control: no-store; HSTS is not sent over plain HTTP', async ({
    assert,
  }) => {
    const user = await make.user('clinic_staff')
    const c = new CookieClient(baseUrl())
    await c.logIn(user.username, make.PASSWORD)
    for (const path of ['/exams', '/patients', '/account']) {
      const page = await c.get(path)
      assert.equal(page.status, 200, path)
      assert.include(page.headers.get('cache-control') ?? '', 'no-store', path)
      assert.isNull(page.headers.get('strict-transport-security'), path)
    }
  })

  test('a query parameter sent twice answers 422, not 500', async ({ assert }) => {
    const user = await make.user('clinic_staff')
    const c = new CookieClient(baseUrl())
    await c.logIn(user.username, make.PASSWORD)
    const page = await c.get('/exams?status=signed&status=registered', {
      accept: 'application/json',
    })
    assert.equal(page.status, 422)
  })

  test("Orthanc's configuration and storage are readable by their owner only", async ({
    assert,
  }) => {
    const node = await ownOrthanc('modes')
    try {
      const mode = (path: string) => statSync(path).mode & 0o777
      assert.equal(mode(join(node.home, 'orthanc.json')), 0o600)
      assert.equal(mode(join(node.home, 'storage')), 0o700)
      assert.equal(mode(node.home), 0o700)
    } finally {
      await node.stop()
    }
    assert.isTrue(app.inTest)
  })
})
