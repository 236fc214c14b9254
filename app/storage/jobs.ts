import app from '@adonisjs/core/services/app'
import { scheduledJobs } from '#app/platform/scheduled_jobs'
import { retentionCron } from '#app/storage/services/retention_schedule'

scheduledJobs.register(
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
      await verification.scrub({
        limit: 200,
        olderThanDays: 30,
        deep: new Date().getUTCDay() === 0,
      })
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
  }
)
