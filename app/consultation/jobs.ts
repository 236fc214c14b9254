import app from '@adonisjs/core/services/app'
import { scheduledJobs } from '#app/platform/scheduled_jobs'

scheduledJobs.register({
  // C 4.2.3: an overdue consultation goes to the duty desk, then to the head of department, around the clock.
  name: 'consultation.escalate-overdue',
  cron: '*/15 * * * * *',
  leaseMs: 60_000,
  run: async () => {
    const { ConsultationEscalation } = await import('#app/consultation/services/consultation_escalation')
    const { Clock } = await import('#app/platform/clock')
    const escalation = await app.container.make(ConsultationEscalation)
    await escalation.escalateOverdue((await app.container.make(Clock)).now())
  },
})
