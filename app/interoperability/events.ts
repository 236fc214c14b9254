import emitter from '@adonisjs/core/services/emitter'
import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'

/*
| C 8.2.4: a signed report of an eligible exam goes to the upper-level
| recognition platform. The listener queues it (a row first, so nothing is
| lost) and tries at once; the job in jobs.ts retries and catches up on
| versions whose event was missed.
*/
emitter.on('report:signed', async ({ examId, reportVersionId }) => {
  try {
    const { RecognitionPush } = await import('#app/interoperability/push/recognition_push')
    const push = await app.container.make(RecognitionPush)
    const delivery = await push.enqueue(examId, reportVersionId)
    const settings = delivery ? await push.settings() : null
    if (delivery && settings?.active) await push.attempt(delivery, settings)
  } catch (error) {
    logger.error(
      { err: error, examId, reportVersionId },
      'queuing the push of a signed report failed; the catch-up job will queue it'
    )
  }
})
