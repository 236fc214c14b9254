import app from '@adonisjs/core/services/app'
import { scheduledJobs } from '#app/platform/scheduled_jobs'

scheduledJobs.register({
  // C 8.2.4: queued pushes to the recognition platform, retried with back-off; missed events caught up.
  name: 'interoperability.push-recognition',
  cron: '0 * * * * *',
  leaseMs: 5 * 60_000,
  run: async () => {
    const { RecognitionPush } = await import('#app/interoperability/push/recognition_push')
    const push = await app.container.make(RecognitionPush)
    await push.catchUp()
    await push.deliverDue()
  },
})
