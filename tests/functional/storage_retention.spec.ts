import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import imaging from '#config/imaging'
import ArchivedStudy from '#models/archived_study'
import StudyCopy from '#models/study_copy'
import RetentionDecision from '#models/retention_decision'
import AuditEvent from '#models/audit_event'
import type StorageNode from '#models/storage_node'
import { Clock, ManualClock } from '#app/platform/clock'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { StorageNodeRegistry } from '#app/storage/services/storage_node_registry'
import { StudyCatalogue } from '#app/storage/services/study_catalogue'
import { Replication } from '#app/storage/services/replication'
import { CopyVerification } from '#app/storage/services/copy_verification'
import { RetentionSweep } from '#app/storage/services/retention_sweep'
import { LegalHolds } from '#app/storage/services/legal_holds'
import * as make from '#tests/support/fixtures'
import { studyFor } from '#tests/support/dicom'
import { eventually } from '#tests/support/wait'
import { ExtraNodes, clientOf, storeStudy, md5s, NODE_PASSWORD } from '#tests/support/storage'

/*
| The retention rules at their boundaries (C 8.3.2), against three real
| Orthanc nodes: a member deletes a study only the day after its year is
| over, only when the centre and a backup hold verified copies, never under a
| legal hold; the centre, the backups and a "both keep 30 years" member never.
*/
const nodes = new ExtraNodes()

interface World {
  clock: ManualClock
  registry: StorageNodeRegistry
  catalogue: StudyCatalogue
  replication: Replication
  verification: CopyVerification
  sweep: RetentionSweep
  holds: LegalHolds
  central: StorageNode
  memberNode: StorageNode
  backupNode: StorageNode
  clinic: Awaited<ReturnType<typeof make.user>>
}

async function world(): Promise<World> {
  const clock = new ManualClock(DateTime.utc())
  app.container.swap(Clock, () => clock)
  const registry = await app.container.make(StorageNodeRegistry)
  const clinic = await make.user('clinic_staff')
  const common = { username: 'imaging-app', password: NODE_PASSWORD, catalogueExisting: false }
  const central = await registry.register({
    ...common,
    name: make.unique('centre'),
    role: 'central',
    url: imaging.orthanc.url,
    username: imaging.orthanc.username,
    password: imaging.orthanc.password,
  })
  const memberNode = await registry.register({
    ...common,
    name: make.unique('member'),
    role: 'member',
    institutionId: clinic.institutionId,
    url: nodes.member.url,
  })
  const backupNode = await registry.register({
    ...common,
    name: make.unique('backup'),
    role: 'backup',
    url: nodes.backup.url,
  })
  return {
    clock,
    registry,
    catalogue: await app.container.make(StudyCatalogue),
    replication: await app.container.make(Replication),
    verification: await app.container.make(CopyVerification),
    sweep: await app.container.make(RetentionSweep),
    holds: await app.container.make(LegalHolds),
    central,
    memberNode,
    backupNode,
    clinic,
  }
}

/** A clinic exam whose images are at the member store, forwarded and backed up, all verified. */
async function replicatedMemberStudy(w: World) {
  const { exam, clinicPatient, patient } = await make.exam(w.clinic, 'DR')
  const orthancStudyId = await storeStudy(
    clientOf(nodes.member),
    studyFor(exam, clinicPatient, 1, 2).files
  )
  await eventually(async () => {
    await w.catalogue.discover()
    return ArchivedStudy.findBy('orthanc_study_id', orthancStudyId)
  })
  await w.replication.drain()
  const study = await ArchivedStudy.findByOrFail('orthanc_study_id', orthancStudyId)
  if (study.copyStatus !== 'verified')
    throw new Error(`fixture: study not replicated (${study.copyStatus})`)
  return { study, exam, patient, orthancStudyId }
}

/** 03:00 hospital time on the day `years` (and `days`) after the exam date. */
function dayAfterExam(study: ArchivedStudy, years: number, days: number) {
  return study.examDate
    .setZone(imaging.displayTimezone, { keepLocalTime: true })
    .plus({ years, days })
    .set({ hour: 3 })
}

async function decisionsFor(study: ArchivedStudy, runId: number) {
  return RetentionDecision.query()
    .where('archived_study_id', study.id)
    .where('retention_run_id', runId)
    .preload('node')
}

const atMember = async (orthancStudyId: string) =>
  (
    await clientOf(nodes.member)
      .studyInstances(orthancStudyId)
      .catch(() => [])
  ).length

