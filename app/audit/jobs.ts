import app from '@adonisjs/core/services/app'
import { scheduledJobs } from '#app/platform/scheduled_jobs'

scheduledJobs.register({
  // C 8.3.4: lines past the retention period (never under 184 days) are removed at night.
  name: 'audit.purge-expired',
  cron: '0 30 3 * * *',
  leaseMs: 30 * 60_000,
  run: async () => {
    const { AuditRetention } = await import('#app/audit/audit_retention')
    const retention = await app.container.make(AuditRetention)
    await retention.purgeExpired()
  },
})

scheduledJobs.register({
  // MLPS 8.1.4.3 c: yesterday's audit chain is verified every night; a break is itself an audit line
  // (outcome failed) that the audit administrator's page shows.
  name: 'audit.verify-chain',
  cron: '0 10 2 * * *',
  leaseMs: 30 * 60_000,
  run: async () => {
    const { AuditVerification } = await import('#app/audit/audit_verification')
    const verification = await app.container.make(AuditVerification)
    await verification.verifyYesterday()
  },
})
