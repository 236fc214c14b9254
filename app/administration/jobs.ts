import app from '@adonisjs/core/services/app'
import { scheduledJobs } from '#app/platform/scheduled_jobs'

scheduledJobs.register({
  // Orthanc accepts C-STORE only from the clinics' declared AE titles: keep its list equal to ours.
  name: 'administration.sync-dicom-senders',
  cron: '0 */5 * * * *',
  leaseMs: 60_000,
  run: async () => {
    const { DicomSenderDirectory } =
      await import('#app/administration/services/dicom_sender_directory')
    const directory = await app.container.make(DicomSenderDirectory)
    await directory.syncToOrthanc()
  },
})
