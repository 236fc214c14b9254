import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import encryption from '@adonisjs/core/services/encryption'
import imaging from '#config/imaging'
import StorageNode from '#models/storage_node'
import AuditEvent from '#models/audit_event'
import LegalHold from '#models/legal_hold'
import RetentionRun from '#models/retention_run'
import * as make from '#tests/support/fixtures'
import { apiToken } from '#tests/support/http'
import { unusedPort } from '#tests/support/storage'
import { approvePending } from '#tests/support/approvals'

/*
| The storage pages and API through HTTP: who may use them, what bad input
| gets, and that refusals change nothing and are audited.
*/

/** An address in the storage port range where nothing listens now: a node that is not running. */
let DOWN_URL = ''

const centre = () => ({
  name: make.unique('中心归档'),
  role: 'central',
  url: imaging.orthanc.url,
  username: imaging.orthanc.username,
  password: imaging.orthanc.password,
})

async function count() {
  return Number((await StorageNode.query().count('* as n'))[0].$extras.n)
}

test.group('Storage administration over HTTP', (group) => {
  group.setup(async () => {
    // A port nothing listens on, for a node that is down (the OS hands out a free one and takes it back).
    DOWN_URL = `http://127.0.0.1:${await unusedPort()}`
  })
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('an administrator registers the centre and a backup that is not running; the dashboard shows one up, one down', async ({
    client,
    assert,
  }) => {
    const admin = await make.user('admin')
    const form = centre()
    const first = await client
      .post('/storage/nodes')
      .form(form)
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    first.assertStatus(302)
    await approvePending()
    const node = await StorageNode.findByOrFail('name', form.name)
    assert.equal(node.status, 'up')
    // C 8.5: encrypted at rest, readable only through the app's key.
    assert.notInclude(node.passwordCipher, imaging.orthanc.password)
    assert.equal(
      encryption.decrypt(node.passwordCipher, 'storage-node-password'),
      imaging.orthanc.password
    )

    const backupName = make.unique('异地备份')
    const second = await client
      .post('/storage/nodes')
      .form({
        name: backupName,
        role: 'backup',
        url: DOWN_URL,
        username: 'imaging-app',
        password: 'whatever-1',
      })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    second.assertStatus(302)
    await approvePending()
    const backup = await StorageNode.findByOrFail('name', backupName)
    assert.equal(backup.status, 'down')

    const page = await client.get('/storage').loginAs(admin)
    page.assertStatus(200)
    assert.include(page.text(), `data-node="${form.name}" data-status="up"`)
    assert.include(page.text(), `data-node="${backupName}" data-status="down"`)
    assert.include(page.text(), '离线')
    const audited = await AuditEvent.query()
      .where('action', 'storage.node.register')
      .where('actor_user_id', admin.id)
    assert.lengthOf(audited, 2)
  })

  test('anyone but an administrator is refused (403), the attempt audited, nothing changed: {role}')
    .with([
      { role: 'clinic_staff' as const },
      { role: 'radiologist' as const },
      { role: 'qc_officer' as const },
    ])
    .run(async ({ client, assert }, { role }) => {
      const user = await make.user(role)
      const before = await count()
      ;(await client.get('/storage').loginAs(user)).assertStatus(403)
      ;(
        await client.post('/storage/nodes').form(centre()).loginAs(user).withCsrfToken()
      ).assertStatus(403)
      assert.equal(await count(), before)
      const denied = await AuditEvent.query()
        .where('action', 'like', 'storage.%')
        .where('outcome', 'denied')
        .where('actor_user_id', user.id)
      assert.lengthOf(denied, 2)
    })

  test('invalid input is refused with a message and changes nothing: {case}')
    .with([
      { case: 'not an http address', patch: { url: 'ftp://10.0.0.5/orthanc' }, field: 'url' },
      { case: 'no password', patch: { password: '' }, field: 'password' },
      { case: 'unknown role', patch: { role: 'cache' }, field: 'role' },
    ])
    .run(async ({ client, assert }, row) => {
      const admin = await make.user('admin')
      const before = await count()
      const response = await client
        .post('/api/v1/storage/nodes')
        .json({ ...centre(), ...row.patch })
        .bearerToken(await apiToken(admin))
      response.assertStatus(422)
      assert.equal(response.body().errors[0].field, row.field)
      assert.equal(await count(), before)
    })

  test('a rule of storage says no, audited with its code, nothing changed: {case}')
    .with([
      { case: 'credentials the node refuses', code: 'node_credentials_refused' },
      { case: 'a second centre', code: 'one_central_node' },
      { case: 'a member store without a clinic', code: 'member_needs_clinic' },
      { case: 'the same address twice', code: 'node_url_taken' },
    ])
    .run(async ({ client, assert }, row) => {
      const admin = await make.user('admin')
      const token = await apiToken(admin)
      if (row.code === 'one_central_node' || row.code === 'node_url_taken') {
        ;(
          await client.post('/api/v1/storage/nodes').json(centre()).bearerToken(token)
        ).assertStatus(202)
        await approvePending()
      }
      const bodies: Record<string, object> = {
        node_credentials_refused: { ...centre(), password: 'not-the-password' },
        one_central_node: { ...centre(), url: DOWN_URL },
        member_needs_clinic: { ...centre(), role: 'member', url: DOWN_URL },
        node_url_taken: { ...centre(), role: 'backup' },
      }
      const before = await count()
      const response = await client
        .post('/api/v1/storage/nodes')
        .json(bodies[row.code])
        .bearerToken(token)
      response.assertStatus(422)
      assert.equal(response.body().errors[0].code, row.code)
      assert.isString(response.body().errors[0].message)
      assert.equal(await count(), before)
      const refused = await AuditEvent.query()
        .where('action', 'storage.node.register')
        .where('outcome', 'refused')
        .where('actor_user_id', admin.id)
        .firstOrFail()
      assert.equal(refused.details!.code, row.code)
    })

  test('retention under 30 years for the centre is refused, audited, and the policy stays as it was', async ({
    client,
    assert,
  }) => {
    const admin = await make.user('admin')
    const token = await apiToken(admin)
    ;(await client.post('/api/v1/storage/nodes').json(centre()).bearerToken(token)).assertStatus(
      202
    )
    const id = (await approvePending())[0].resultId
    const response = await client
      .put(`/api/v1/storage/nodes/${id}/retention`)
      .json({ retentionYears: 29 })
      .bearerToken(token)
    response.assertStatus(422)
    assert.equal(response.body().errors[0].code, 'retention_below_minimum')
    assert.include(response.body().errors[0].message, '30')
    assert.equal((await StorageNode.findOrFail(id)).retentionYears, 30)
    const refused = await AuditEvent.query()
      .where('action', 'storage.retention.update')
      .where('outcome', 'refused')
      .firstOrFail()
    assert.equal(refused.targetId, String(id))

    // 35 is fine, and the change is audited with before and after.
    ;(
      await client
        .put(`/api/v1/storage/nodes/${id}/retention`)
        .json({ retentionYears: 35 })
        .bearerToken(token)
    ).assertStatus(200)
    assert.equal((await StorageNode.findOrFail(id)).retentionYears, 35)
    const changed = await AuditEvent.query()
      .where('action', 'storage.retention.update')
      .where('outcome', 'success')
      .firstOrFail()
    assert.deepInclude(changed.details as any, {
      before: { retentionYears: 30, keepsThirtyYears: false, retentionDryRun: true },
    })
  })

  test('a legal hold is placed and released with reasons; the replayed request is refused (409) and audited', async ({
    client,
    assert,
  }) => {
    const admin = await make.user('admin')
    const clinic = await make.user('clinic_staff')
    const { exam, patient } = await make.exam(clinic, 'CT')
    const token = await apiToken(admin)
    const body = { scope: 'patient', reference: exam.accessionNumber, reason: '医疗纠纷，封存影像' }

    const placed = await client.post('/api/v1/storage/holds').json(body).bearerToken(token)
    placed.assertStatus(201)
    const hold = await LegalHold.findOrFail(placed.body().holds[0])
    assert.equal(hold.patientId, patient.id)
    assert.equal(hold.placedById, admin.id)

    const replay = await client.post('/api/v1/storage/holds').json(body).bearerToken(token)
    replay.assertStatus(409)
    assert.equal(replay.body().errors[0].code, 'already_held')
    assert.lengthOf(await LegalHold.query().where('patient_id', patient.id), 1)
    assert.isNotNull(
      await AuditEvent.query()
        .where('action', 'storage.hold.place')
        .where('outcome', 'refused')
        .first()
    )

    const unknown = await client
      .post('/api/v1/storage/holds')
      .json({ ...body, reference: 'NO-SUCH-EXAM' })
      .bearerToken(token)
    unknown.assertStatus(422)
    assert.equal(unknown.body().errors[0].code, 'hold_target_unknown')

    const short = await client
      .post(`/api/v1/storage/holds/${hold.id}/release`)
      .json({ reason: 'ok' })
      .bearerToken(token)
    short.assertStatus(422)
    ;(
      await client
        .post(`/api/v1/storage/holds/${hold.id}/release`)
        .json({ reason: '纠纷已结案' })
        .bearerToken(token)
    ).assertStatus(200)
    await hold.refresh()
    assert.isNotNull(hold.releasedAt)
    const again = await client
      .post(`/api/v1/storage/holds/${hold.id}/release`)
      .json({ reason: '纠纷已结案' })
      .bearerToken(token)
    again.assertStatus(409)
    assert.equal(again.body().errors[0].code, 'hold_already_released')
    const clinicTry = await client
      .post('/api/v1/storage/holds')
      .json(body)
      .bearerToken(await apiToken(clinic))
    clinicTry.assertStatus(403)
  })

  test("the status API gives monitoring the dashboard's figures; other roles get 403", async ({
    client,
    assert,
  }) => {
    const admin = await make.user('admin')
    const token = await apiToken(admin)
    await client.post('/api/v1/storage/nodes').json(centre()).bearerToken(token)
    await approvePending()
    const response = await client.get('/api/v1/storage/status').bearerToken(token)
    response.assertStatus(200)
    const node = response.body().nodes.find((n: any) => n.role === 'central')
    assert.equal(node.status, 'up')
    assert.isNumber(node.diskUsedMb)
    assert.deepEqual(node.copies, { single: 0, copied: 0, verified: 0 })
    assert.equal(node.backlog.count, 0)
    assert.notProperty(node, 'passwordCipher')
    assert.property(response.body(), 'singleCopyAlerts')
    ;(
      await client
        .get('/api/v1/storage/status')
        .bearerToken(await apiToken(await make.user('radiologist')))
    ).assertStatus(403)
    ;(await client.get('/api/v1/storage/status')).assertStatus(401)
  })

  test("the retention page shows each node's policy and the next run's preview; a dry run now is recorded and audited", async ({
    client,
    assert,
  }) => {
    const admin = await make.user('admin')
    await client.post('/storage/nodes').form(centre()).loginAs(admin).withCsrfToken()
    await approvePending()
    const page = await client.get('/storage/retention').loginAs(admin)
    page.assertStatus(200)
    assert.include(page.text(), '不少于 30 年')
    const run = await client
      .post('/storage/retention/runs')
      .form({ dryRun: 'true' })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    run.assertStatus(302)
    const recorded = await RetentionRun.query().orderBy('id', 'desc').firstOrFail()
    assert.isTrue(recorded.dryRun)
    assert.equal(recorded.triggeredById, admin.id)
    assert.equal(run.header('location'), `/storage/retention/runs/${recorded.id}`)
    ;(await client.get(`/storage/retention/runs/${recorded.id}`).loginAs(admin)).assertStatus(200)
    assert.isNotNull(
      await AuditEvent.query()
        .where('action', 'storage.retention.run_requested')
        .where('actor_user_id', admin.id)
        .first()
    )
    ;(await client.get('/storage/holds').loginAs(admin)).assertStatus(200)
    ;(await client.get('/storage/nodes').loginAs(admin)).assertStatus(200)
    ;(await client.get('/storage/studies/999999').loginAs(admin)).assertStatus(404)
    ;(await client.get('/storage/studies/abc').loginAs(admin)).assertStatus(404)
  })
})