test.group('Storage retention', (group) => {
  group.setup(async () => {
    await nodes.start()
    return () => nodes.stop()
  })
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.teardown(() => app.container.restore(Clock))

  test('a member store deletes a study only from the day after its year, verified at the centre and a backup', async ({
    assert,
  }) => {
    const w = await world()
    await w.registry.setRetention(w.memberNode, { retentionYears: 1, retentionDryRun: false })
    const { study, orthancStudyId } = await replicatedMemberStudy(w)
    const centre = await app.container.make(OrthancClient)
    const before = await md5s(centre, orthancStudyId)

    for (const days of [-1, 0]) {
      w.clock.set(dayAfterExam(study, 1, days))
      const run = await w.sweep.run()
      assert.lengthOf(
        await decisionsFor(study, run.id),
        0,
        `${days} day(s) from the anniversary it is still within retention`
      )
      assert.equal(await atMember(orthancStudyId), 2)
    }

    w.clock.set(dayAfterExam(study, 1, 1))
    const run = await w.sweep.run()
    const [decision] = await decisionsFor(study, run.id)
    assert.equal(decision.storageNodeId, w.memberNode.id)
    assert.equal(decision.decision, 'deleted')
    assert.equal(decision.reason, 'past_retention_verified_elsewhere')
    assert.equal(decision.keepUntil.toISODate(), study.examDate.plus({ years: 1 }).toISODate())
    assert.equal(await atMember(orthancStudyId), 0)
    // Both other copies untouched.
    assert.deepEqual(await md5s(centre, orthancStudyId), before)
    assert.deepEqual(await md5s(clientOf(nodes.backup), orthancStudyId), before)
    const copy = await StudyCopy.query()
      .where('archived_study_id', study.id)
      .where('storage_node_id', w.memberNode.id)
      .firstOrFail()
    assert.equal(copy.state, 'deleted')
    await study.refresh()
    assert.equal(study.copyStatus, 'verified')
    assert.equal(study.verifiedCopies, 2)
    const audited = await AuditEvent.query()
      .where('action', 'storage.retention.delete')
      .where('target_id', String(study.id))
      .firstOrFail()
    assert.equal(audited.details!.node, w.memberNode.name)
    assert.isNotNull(
      await AuditEvent.query()
        .where('action', 'storage.retention.run')
        .where('target_id', String(run.id))
        .first()
    )

    // The next night there is nothing left to decide about that copy.
    w.clock.advance({ days: 1 })
    assert.lengthOf(await decisionsFor(study, (await w.sweep.run()).id), 0)
  })

  test('kept while the backup copy is not verified, and while a legal hold covers the patient', async ({
    assert,
  }) => {
    const w = await world()
    await w.registry.setRetention(w.memberNode, { retentionYears: 1, retentionDryRun: false })
    const { study, exam, orthancStudyId } = await replicatedMemberStudy(w)

    // The backup loses the study; verification finds it (a repair is queued but not yet run).
    await clientOf(nodes.backup).deleteStudy(orthancStudyId)
    const backupCopy = await StudyCopy.query()
      .where('archived_study_id', study.id)
      .where('storage_node_id', w.backupNode.id)
      .firstOrFail()
    assert.equal(await w.verification.verifyCopy(backupCopy), 'damaged')

    w.clock.set(dayAfterExam(study, 1, 1))
    let run = await w.sweep.run()
    let [decision] = await decisionsFor(study, run.id)
    assert.equal(decision.decision, 'kept')
    assert.equal(decision.reason, 'not_verified_at_backup')
    assert.equal(await atMember(orthancStudyId), 2)

    await w.replication.drain()
    await backupCopy.refresh()
    assert.equal(backupCopy.state, 'verified')

    const admin = await make.user('admin')
    const [hold] = await w.holds.place(admin, {
      scope: 'patient',
      reference: exam.accessionNumber,
      reason: '医疗纠纷，法院调取影像',
    })
    run = await w.sweep.run()
    ;[decision] = await decisionsFor(study, run.id)
    assert.equal(decision.decision, 'kept')
    assert.equal(decision.reason, 'legal_hold')
    assert.equal(await atMember(orthancStudyId), 2)

    await w.holds.release(hold, admin, '纠纷已结案')
    run = await w.sweep.run()
    ;[decision] = await decisionsFor(study, run.id)
    assert.equal(decision.decision, 'deleted')
    assert.equal(await atMember(orthancStudyId), 0)
    // Each change of decision is audited: not verified at backup → legal hold → deleted.
    const reasons = await AuditEvent.query()
      .whereIn('action', ['storage.retention.decision', 'storage.retention.delete'])
      .where('target_id', String(study.id))
      .orderBy('id')
    assert.deepEqual(
      reasons.map((a) => a.details!.reason ?? a.action),
      ['not_verified_at_backup', 'legal_hold', 'storage.retention.delete']
    )
  })

  test('a hold on the study itself stops deletion too, and a hold placed twice is refused', async ({
    assert,
  }) => {
    const w = await world()
    await w.registry.setRetention(w.memberNode, { retentionYears: 1, retentionDryRun: false })
    const { study, orthancStudyId } = await replicatedMemberStudy(w)
    const admin = await make.user('admin')
    await w.holds.place(admin, {
      scope: 'study',
      reference: study.studyInstanceUid,
      reason: '质控复核',
    })
    await assert.rejects(
      () =>
        w.holds.place(admin, { scope: 'study', reference: study.studyInstanceUid, reason: '再次' }),
      /already_held/
    )
    w.clock.set(dayAfterExam(study, 1, 1))
    const [decision] = await decisionsFor(study, (await w.sweep.run()).id)
    assert.equal(decision.reason, 'legal_hold')
    assert.equal(await atMember(orthancStudyId), 2)
  })

  test('the centre, the backup and a member in "both keep 30 years" mode never delete, before or after 30 years', async ({
    assert,
  }) => {
    const w = await world()
    await w.registry.setRetention(w.memberNode, {
      retentionYears: 30,
      keepsThirtyYears: true,
      retentionDryRun: false,
    })
    await w.registry.setRetention(w.central, { retentionYears: 30 })
    const { study, orthancStudyId } = await replicatedMemberStudy(w)

    for (const [years, days] of [
      [1, 1],
      [30, -1],
      [30, 0],
    ]) {
      w.clock.set(dayAfterExam(study, years, days))
      assert.lengthOf(
        await decisionsFor(study, (await w.sweep.run()).id),
        0,
        `${years} years ${days} days: within retention`
      )
    }
    w.clock.set(dayAfterExam(study, 30, 1))
    const decisions = await decisionsFor(study, (await w.sweep.run()).id)
    assert.sameMembers(
      decisions.map((d) => `${d.node.role}:${d.decision}:${d.reason}`),
      [
        'central:kept:permanent_archive',
        'member:kept:permanent_archive',
        'backup:kept:permanent_archive',
      ]
    )
    assert.equal(await atMember(orthancStudyId), 2)
    assert.lengthOf(
      await (await app.container.make(OrthancClient)).studyInstances(orthancStudyId),
      2
    )
  })

  test('a dry run records what it would delete and deletes nothing; the preview shows what the next run would do', async ({
    assert,
  }) => {
    const w = await world()
    // A new member store starts in dry-run mode.
    assert.isTrue(w.memberNode.retentionDryRun)
    const { study, orthancStudyId } = await replicatedMemberStudy(w)

    w.clock.set(dayAfterExam(study, 1, 0))
    const preview = await w.sweep.preview()
    assert.equal(
      preview.asOf.setZone(imaging.displayTimezone).toISODate(),
      study.examDate.plus({ years: 1, days: 1 }).toISODate()
    )
    const item = preview.items.find((i) => i.studyId === study.id)!
    assert.equal(item.decision, 'would_delete')
    assert.equal(item.node, w.memberNode.name)
    assert.equal(
      await RetentionDecision.query()
        .where('archived_study_id', study.id)
        .count('* as n')
        .then((r) => Number(r[0].$extras.n)),
      0
    )

    w.clock.set(dayAfterExam(study, 1, 1))
    let [decision] = await decisionsFor(study, (await w.sweep.run()).id)
    assert.equal(decision.decision, 'would_delete')
    assert.equal(await atMember(orthancStudyId), 2)

    // With the node's dry run off, an administrator's dry run still deletes nothing.
    await w.registry.setRetention(w.memberNode, { retentionYears: 1, retentionDryRun: false })
    const run = await w.sweep.run({ trigger: 'manual', dryRun: true })
    ;[decision] = await decisionsFor(study, run.id)
    assert.equal(decision.decision, 'would_delete')
    assert.isTrue(run.dryRun)
    assert.equal(await atMember(orthancStudyId), 2)
  })

  test('retention below the minimum is refused and changes nothing', async ({ assert }) => {
    const w = await world()
    await assert.rejects(
      () => w.registry.setRetention(w.central, { retentionYears: 29 }),
      /below_minimum_archive/
    )
    await assert.rejects(
      () => w.registry.setRetention(w.backupNode, { retentionYears: 10 }),
      /below_minimum_archive/
    )
    await assert.rejects(
      () => w.registry.setRetention(w.memberNode, { retentionYears: 0 }),
      /below_minimum_member/
    )
    await assert.rejects(
      () => w.registry.setRetention(w.memberNode, { retentionYears: 5, keepsThirtyYears: true }),
      /below_minimum_archive/
    )
    await w.central.refresh()
    await w.memberNode.refresh()
    assert.equal(w.central.retentionYears, 30)
    assert.equal(w.memberNode.retentionYears, 1)
    assert.isFalse(w.memberNode.keepsThirtyYears)
  })
})
