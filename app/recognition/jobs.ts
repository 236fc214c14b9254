import app from '@adonisjs/core/services/app'
import imaging from '#config/imaging'
import { scheduledJobs } from '#app/platform/scheduled_jobs'

scheduledJobs.register(
  {
    // R 7.1: the data-quality rows of every clinic's last days, the upload times a lost event missed; then alerts.
    name: 'recognition.data-quality-rollup',
    cron: '0 20 1 * * *',
    timezone: imaging.displayTimezone,
    leaseMs: 30 * 60_000,
    run: async () => {
      const { DataQuality } = await import('#app/recognition/services/data_quality')
      const { Clock } = await import('#app/platform/clock')
      const clock = await app.container.make(Clock)
      const quality = await app.container.make(DataQuality)
      await quality.rollUp(3)
      await quality.alertBelowThreshold(
        clock.now().setZone(imaging.displayTimezone).minus({ days: 1 }).toFormat('yyyy-MM')
      )
    },
  },
  {
    // R 9.1: recognition kept up by QC — suspend an institution × modality whose quarter's pass rate fell.
    name: 'recognition.review-suspensions',
    cron: '0 40 1 * * *',
    timezone: imaging.displayTimezone,
    leaseMs: 10 * 60_000,
    run: async () => {
      const { RecognitionSuspensions } = await import('#app/recognition/services/suspensions')
      await (await app.container.make(RecognitionSuspensions)).review()
    },
  },
  {
    // H 四(四): on the 1st, last month's report for the health bureau, kept and downloadable.
    name: 'recognition.monthly-report',
    cron: '0 0 6 1 * *',
    timezone: imaging.displayTimezone,
    leaseMs: 10 * 60_000,
    run: async () => {
      const { generateMonthlyReport } =
        await import('#app/recognition/services/recognition_statistics')
      const { Clock } = await import('#app/platform/clock')
      const now = (await app.container.make(Clock)).now()
      await generateMonthlyReport(
        now.setZone(imaging.displayTimezone).minus({ months: 1 }).toFormat('yyyy-MM'),
        now
      )
    },
  }
)
