import emitter from '@adonisjs/core/services/emitter'
import logger from '@adonisjs/core/services/logger'
import app from '@adonisjs/core/services/app'
import { Clock } from '#app/platform/clock'
import { checkIntake } from '#app/quality/services/check_records'

/*
| Quality control listens to the domain (app/platform/domain_events.ts): when a
| study's images arrive its intake checks run (R 7.1.3 fields, body part and
| modality against the order, slices, upload within 1 h); they run again when
| the report is submitted, when every series is in. A lost event loses only
| promptness: the submission re-runs the checks.
*/
async function runIntakeChecks(examId: number) {
  try {
    const clock = await app.container.make(Clock)
    await checkIntake(examId, clock.now())
  } catch (error) {
    logger.warn({ err: error, examId }, 'automatic QC checks at intake failed')
  }
}

emitter.on('exam:images_received', ({ examId }) => runIntakeChecks(examId))
emitter.on('report:submitted', ({ examId }) => runIntakeChecks(examId))
