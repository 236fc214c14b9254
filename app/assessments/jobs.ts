import app from '@adonisjs/core/services/app'
import imaging from '#config/imaging'
import { scheduledJobs } from '#app/platform/scheduled_jobs'

/** The job that drafts the past quarter's bulletin (exported so a test can run it as the scheduler does). */
export const draftQuarterlyBulletin = {
  // C 9.3 每季度通报质控数据: the past quarter's bulletin is drafted early on the first day of the quarter.
  name: 'assessments.draft-quarterly-bulletin',
  // Checked every morning rather than only on the first day, so a node that was down that day still drafts it (drafting is idempotent).
  cron: '0 15 6 * * *',
  timezone: imaging.displayTimezone,
  leaseMs: 10 * 60_000,
  run: async () => {
    const { QcBulletins } = await import('#app/assessments/services/qc_bulletin')
    const bulletins = await app.container.make(QcBulletins)
    return bulletins.draftForLastQuarter()
  },
}

scheduledJobs.register(draftQuarterlyBulletin)
