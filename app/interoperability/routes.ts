import app from '@adonisjs/core/services/app'
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import logger from '@adonisjs/core/services/logger'
import { WorklistScp } from '#app/interoperability/worklist/worklist_scp'
import { worklistSettings } from '#app/interoperability/worklist/worklist_settings'

/*
| Interoperability: the modality worklist SCP for the clinics' devices (a DICOM
| port of its own, started with the web server), the FHIR R4 API, the push to
| the recognition platform.
*/

if (app.getEnvironment() === 'web') {
  const settings = worklistSettings()
  if (settings.port > 0) {
    const scp = new WorklistScp({ port: settings.port, aet: settings.aet })
    app.ready(async () => {
      await scp
        .start()
        .catch((error) =>
          logger.error(
            { err: error, port: settings.port },
            'the modality worklist SCP could not start'
          )
        )
    })
    app.terminating(() => scp.stop())
  }
}

const FhirController = () => import('#app/interoperability/controllers/fhir_controller')

// FHIR R4, read-only, for integration tokens with the fhir:read scope (errors are OperationOutcomes).
router.get('/fhir/r4/metadata', [FhirController, 'metadata'])
router
  .group(() => {
    router.get('/Binary/:id', [FhirController, 'binary'])
    router.get('/:type/:id', [FhirController, 'read'])
    router.get('/:type', [FhirController, 'search'])
    router.route('/*', ['POST', 'PUT', 'PATCH', 'DELETE'], [FhirController, 'write'])
  })
  .prefix('/fhir/r4')
  .use(middleware.auth({ guards: ['api'] }))

const InteroperabilityController = () =>
  import('#app/interoperability/controllers/interoperability_controller')

// The administrator: the recognition platform's endpoint and the delivery log.
router
  .group(() => {
    router
      .get('/admin/interoperability', [InteroperabilityController, 'index'])
      .as('interoperability.index')
    router
      .post('/admin/interoperability/push', [InteroperabilityController, 'save'])
      .as('interoperability.push.save')
    router
      .post('/admin/interoperability/deliveries/:id/retry', [InteroperabilityController, 'retry'])
      .as('interoperability.push.retry')
  })
  .use(middleware.auth())

const ExamCancellationController = () =>
  import('#app/interoperability/controllers/exam_cancellation_controller')

// A clinic withdraws an exam request before images arrive: it leaves the modality worklist.
router
  .post('/exams/:id/cancel', [ExamCancellationController, 'cancel'])
  .as('exams.cancel')
  .use(middleware.auth())
router
  .post('/api/v1/exams/:accession/cancel', [ExamCancellationController, 'cancel'])
  .use(middleware.auth({ guards: ['api'] }))
