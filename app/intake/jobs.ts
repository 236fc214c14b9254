import app from '@adonisjs/core/services/app'
import imaging from '#config/imaging'
import { scheduledJobs } from '#app/platform/scheduled_jobs'

scheduledJobs.register({
  // Studies that clinics' devices send by C-STORE, read from Orthanc's change feed.
  name: 'intake.read-dicom-arrivals',
  cron: `*/${Math.max(1, Math.min(59, imaging.orthanc.pollSeconds))} * * * * *`,
  leaseMs: 60_000,
  run: async () => {
    const { DicomArrivals } = await import('#app/intake/services/dicom_arrivals')
    const arrivals = await app.container.make(DicomArrivals)
    await arrivals.readFeed()
  },
})
