import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import imaging from '#config/imaging'
import ArchivedStudy from '#models/archived_study'
import StudyCopy from '#models/study_copy'
import StorageTransfer from '#models/storage_transfer'
import StorageNode from '#models/storage_node'
import AuditEvent from '#models/audit_event'
import { Clock, ManualClock } from '#app/platform/clock'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { StorageNodeRegistry } from '#app/storage/services/storage_node_registry'
import { StudyCatalogue } from '#app/storage/services/study_catalogue'
import { Replication } from '#app/storage/services/replication'
import { CopyVerification } from '#app/storage/services/copy_verification'
import { StorageDashboard } from '#app/storage/services/storage_dashboard'
import { apiToken } from '#tests/support/http'
import * as make from '#tests/support/fixtures'
import { studyFor, syntheticStudy } from '#tests/support/dicom'
import { eventually } from '#tests/support/wait'
import {
  ExtraNodes,
  clientOf,
  storeStudy,
  corruptOnDisk,
  md5s,
  NODE_PASSWORD,
} from '#tests/support/storage'

/*
| Three real Orthanc processes: the centre (the suite's Orthanc), a member
| clinic's store and a backup site, both started here on the storage ports.
*/
const nodes = new ExtraNodes()

async function services(clock: ManualClock) {
  app.container.swap(Clock, () => clock)
  return {
    registry: await app.container.make(StorageNodeRegistry),
    catalogue: await app.container.make(StudyCatalogue),
    replication: await app.container.make(Replication),
    verification: await app.container.make(CopyVerification),
  }
}

/** Registers the three nodes, each reading its feed from now on (the suite's Orthanc holds other tests' studies). */
async function registerNodes(registry: StorageNodeRegistry) {
  const clinic = await make.user('clinic_staff')
  const central = await registry.register({
    name: make.unique('centre'),
    role: 'central',
    url: imaging.orthanc.url,
    // the other nodes reach the centre at the same address here (all on this machine): forwards go node to node
    peerUrl: imaging.orthanc.url,
    username: imaging.orthanc.username,
    password: imaging.orthanc.password,
    catalogueExisting: false,
  })
  const memberNode = await registry.register({
    name: make.unique('member'),
    role: 'member',
    institutionId: clinic.institutionId,
    url: nodes.member.url,
    username: 'imaging-app',
    password: NODE_PASSWORD,
    catalogueExisting: false,
  })
  const backupNode = await registry.register({
    name: make.unique('backup'),
    role: 'backup',
    url: nodes.backup.url,
    username: 'imaging-app',
    password: NODE_PASSWORD,
    catalogueExisting: false,
  })
  return { clinic, central, memberNode, backupNode }
}

const centreClient = () => app.container.make(OrthancClient)

/** Reads the feeds until these studies are catalogued (each becomes stable StableAge after its last instance). */
async function catalogued(catalogue: StudyCatalogue, orthancStudyIds: string[]) {
  await eventually(async () => {
    await catalogue.discover()
    return (
      (await ArchivedStudy.query().whereIn('orthanc_study_id', orthancStudyIds)).length ===
      orthancStudyIds.length
    )
  })
  return ArchivedStudy.query().whereIn('orthanc_study_id', orthancStudyIds)
}

