import app from '@adonisjs/core/services/app'
import imaging from '#config/imaging'
import { retentionCron } from '#app/storage/services/retention_schedule'

export interface ScheduledJob {
  name: string
  /** node-cron expression, seconds first when six fields */
  cron: string
  /** how long a run may hold the lease before another node may take over */
  leaseMs: number
  run: () => Promise<unknown>
}

/** Every capability's scheduled jobs, in one list. */
export function scheduledJobs(): ScheduledJob[] {
  return [
    {
      // The central Orthanc's /changes, read once and handed to every subscriber (intake, storage).
      name: 'orthanc.read-change-feed',
      cron: `*/${Math.max(1, Math.min(59, imaging.orthanc.pollSeconds))} * * * * *`,
      leaseMs: 60_000,
      run: async () => {
        const { DicomArrivals } = await import('#app/intake/services/dicom_arrivals')
        await (await app.container.make(DicomArrivals)).readFeed()
      },
    },
    {
      // Exams whose rows and Orthanc studies disagree are mended (also once at start-up).
      name: 'intake.reconcile-exams',
      cron: '20 */10 * * * *',
      leaseMs: 10 * 60_000,
      run: async () => {
        const { ExamReconciliation } = await import('#app/intake/services/exam_reconciliation')
        await (await app.container.make(ExamReconciliation)).reconcile()
      },
    },
    {
      name: 'administration.sync-dicom-senders',
      cron: '0 */5 * * * *',
      leaseMs: 60_000,
      run: async () => {
        const { DicomSenderDirectory } = await import('#app/administration/services/dicom_sender_directory')
        const directory = await app.container.make(DicomSenderDirectory)
        await directory.syncToOrthanc()
      },
    },
    {
      // C 8.2.2: unacknowledged critical values escalate (10 min) and call for a telephone call (30 min).
      name: 'critical_values.escalate-unacknowledged',
      cron: '*/15 * * * * *',
      leaseMs: 60_000,
      run: async () => {
        const { CriticalValueEscalation } = await import('#app/critical_values/services/critical_value_escalation')
        const { Clock } = await import('#app/platform/clock')
        const escalation = await app.container.make(CriticalValueEscalation)
        await escalation.escalateUnacknowledged((await app.container.make(Clock)).now())
      },
    },
    {
      name: 'audit.purge-expired',
      cron: '0 30 3 * * *',
      leaseMs: 30 * 60_000,
      run: async () => {
        const { AuditRetention } = await import('#app/audit/audit_retention')
        const retention = await app.container.make(AuditRetention)
        await retention.purgeExpired()
      },
    },
    {
      // C 8.3.2–8.3.3, C 8.2.1: find new studies on the centre and member stores, forward and back them up.
      name: 'storage.replicate',
      cron: '*/15 * * * * *',
      leaseMs: 15 * 60_000,
      run: async () => {
        const { Replication } = await import('#app/storage/services/replication')
        const replication = await app.container.make(Replication)
        await replication.cycle({ maxMs: 10 * 60_000 })
      },
    },
    {
      name: 'storage.check-nodes',
      cron: '30 * * * * *',
      leaseMs: 5 * 60_000,
      run: async () => {
        const { StorageNodeRegistry } = await import('#app/storage/services/storage_node_registry')
        const registry = await app.container.make(StorageNodeRegistry)
        await registry.checkAll()
      },
    },
    {
      // Re-verify the copies checked longest ago (instance list + MD5s; a deep re-read of the files on Sundays).
      name: 'storage.verify-copies',
      cron: '0 10 * * * *',
      leaseMs: 50 * 60_000,
      run: async () => {
        const { CopyVerification } = await import('#app/storage/services/copy_verification')
        const verification = await app.container.make(CopyVerification)
        await verification.scrub({ limit: 200, olderThanDays: 30, deep: new Date().getUTCDay() === 0 })
      },
    },
    {
      // C 8.3.2: the nightly retention job, 02:30 hospital time.
      name: 'storage.retention',
      cron: retentionCron(),
      leaseMs: 3 * 60 * 60_000,
      run: async () => {
        const { RetentionSweep } = await import('#app/storage/services/retention_sweep')
        const sweep = await app.container.make(RetentionSweep)
        await sweep.run({ trigger: 'schedule' })
      },
    },
  ]
}
