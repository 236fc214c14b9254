import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import AuditEvent from '#models/audit_event'
import type User from '#models/user'
import type { Role } from '#app/access/roles'
import * as make from '#tests/support/fixtures'
import { studyFor } from '#tests/support/dicom'
import { apiToken, baseUrl, postDicom } from '#tests/support/http'
import { doctor } from '#tests/support/reading'

/*
| The request pipeline, seen from outside: every list filter accepts the form
| as a person leaves it, unknown addresses and refusals are styled pages (or
| JSON), and every outcome leaves one audit line with the same fields.
*/

const lastLine = (user: User, action: string) =>
  AuditEvent.query()
    .where('actor_user_id', user.id)
    .where('action', action)
    .orderBy('id', 'desc')
    .first()

async function userFor(role: Role | 'lead_radiologist'): Promise<User> {
  if (role === 'lead_radiologist') return doctor('senior')
  return make.user(role)
}

test.group('Filters submitted as a person leaves them', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  // Every list page with each filter left at 全部 / empty, exactly as the browser sends the form.
  const pages: Array<{ role: Role | 'lead_radiologist'; url: string }> = [
    { role: 'lead_radiologist', url: '/reading?modality=&institutionId=&priority=&status=&mine=' },
    { role: 'clinic_staff', url: '/exams?status=&modality=&priority=&search=' },
    { role: 'radiologist', url: '/exams?status=&modality=&priority=&institutionId=&search=' },
    { role: 'clinic_staff', url: '/exams?search=%E5%BC%A0' },
    {
      role: 'clinic_staff',
      url: '/critical-values?status=&institutionId=&findingId=&from=&to=&escalated=&search=',
    },
    {
      role: 'radiologist',
      url: '/critical-values/statistics?status=&institutionId=&findingId=&from=&to=',
    },
    {
      role: 'audit_admin',
      url: '/admin/audit?username=&action=&outcome=&targetType=&targetId=&from=&to=',
    },
    { role: 'admin', url: '/admin/users?institutionId=&role=&status=&search=' },
    { role: 'audit_admin', url: '/admin/audit/verify?from=&to=' },
    { role: 'admin', url: '/admin/catalogue?modality=&catalogue=&search=' },
    { role: 'clinic_staff', url: '/patients?search=' },
    { role: 'clinic_staff', url: '/unmatched?status=' },
    { role: 'admin', url: '/admin/critical-contacts?institutionId=' },
  ]
  for (const page of pages) {
    test(`${page.url} answers the page, not a validation error`, async ({ client, assert }) => {
      const user = await userFor(page.role)
      const response = await client.get(page.url).loginAs(user).redirects(0)
      assert.equal(
        response.status(),
        200,
        `${page.url} answered ${response.status()} ${response.header('location') ?? ''}`
      )
      assert.notInclude(response.text(), 'class="flash error"')
    })
  }

  test("a filter value that is wrong is refused with a message in the person's language, the page shown again without it", async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const refused = await client.get('/exams?modality=XX').loginAs(clinic).redirects(0)
    assert.equal(refused.status(), 302)
    assert.equal(refused.header('location'), '/exams')
    const api = await fetch(`${baseUrl()}/api/v1/exams?modality=XX`, {
      headers: { 'Authorization': `Bearer ${await apiToken(clinic)}`, 'Accept-Language': 'zh-CN' },
    })
    assert.equal(api.status, 422)
    const body = (await api.json()) as any
    assert.equal(body.errors[0].field, 'modality')
    assert.match(body.errors[0].message, /[\u4e00-\u9fff]/, 'the message is in Chinese')
  })

  test('a parameter given twice is refused with 422, never a 500', async ({ assert }) => {
    const clinic = await make.user('clinic_staff')
    const token = await apiToken(clinic)
    for (const path of [
      '/api/v1/exams?status=registered&status=signed',
      '/api/v1/exams?search[]=a',
      '/api/v1/patients?search=a&search=b',
    ]) {
      const response = await fetch(`${baseUrl()}${path}`, {
        headers: { Authorization: `Bearer ${token}` },
      })
      assert.equal(response.status, 422, path)
      assert.property((await response.json()) as any, 'errors')
    }
  })
})