test.group(
  'Storage: forwarding, replication and verification across three Orthanc nodes',
  (group) => {
    group.setup(async () => {
      await nodes.start()
      return () => nodes.stop()
    })
    group.each.setup(() => testUtils.db().withGlobalTransaction())
    group.each.teardown(() => app.container.restore(Clock))

    test('a study stored at a member site is forwarded to the centre, then copied to the backup; each copy verified by MD5', async ({
      assert,
      client,
    }) => {
      const clock = new ManualClock(DateTime.utc())
      const { registry, catalogue, replication } = await services(clock)
      const { clinic, central, memberNode, backupNode } = await registerNodes(registry)
      const { exam, clinicPatient } = await make.exam(clinic, 'CT', 'emergency')
      const study = studyFor(exam, clinicPatient, 2, 3)
      const orthancStudyId = await storeStudy(clientOf(nodes.member), study.files)

      // The member's feed reports the study once its modality has finished sending (StableAge).
      await catalogued(catalogue, [orthancStudyId])
      const archived = await ArchivedStudy.findByOrFail('orthanc_study_id', orthancStudyId)
      assert.equal(archived.originNodeId, memberNode.id)
      assert.equal(archived.examId, exam.id)
      assert.equal(archived.priority, 'emergency')
      assert.equal(archived.instanceCount, 6)
      assert.equal(archived.copyStatus, 'single')

      // Other tests' studies reach the suite's Orthanc too: only this one waits here.
      await StorageTransfer.query().whereNot('archived_study_id', archived.id).delete()
      const summary = await replication.drain()
      assert.equal(summary.verified, 2)

      const transfers = await StorageTransfer.query()
        .where('archived_study_id', archived.id)
        .orderBy('id')
      assert.deepEqual(
        transfers.map((t) => [t.targetNodeId, t.purpose, t.status, t.sourceNodeId, t.transport]),
        [
          // pushed by the member's Orthanc to the centre (the centre has a peer address)
          [central.id, 'forward', 'done', memberNode.id, 'direct'],
          // the backup's copy comes from the centre, not over the clinic's uplink again; relayed (no peer address)
          [backupNode.id, 'replicate', 'done', central.id, 'relay'],
        ]
      )
      // The member's Orthanc holds no peer declaration after the transfer.
      assert.deepEqual((await clientOf(nodes.member).http.get('/peers')).data, [])
      const copies = await StudyCopy.query().where('archived_study_id', archived.id)
      assert.lengthOf(copies, 3)
      assert.isTrue(
        copies.every((c) => c.state === 'verified' && c.manifestDigest === archived.manifestDigest)
      )
      await archived.refresh()
      assert.equal(archived.copyStatus, 'verified')
      assert.equal(archived.verifiedCopies, 3)
      assert.isNull(archived.singleCopySince)

      // Same instances, same MD5 as each Orthanc recorded it.
      const atMember = await md5s(clientOf(nodes.member), orthancStudyId)
      assert.lengthOf(Object.keys(atMember), 6)
      assert.deepEqual(await md5s(await centreClient(), orthancStudyId), atMember)
      assert.deepEqual(await md5s(clientOf(nodes.backup), orthancStudyId), atMember)

      // What the administrator sees.
      const admin = await make.user('admin')
      const page = await client.get(`/storage/studies/${archived.id}`).loginAs(admin)
      page.assertStatus(200)
      assert.include(page.text(), exam.accessionNumber)
      assert.equal(page.text().match(/copy-state-verified/g)?.length, 3)
      const status = (
        await client.get('/api/v1/storage/status').bearerToken(await apiToken(admin))
      ).body()
      const byName = Object.fromEntries(status.nodes.map((n: any) => [n.name, n]))
      for (const node of [central, memberNode, backupNode])
        assert.equal(byName[node.name].copies.verified, 1)
    })

    test('a study that reaches the centre is copied to the backup; the queue serves emergency, then routine, then bulk', async ({
      assert,
    }) => {
      const clock = new ManualClock(DateTime.utc())
      const { registry, catalogue, replication } = await services(clock)
      const { clinic, backupNode } = await registerNodes(registry)
      const centre = await centreClient()

      const routine = await make.exam(clinic, 'DR', 'routine')
      const emergency = await make.exam(clinic, 'DR', 'emergency')
      // No exam behind it and taken years ago: a back-fill.
      const old = syntheticStudy(
        {
          modality: 'DR',
          patientName: 'Li^Si',
          patientId: make.unique('OLD'),
          studyDate: '20190301',
        },
        1,
        1
      )
      const ids = {
        bulk: await storeStudy(centre, old.files),
        routine: await storeStudy(
          centre,
          studyFor(routine.exam, routine.clinicPatient, 1, 1).files
        ),
        emergency: await storeStudy(
          centre,
          studyFor(emergency.exam, emergency.clinicPatient, 1, 1).files
        ),
      }
      const ours = await catalogued(catalogue, Object.values(ids))
      // Other tests' studies reach the suite's Orthanc too: only these three wait here.
      await StorageTransfer.query()
        .whereNotIn(
          'archived_study_id',
          ours.map((s) => s.id)
        )
        .delete()

      const order = []
      for (let i = 0; i < 3; i++) {
        const claimed = (await replication.claimNext())!
        order.push([
          claimed.priority,
          (await ArchivedStudy.findOrFail(claimed.archivedStudyId)).orthancStudyId,
        ])
        await replication.runTransfer(claimed)
        assert.equal(claimed.targetNodeId, backupNode.id)
      }
      assert.deepEqual(order, [
        ['emergency', ids.emergency],
        ['routine', ids.routine],
        ['bulk', ids.bulk],
      ])
      for (const id of Object.values(ids)) {
        assert.deepEqual(await md5s(clientOf(nodes.backup), id), await md5s(centre, id))
        const archived = await ArchivedStudy.findByOrFail('orthanc_study_id', id)
        assert.equal(archived.copyStatus, 'verified')
      }
    })

    test('a stopped backup makes the queue grow and loses nothing; restarted, the queue drains', async ({
      assert,
    }) => {
      const clock = new ManualClock(DateTime.utc())
      const { registry, catalogue, replication } = await services(clock)
      const { clinic, backupNode } = await registerNodes(registry)
      const centre = await centreClient()
      const ids: string[] = []
      await nodes.backup.stop()
      try {
        for (let i = 0; i < 3; i++) {
          const { exam, clinicPatient } = await make.exam(clinic, 'DR')
          ids.push(await storeStudy(centre, studyFor(exam, clinicPatient, 1, 2).files))
        }
        await catalogued(catalogue, ids)
        const first = await replication.drain()
        assert.equal(first.verified, 0)
        await backupNode.refresh()
        assert.equal(backupNode.status, 'down')

        // More studies arrive while the backup is away: the queue grows, nothing is attempted in vain.
        const { exam, clinicPatient } = await make.exam(clinic, 'CT')
        ids.push(await storeStudy(centre, studyFor(exam, clinicPatient, 1, 3).files))
        const all = await catalogued(catalogue, ids)
        await StorageTransfer.query()
          .whereNotIn(
            'archived_study_id',
            all.map((s) => s.id)
          )
          .delete()
        const second = await replication.drain()
        assert.equal(second.attempted, 0)
        const waiting = await StorageTransfer.query()
          .where('target_node_id', backupNode.id)
          .where('status', 'queued')
        assert.lengthOf(waiting, 4)
        assert.isTrue(waiting.some((t) => t.attempts > 0 && t.lastError !== null))
        const backlog = await Replication.backlog(backupNode.id)
        assert.equal(backlog.count, 4)

        // A day later the studies still have a single verified copy: the dashboard raises the alert.
        const dashboard = await app.container.make(StorageDashboard)
        assert.equal((await dashboard.singleCopyAlerts()).total, 0)
        clock.advance({ hours: 25 })
        const alerts = await dashboard.singleCopyAlerts()
        assert.includeMembers(
          alerts.studies.map((s) => s.orthancStudyId),
          ids
        )
        const overview = await dashboard.overview()
        const waitingAtBackup = overview.nodes.find((o) => o.node.id === backupNode.id)!
        assert.equal(waitingAtBackup.node.status, 'down')
        assert.equal(waitingAtBackup.backlog.count, 4)
        assert.isAtLeast(waitingAtBackup.backlog.oldestAgeMinutes!, 25 * 60)
      } finally {
        await nodes.backup.start()
      }

      // Past the back-off and the down-node wait, the next cycle finds the backup up and drains.
      clock.advance({ minutes: 5 })
      const cycle = await replication.cycle()
      assert.isAtLeast(cycle.verified, 4)
      assert.equal((await Replication.backlog(backupNode.id)).count, 0)
      await backupNode.refresh()
      assert.equal(backupNode.status, 'up')
      for (const id of ids)
        assert.deepEqual(await md5s(clientOf(nodes.backup), id), await md5s(centre, id))
    })

    test('an instance missing on one node is found by verification and re-copied from a good one', async ({
      assert,
    }) => {
      const clock = new ManualClock(DateTime.utc())
      const { registry, catalogue, replication, verification } = await services(clock)
      const { clinic, central, memberNode } = await registerNodes(registry)
      const { exam, clinicPatient } = await make.exam(clinic, 'CT')
      const orthancStudyId = await storeStudy(
        clientOf(nodes.member),
        studyFor(exam, clinicPatient, 1, 4).files
      )
      await catalogued(catalogue, [orthancStudyId])
      await replication.drain()
      const centre = await centreClient()
      const before = await md5s(centre, orthancStudyId)

      // Someone deletes an instance at the centre behind the app's back.
      const lost = Object.keys(before)[2]
      await centre.deleteInstance(lost)
      clock.advance({ days: 31 })
      const tally = await verification.scrub({ olderThanDays: 30 })
      assert.isAtLeast(tally.damaged, 1)
      const centreCopy = await StudyCopy.query()
        .where('storage_node_id', central.id)
        .whereHas('study', (q) => q.where('orthanc_study_id', orthancStudyId))
        .firstOrFail()
      assert.equal(centreCopy.state, 'damaged')
      assert.match(centreCopy.problem!, /1 missing/)
      const repair = await StorageTransfer.query()
        .where('target_node_id', central.id)
        .where('purpose', 'repair')
        .where('status', 'queued')
        .firstOrFail()

      await replication.drain()
      await repair.refresh()
      assert.equal(repair.status, 'done')
      assert.equal(repair.instancesCopied, 1)
      await centreCopy.refresh()
      assert.equal(centreCopy.state, 'verified')
      assert.deepEqual(await md5s(centre, orthancStudyId), before)
      assert.deepEqual(await md5s(clientOf(nodes.member), orthancStudyId), before)
      const audited = await AuditEvent.query()
        .whereIn('action', ['storage.copy.damaged', 'storage.copy.repaired'])
        .where('target_id', String(centreCopy.archivedStudyId))
      assert.sameMembers(
        audited.map((a) => a.action),
        ['storage.copy.damaged', 'storage.copy.repaired']
      )
      assert.isAbove(memberNode.id, 0)
    })

    test("a file corrupted on the backup's disk is found by the deep check and replaced from the centre", async ({
      assert,
    }) => {
      const clock = new ManualClock(DateTime.utc())
      const { registry, catalogue, replication, verification } = await services(clock)
      const { clinic, backupNode } = await registerNodes(registry)
      const centre = await centreClient()
      const { exam, clinicPatient } = await make.exam(clinic, 'DR')
      const orthancStudyId = await storeStudy(centre, studyFor(exam, clinicPatient, 1, 2).files)
      await catalogued(catalogue, [orthancStudyId])
      await replication.drain()
      const backupClient = clientOf(nodes.backup)
      const rotten = (await backupClient.studyInstances(orthancStudyId))[0].ID
      await corruptOnDisk(nodes.backup, backupClient, rotten)
      assert.isFalse(await backupClient.verifyInstanceMd5(rotten))

      clock.advance({ days: 31 })
      const copy = await StudyCopy.query()
        .where('storage_node_id', backupNode.id)
        .whereHas('study', (q) => q.where('orthanc_study_id', orthancStudyId))
        .firstOrFail()
      assert.equal(await verification.verifyCopy(copy, { deep: true }), 'damaged')
      await replication.drain()
      await copy.refresh()
      assert.equal(copy.state, 'verified')
      assert.isTrue(await backupClient.verifyInstanceMd5(rotten))
      assert.deepEqual(await md5s(backupClient, orthancStudyId), await md5s(centre, orthancStudyId))
    })

    test('transfers to a node with a bandwidth cap are relayed through its token bucket and verified like any other', async ({
      assert,
    }) => {
      const clock = new ManualClock(DateTime.utc())
      const { registry, catalogue, replication } = await services(clock)
      const { clinic, backupNode } = await registerNodes(registry)
      // A peer address would allow node-to-node pushes; the cap (16 Mbit/s) means the app paces the bytes itself.
      backupNode.merge({ bandwidthLimitKbps: 16_000, peerUrl: nodes.backup.url })
      await backupNode.save()
      const centre = await centreClient()
      const { exam, clinicPatient } = await make.exam(clinic, 'DR')
      const orthancStudyId = await storeStudy(centre, studyFor(exam, clinicPatient, 1, 2).files)
      const [archived] = await catalogued(catalogue, [orthancStudyId])
      await StorageTransfer.query().whereNot('archived_study_id', archived.id).delete()
      await replication.drain()
      const transfer = await StorageTransfer.query()
        .where('archived_study_id', archived.id)
        .where('target_node_id', backupNode.id)
        .firstOrFail()
      assert.equal(transfer.status, 'done')
      assert.equal(transfer.transport, 'relay')
      assert.equal(transfer.instancesCopied, 2)
      assert.equal(transfer.bytesCopied, archived.totalBytes)
      assert.deepEqual(
        await md5s(clientOf(nodes.backup), orthancStudyId),
        await md5s(centre, orthancStudyId)
      )
    })

    test('a backup registered later receives the studies catalogued before it', async ({
      assert,
    }) => {
      const clock = new ManualClock(DateTime.utc())
      const { registry, catalogue, replication } = await services(clock)
      const { clinic, backupNode } = await registerNodes(registry)
      // The backup is retired while a study arrives: the study waits with a single verified copy.
      backupNode.active = false
      await backupNode.save()
      const centre = await centreClient()
      const { exam, clinicPatient } = await make.exam(clinic, 'DR')
      const orthancStudyId = await storeStudy(centre, studyFor(exam, clinicPatient, 1, 2).files)
      const [archived] = await catalogued(catalogue, [orthancStudyId])
      await replication.drain()
      await archived.refresh()
      assert.equal(archived.verifiedCopies, 1)
      assert.isNull(
        await StudyCopy.query()
          .where('archived_study_id', archived.id)
          .where('storage_node_id', backupNode.id)
          .first()
      )

      // Back in service: the next cycles' catch-up queues the back catalogue for it.
      backupNode.active = true
      await backupNode.save()
      clock.advance({ minutes: 11 })
      await replication.cycle()
      const copy = await StudyCopy.query()
        .where('archived_study_id', archived.id)
        .where('storage_node_id', backupNode.id)
        .firstOrFail()
      assert.equal(copy.state, 'verified')
      await archived.refresh()
      assert.equal(archived.copyStatus, 'verified')
      assert.deepEqual(
        await md5s(clientOf(nodes.backup), orthancStudyId),
        await md5s(centre, orthancStudyId)
      )
    })

    test('registering a node keeps its password encrypted and refuses credentials the node rejects', async ({
      assert,
    }) => {
      const clock = new ManualClock(DateTime.utc())
      const { registry } = await services(clock)
      const node = await registry.register({
        name: make.unique('bk'),
        role: 'backup',
        url: nodes.backup.url,
        username: 'imaging-app',
        password: NODE_PASSWORD,
        catalogueExisting: false,
      })
      const row = await StorageNode.findOrFail(node.id)
      assert.notInclude(row.passwordCipher, NODE_PASSWORD)
      assert.equal(row.status, 'up')
      assert.equal(row.orthancVersion, '1.10.1')
      await assert.rejects(
        () =>
          registry.register({
            name: make.unique('bk'),
            role: 'backup',
            url: nodes.member.url,
            username: 'imaging-app',
            password: 'wrong-password',
            catalogueExisting: false,
          }),
        /storage.nodes.credentials_refused/
      )
      assert.isNull(await StorageNode.findBy('url', nodes.member.url))
    })
  }
)
