import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import imaging from '#config/imaging'
import ArchivedStudy from '#models/archived_study'
import StorageNode from '#models/storage_node'
import StorageTransfer from '#models/storage_transfer'
import AuditEvent from '#models/audit_event'
import Approval from '#app/approvals/approval'
import { Clock, ManualClock } from '#app/platform/clock'
import { StorageNodeRegistry } from '#app/storage/services/storage_node_registry'
import { StudyCatalogue } from '#app/storage/services/study_catalogue'
import { Replication } from '#app/storage/services/replication'
import * as make from '#tests/support/fixtures'
import { apiToken, baseUrl } from '#tests/support/http'
import { studyFor } from '#tests/support/dicom'
import { eventually } from '#tests/support/wait'
import { ExtraNodes, clientOf, storeStudy, NODE_PASSWORD } from '#tests/support/storage'

/*
| Two-person approval and the three administrators (MLPS 8.1.4.2). The attack this stops: a system
| administrator registers a "backup" node of their own and the replication cycle copies every clinic's
| images to it. The request now waits for the security administrator, and nothing is copied before.
*/
const nodes = new ExtraNodes()

async function api(method: string, path: string, token: string, body?: object) {
  const response = await fetch(baseUrl() + path, {
    method,
    headers: {
      'Authorization': `Bearer ${token}`,
      'Accept': 'application/json',
      'Content-Type': 'application/json',
    },
    body: body ? JSON.stringify(body) : undefined,
  })
  return { status: response.status, body: (await response.json().catch(() => null)) as any }
}

async function studiesOn(node: typeof nodes.backup) {
  return (await clientOf(node).http.get('/studies')).data as string[]
}

