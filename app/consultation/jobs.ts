import app from '@adonisjs/core/services/app'
import { scheduledJobs } from '#app/platform/scheduled_jobs'

scheduledJobs.register({
  // C 4.2.3: an overdue consultation goes to the duty desk, then to the head of department, around the clock.
  name: 'consultation.escalate-overdue',
  cron: '*/15 * * * * *',
  leaseMs: 60_000,
  run: async () => {
    const { ConsultationEscalation } =
      await import('#app/consultation/services/consultation_escalation')
    const { Clock } = await import('#app/platform/clock')
    const escalation = await app.container.make(ConsultationEscalation)
    await escalation.escalateOverdue((await app.container.make(Clock)).now())
  },
})

scheduledJobs.register({
  // C 9.4: a share whose event was lost (a crash between commit and listener) is made from the exams themselves.
  name: 'consultation.share-catch-up',
  cron: '30 * * * * *',
  leaseMs: 5 * 60_000,
  run: async () => {
    const { SpecialtySharing } = await import('#app/consultation/services/specialty_sharing')
    await (await app.container.make(SpecialtySharing)).catchUp()
  },
})

scheduledJobs.register({
  // C 4.2.3: an escalation whose study the storage queue has verified at the upper hospital is delivered there.
  name: 'consultation.upper-deliveries',
  cron: '*/15 * * * * *',
  leaseMs: 60_000,
  run: async () => {
    const { UpperEscalations } = await import('#app/consultation/services/upper_escalations')
    await (await app.container.make(UpperEscalations)).noteDeliveries()
  },
})