test.group('Unknown addresses and refusals', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test("an unknown address answers the styled 404 page, logged in or not, in the person's language; JSON for the API", async ({
    client,
    assert,
  }) => {
    const anonymous = await client.get('/no-such-page').redirects(0)
    assert.equal(anonymous.status(), 404)
    assert.include(anonymous.text(), '未找到')
    assert.include(anonymous.text(), 'class="topbar"')
    assert.notMatch(anonymous.text(), /at .*\.(ts|js):\d+|csrfField|Error:/)

    const clinic = await make.user('clinic_staff')
    const english = await client
      .get('/exams/not-a-number/nothing')
      .loginAs(clinic)
      .cookie('locale', 'en')
      .redirects(0)
    assert.equal(english.status(), 404)
    assert.include(english.text(), 'Not found')

    const api = await fetch(`${baseUrl()}/api/v1/no-such-thing`, {
      headers: { Authorization: `Bearer ${await apiToken(clinic)}` },
    })
    assert.equal(api.status, 404)
    assert.deepEqual(((await api.json()) as any).errors[0].code, 'not_found')
  })

  test('a page the role may not open answers the styled, translated 403 page', async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const qc = await make.user('qc_officer')
    for (const [user, url] of [
      [clinic, '/storage'],
      [qc, '/patients'],
      [clinic, '/admin/staffing'],
    ] as const) {
      const zh = await client.get(url).loginAs(user).redirects(0)
      assert.equal(zh.status(), 403, url)
      assert.include(zh.text(), '无权访问')
      assert.include(zh.text(), 'class="topbar"')
      assert.notInclude(zh.text(), 'Access denied')
      const en = await client.get(url).loginAs(user).cookie('locale', 'en').redirects(0)
      assert.equal(en.status(), 403)
      assert.notMatch(en.text().replace(/<[^>]+>/g, ''), /无权访问/)
    }
  })
})

