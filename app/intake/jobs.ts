import app from '@adonisjs/core/services/app'
import imaging from '#config/imaging'
import { scheduledJobs } from '#app/platform/scheduled_jobs'

scheduledJobs.register(
  {
    // The central Orthanc's /changes, read once (app/orthanc/change_feed.ts) and handed to every subscriber:
    // intake links or lists each stable study, storage catalogues it.
    name: 'intake.read-change-feed',
    cron: `*/${Math.max(1, Math.min(59, imaging.orthanc.pollSeconds))} * * * * *`,
    leaseMs: 60_000,
    run: async () => {
      const { DicomArrivals } = await import('#app/intake/services/dicom_arrivals')
      await (await app.container.make(DicomArrivals)).readFeed()
    },
  },
  {
    // Exams whose rows and Orthanc studies disagree are mended (also once at start-up, see wiring.ts).
    name: 'intake.reconcile-exams',
    cron: '20 */10 * * * *',
    leaseMs: 10 * 60_000,
    run: async () => {
      const { ExamReconciliation } = await import('#app/intake/services/exam_reconciliation')
      await (await app.container.make(ExamReconciliation)).reconcile()
    },
  }
)
