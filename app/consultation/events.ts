/*
| Consultation listens to the domain (app/platform/domain_events.ts): the
| specialty centres get an exam when its images arrive or a critical value is
| raised on it, and its report when signed (C 9.4). The share is a row first;
| the catch-up job (jobs.ts) covers an event that was lost.
*/
import app from '@adonisjs/core/services/app'
import emitter from '@adonisjs/core/services/emitter'
import logger from '@adonisjs/core/services/logger'

async function sharing() {
  const { SpecialtySharing } = await import('#app/consultation/services/specialty_sharing')
  return app.container.make(SpecialtySharing)
}

function quietly(what: string, work: () => Promise<unknown>) {
  return work().catch((error) =>
    logger.warn({ err: error }, `consultation: ${what} failed; the catch-up job will share it`)
  )
}

emitter.on('exam:images_received', ({ examId }) =>
  quietly('sharing on arrival', async () => (await sharing()).shareExam(examId))
)
emitter.on('critical_value:raised', ({ examId }) =>
  quietly('sharing on a critical value', async () => (await sharing()).shareExam(examId))
)
emitter.on('report:signed', ({ examId }) =>
  quietly('sharing the signed report', async () => (await sharing()).shareExam(examId))
)
