import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const DicomWebController = () => import('#app/viewer/controllers/dicomweb_controller')
const ViewerController = () => import('#app/viewer/controllers/viewer_controller')

/*
| The reading viewer (OHIF) and its DICOMweb, both behind the login. The proxy
| answers GET only: the viewer reads, it never stores (no STOW-RS). A bearer
| token works too, for machines the FHIR ImagingStudy endpoints point here.
*/
router
  .group(() => {
    router.get('/dicomweb/*', [DicomWebController, 'handle']).as('dicomweb')
  })
  .use(middleware.auth({ guards: ['web', 'api'] }))

router
  .group(() => {
    router.get('/exams/:id/viewer', [ViewerController, 'open']).as('exams.viewer')
    router.get('/viewer/app-config.js', [ViewerController, 'config']).as('viewer.config')
    router.get('/viewer', [ViewerController, 'serve']).as('viewer')
    router.get('/viewer/*', [ViewerController, 'serve']).as('viewer.files')
  })
  .use(middleware.auth())

router
  .get('/api/v1/exams/:id/viewer', [ViewerController, 'open'])
  .use(middleware.auth({ guards: ['api'] }))
