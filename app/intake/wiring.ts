/*
| Wires intake into the shared machinery wherever the app runs (web server,
| tests, the bench): the central Orthanc's change feed hands every stable
| study to intake, which links it to its exam or lists it as unmatched.
| Imported by ./routes.ts, which every process that serves HTTP loads.
*/
import app from '@adonisjs/core/services/app'
import { subscribeToChanges, CENTRAL_FEED } from '#app/orthanc/change_feed'

subscribeToChanges({
  name: 'intake',
  changeTypes: ['StableStudy'],
  feeds: (feed) => feed === CENTRAL_FEED,
  async handle(change) {
    const { DicomArrivals } = await import('#app/intake/services/dicom_arrivals')
    const arrivals = await app.container.make(DicomArrivals)
    await arrivals.handleStableStudy(change.ID)
  },
})

// A start-up reconciliation on the node that runs jobs: a crash (power cut, kill) mid catch-up is mended at once.
app.ready(async () => {
  if (app.getEnvironment() !== 'web') return
  const { default: imaging } = await import('#config/imaging')
  if (!imaging.scheduler.enabled) return
  const { runExclusive } = await import('#app/platform/job_lease')
  const { ExamReconciliation } = await import('#app/intake/services/exam_reconciliation')
  const logger = (await import('@adonisjs/core/services/logger')).default
  runExclusive('intake.reconcile-exams', 10 * 60_000, async () =>
    (await app.container.make(ExamReconciliation)).reconcile()
  ).catch((error) =>
    logger.error(
      { err: error },
      'intake: start-up reconciliation failed; the periodic one will retry'
    )
  )
})