test.group('Every outcome audited the same way', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a list records its query (not its results), with who, role, institution, IP and request id', async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    await make.exam(clinic, 'DR')
    ;(await client.get('/exams?status=registered&search=%E5%BC%A0').loginAs(clinic)).assertStatus(
      200
    )
    const line = await lastLine(clinic, 'exam.search')
    assert.isNotNull(line)
    assert.equal(line!.outcome, 'success')
    assert.deepEqual((line!.details as any).query, { status: 'registered', search: '张' })
    assert.notProperty(line!.details as any, 'rows')
    assert.equal(line!.actorRole, 'clinic_staff')
    assert.equal(line!.actorInstitutionId, clinic.institutionId)
    assert.isNotNull(line!.ip)
    assert.isNotNull(line!.requestId)
  })

  test('a search of patients is audited with its query, through the page and the API alike', async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    ;(await client.get('/patients?search=%E6%9D%8E').loginAs(clinic)).assertStatus(200)
    assert.deepEqual(((await lastLine(clinic, 'patient.search'))!.details as any).query, {
      search: '李',
    })
    await fetch(`${baseUrl()}/api/v1/patients?search=%E7%8E%8B`, {
      headers: { Authorization: `Bearer ${await apiToken(clinic)}` },
    })
    const api = await lastLine(clinic, 'patient.search')
    assert.deepEqual(api!.details as any, { via: 'api', query: { search: '王' } })
  })

  test('the images of an exam are one audit line per session, not one per frame', async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    const token = await apiToken(clinic)
    const ids: string[] = []
    for (const file of studyFor(exam, clinicPatient, 1, 3).files) {
      ids.push(
        (await postDicom(`/api/v1/exams/${exam.accessionNumber}/images`, file.data, token)).body
          .files[0].orthancInstanceId
      )
    }
    const radiologist = await make.user('radiologist')
    await client.get(`/exams/${exam.id}/series`).loginAs(radiologist).accept('json')
    for (const id of ids) {
      ;(
        await client.get(`/exams/${exam.id}/instances/${id}/preview`).loginAs(radiologist)
      ).assertStatus(200)
      ;(
        await client.get(`/exams/${exam.id}/instances/${id}/frames/0/rendered`).loginAs(radiologist)
      ).assertStatus(200)
    }
    // Each japa request is its own session here; the API token is one "session" for the whole run.
    const viaToken = await apiToken(radiologist)
    for (const id of ids)
      await fetch(`${baseUrl()}/api/v1/exams/${exam.id}/instances/${id}/preview`, {
        headers: { Authorization: `Bearer ${viaToken}` },
      })
    const apiLines = await AuditEvent.query()
      .where('actor_user_id', radiologist.id)
      .where('action', 'exam.images.view')
      .whereRaw('details LIKE \'%"via":"api"%\'')
    assert.lengthOf(apiLines, 1)
    assert.equal(apiLines[0].targetId, String(exam.id))
  })

  // One refusal for a role per capability: the 403 (or the hidden record's 404) is a line with the use case's action.
  const refusals: Array<{
    capability: string
    role: Role
    method: 'GET' | 'POST'
    url: string
    action: string
    status: number
  }> = [
    {
      capability: 'intake',
      role: 'radiologist',
      method: 'GET',
      url: '/patients',
      action: 'patient.search',
      status: 403,
    },
    {
      capability: 'reading',
      role: 'clinic_staff',
      method: 'GET',
      url: '/reading',
      action: 'reading.queue',
      status: 403,
    },
    {
      capability: 'critical values',
      role: 'clinic_staff',
      method: 'GET',
      url: '/admin/critical-findings',
      action: 'admin.critical_finding.list',
      status: 403,
    },
    {
      capability: 'storage',
      role: 'clinic_staff',
      method: 'GET',
      url: '/storage',
      action: 'storage.dashboard',
      status: 403,
    },
    {
      capability: 'staffing',
      role: 'radiologist',
      method: 'GET',
      url: '/admin/staffing/plans',
      action: 'access.area',
      status: 403,
    },
    {
      capability: 'equipment',
      role: 'clinic_staff',
      method: 'GET',
      url: '/admin/equipment',
      action: 'access.area',
      status: 403,
    },
    {
      capability: 'administration',
      role: 'qc_officer',
      method: 'GET',
      url: '/admin/users',
      action: 'access.area',
      status: 403,
    },
    {
      capability: 'audit',
      role: 'clinic_staff',
      method: 'GET',
      url: '/admin/audit',
      action: 'audit.search',
      status: 403,
    },
    {
      capability: 'images',
      role: 'admin',
      method: 'GET',
      url: '/exams/{exam}/series',
      action: 'exam.images.view',
      status: 404,
    },
    {
      capability: 'reports',
      role: 'admin',
      method: 'GET',
      url: '/reports',
      action: 'report.list',
      status: 403,
    },
  ]
  for (const row of refusals) {
    test(`${row.capability}: ${row.role} on ${row.url} is refused (${row.status}) and audited`, async ({
      client,
      assert,
    }) => {
      const user = await make.user(row.role)
      const owner = await make.user('clinic_staff')
      const { exam } = await make.exam(owner, 'DR')
      const url = row.url.replace('{exam}', String(exam.id))
      const response =
        row.method === 'GET'
          ? await client.get(url).loginAs(user).redirects(0)
          : await client.post(url).loginAs(user).withCsrfToken().redirects(0)
      assert.equal(response.status(), row.status)
      const line = await lastLine(user, row.action)
      assert.isNotNull(line, `no ${row.action} line`)
      assert.equal(line!.outcome, 'denied')
      assert.equal((line!.details as any).status, row.status)
      assert.equal(line!.actorRole, row.role)
    })
  }

  test("another clinic's exam is answered like a missing one and audited with the exam it tried", async ({
    client,
    assert,
  }) => {
    const owner = await make.user('clinic_staff')
    const stranger = await make.user('clinic_staff')
    const { exam } = await make.exam(owner, 'DR')
    const foreign = await client.get(`/exams/${exam.id}`).loginAs(stranger)
    const missing = await client.get('/exams/999999999').loginAs(stranger)
    assert.equal(foreign.status(), 404)
    assert.equal(missing.status(), 404)
    const withoutTokens = (html: string) =>
      html.replace(/value='[^']*'/g, '').replace(/data-socket-ticket="[^"]*"/g, '')
    assert.equal(withoutTokens(foreign.text()), withoutTokens(missing.text()))
    const line = await AuditEvent.query()
      .where('actor_user_id', stranger.id)
      .where('action', 'exam.view')
      .where('target_id', String(exam.id))
      .firstOrFail()
    assert.equal(line.outcome, 'denied')
  })
})
