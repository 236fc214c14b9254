import app from '@adonisjs/core/services/app'
import { scheduledJobs } from '#app/platform/scheduled_jobs'

scheduledJobs.register({
  // C 8.2.2: unacknowledged critical values escalate (10 min) and call for a telephone call (30 min).
  name: 'critical_values.escalate-unacknowledged',
  cron: '*/15 * * * * *',
  leaseMs: 60_000,
  run: async () => {
    const { CriticalValueEscalation } =
      await import('#app/critical_values/services/critical_value_escalation')
    const { Clock } = await import('#app/platform/clock')
    const escalation = await app.container.make(CriticalValueEscalation)
    await escalation.escalateUnacknowledged((await app.container.make(Clock)).now())
  },
})
