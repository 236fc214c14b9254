import app from '@adonisjs/core/services/app'
import { scheduledJobs } from '#app/platform/scheduled_jobs'

scheduledJobs.register({
  // C 8.5.4 / MLPS 8.1.4.1: an account whose end date passed (nobody acted) loses its open sockets within a
  // minute; its sessions and tokens are already refused at their next request (auth middleware).
  name: 'access.disconnect-unusable-accounts',
  cron: '0 * * * * *',
  leaseMs: 50_000,
  run: async () => {
    const { realtime } = await import('#app/realtime/realtime')
    const { Clock } = await import('#app/platform/clock')
    const clock = await app.container.make(Clock)
    await realtime.disconnectUnusable(clock.now())
  },
})