test.group('Two-person approval of storage nodes', (group) => {
  group.setup(async () => {
    await nodes.start()
    return () => nodes.stop()
  })
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.teardown(() => app.container.restore(Clock))

  test("a system administrator's new backup node does nothing until the security administrator approves; no image leaves before", async ({
    assert,
  }) => {
    const clock = new ManualClock(DateTime.utc())
    app.container.swap(Clock, () => clock)
    const registry = await app.container.make(StorageNodeRegistry)
    const catalogue = await app.container.make(StudyCatalogue)
    const replication = await app.container.make(Replication)
    const clinic = await make.user('clinic_staff')
    await registry.register({
      name: make.unique('centre'),
      role: 'central',
      url: imaging.orthanc.url,
      peerUrl: imaging.orthanc.url,
      username: imaging.orthanc.username,
      password: imaging.orthanc.password,
      catalogueExisting: false,
    })
    await registry.register({
      name: make.unique('member'),
      role: 'member',
      institutionId: clinic.institutionId,
      url: nodes.member.url,
      username: 'imaging-app',
      password: NODE_PASSWORD,
      catalogueExisting: false,
    })
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    const orthancStudyId = await storeStudy(
      clientOf(nodes.member),
      studyFor(exam, clinicPatient, 1, 2).files
    )
    await eventually(async () => {
      await catalogue.discover()
      return ArchivedStudy.findBy('orthanc_study_id', orthancStudyId)
    })
    const archived = await ArchivedStudy.findByOrFail('orthanc_study_id', orthancStudyId)
    await StorageTransfer.query().whereNot('archived_study_id', archived.id).delete()

    const sysadmin = await make.user('admin')
    const secadmin = await make.user('security_admin')
    const request = await api('POST', '/api/v1/storage/nodes', await apiToken(sysadmin), {
      name: make.unique('备份'),
      role: 'backup',
      url: nodes.backup.url,
      username: 'imaging-app',
      password: NODE_PASSWORD,
    })
    assert.equal(request.status, 202)
    const approvalId = request.body.approvalId
    assert.isNull(await StorageNode.findBy('url', nodes.backup.url))

    // The catch-up that plans every missing copy runs every few minutes: let it run.
    clock.advance({ minutes: 30 })
    await replication.cycle()
    await replication.drain()
    assert.deepEqual(await studiesOn(nodes.backup), [])
    assert.lengthOf(await StorageTransfer.query().where('purpose', 'replicate'), 0)

    // The requester cannot approve (not the security administrator), nor can anyone else but the security administrator.
    assert.equal(
      (await api('POST', `/api/v1/approvals/${approvalId}/approve`, await apiToken(sysadmin)))
        .status,
      403
    )
    assert.equal(
      (
        await api(
          'POST',
          `/api/v1/approvals/${approvalId}/approve`,
          await apiToken(await make.user('audit_admin'))
        )
      ).status,
      403
    )
    assert.deepEqual(await studiesOn(nodes.backup), [])

    const approved = await api(
      'POST',
      `/api/v1/approvals/${approvalId}/approve`,
      await apiToken(secadmin)
    )
    assert.equal(approved.status, 200)
    const backup = await StorageNode.findByOrFail('url', nodes.backup.url)
    assert.equal(approved.body.resultId, String(backup.id))
    assert.equal(
      (await api('POST', `/api/v1/approvals/${approvalId}/approve`, await apiToken(secadmin)))
        .status,
      409
    )

    clock.advance({ minutes: 30 })
    await replication.cycle()
    await replication.drain()
    assert.include(await studiesOn(nodes.backup), orthancStudyId)

    // Both steps audited: the request by the system administrator, the approval by the security administrator.
    assert.isNotNull(
      await AuditEvent.query()
        .where('action', 'storage.node.register')
        .where('actor_user_id', sysadmin.id)
        .where('target_id', String(approvalId))
        .first()
    )
    assert.isNotNull(
      await AuditEvent.query()
        .where('action', 'approval.approve')
        .where('outcome', 'success')
        .where('actor_user_id', secadmin.id)
        .where('target_id', String(approvalId))
        .first()
    )
    assert.lengthOf(
      await AuditEvent.query().where('action', 'approval.approve').where('outcome', 'denied'),
      2
    )
  })

  test('moving a node to another address waits for approval; a rejected request changes nothing', async ({
    assert,
  }) => {
    const registry = await app.container.make(StorageNodeRegistry)
    const node = await registry.register({
      name: make.unique('backup'),
      role: 'backup',
      url: nodes.backup.url,
      username: 'imaging-app',
      password: NODE_PASSWORD,
      catalogueExisting: false,
    })
    const sysadmin = await make.user('admin')
    const secadmin = await make.user('security_admin')
    const moved = await api('PUT', `/api/v1/storage/nodes/${node.id}`, await apiToken(sysadmin), {
      name: node.name,
      url: nodes.member.url,
      username: 'imaging-app',
      active: true,
    })
    assert.equal(moved.status, 200)
    await node.refresh()
    assert.equal(node.url, nodes.backup.url)
    const approval = await Approval.query()
      .where('kind', 'storage.node.change')
      .orderBy('id', 'desc')
      .firstOrFail()
    const rejected = await api(
      'POST',
      `/api/v1/approvals/${approval.id}/reject`,
      await apiToken(secadmin),
      { note: '未经报备' }
    )
    assert.equal(rejected.status, 200)
    await node.refresh()
    assert.equal(node.url, nodes.backup.url)
    await approval.refresh()
    assert.equal(approval.status, 'rejected')
    assert.equal(approval.decisionNote, '未经报备')
  })

  test("the security administrator's page lists what waits; the three administrators see only their own work", async ({
    client,
    assert,
  }) => {
    const sysadmin = await make.user('admin')
    await api('POST', '/api/v1/storage/nodes', await apiToken(sysadmin), {
      name: make.unique('备份'),
      role: 'backup',
      url: nodes.backup.url,
      username: 'imaging-app',
      password: NODE_PASSWORD,
    })
    const secadmin = await make.user('security_admin')
    const auditor = await make.user('audit_admin')
    const page = await client.get('/approvals').loginAs(secadmin)
    page.assertStatus(200)
    assert.include(page.text(), nodes.backup.url)
    assert.notInclude(page.text(), NODE_PASSWORD)
    ;(await client.get('/approvals').loginAs(sysadmin)).assertStatus(403)
    ;(await client.get('/approvals').loginAs(auditor)).assertStatus(403)
    ;(await client.get('/storage').loginAs(secadmin)).assertStatus(403)
    ;(await client.get('/storage').loginAs(auditor)).assertStatus(403)
    ;(await client.get('/admin/audit').loginAs(sysadmin)).assertStatus(403)
    ;(await client.get('/admin/audit').loginAs(secadmin)).assertStatus(403)
    ;(await client.get('/admin/audit').loginAs(auditor)).assertStatus(200)
    ;(await client.get('/admin/users').loginAs(auditor)).assertStatus(403)
  })
})
