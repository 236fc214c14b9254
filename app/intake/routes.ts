import router from '@adonisjs/core/services/router'
import '#app/intake/wiring'
import { middleware } from '#start/kernel'

const PatientsController = () => import('#app/intake/controllers/patients_controller')
const ExamsController = () => import('#app/intake/controllers/exams_controller')
const ImageUploadsController = () => import('#app/intake/controllers/image_uploads_controller')
const UnmatchedStudiesController = () =>
  import('#app/intake/controllers/unmatched_studies_controller')
const ArrivalProblemsController = () =>
  import('#app/intake/controllers/arrival_problems_controller')

// The centre's administrators: arrivals the feed could not process, series held apart.
router
  .group(() => {
    router
      .get('/admin/arrival-problems', [ArrivalProblemsController, 'index'])
      .as('intake.arrival_problems')
    router
      .post('/admin/arrival-problems/:id/retry', [ArrivalProblemsController, 'retry'])
      .as('intake.arrival_problems.retry')
  })
  .use([middleware.auth(), middleware.role({ roles: ['admin'] })])

router
  .group(() => {
    router.get('/patients', [PatientsController, 'index']).as('patients.index')
    router.get('/patients/new', [PatientsController, 'create']).as('patients.create')
    router.post('/patients', [PatientsController, 'store']).as('patients.store')
    router.get('/patients/:id', [PatientsController, 'show']).as('patients.show')

    router.get('/exams', [ExamsController, 'index']).as('exams.index')
    router.get('/exams/new', [ExamsController, 'create']).as('exams.create')
    router.post('/exams', [ExamsController, 'store']).as('exams.store')
    router.get('/exams/:id', [ExamsController, 'show']).as('exams.show')
    // Streamed to Orthanc file by file: see config/bodyparser.ts processManually.
    router.post('/exams/:id/images', [ImageUploadsController, 'store']).as('exams.images.store')

    router.get('/unmatched', [UnmatchedStudiesController, 'index']).as('unmatched.index')
    router
      .post('/unmatched/:id/attach', [UnmatchedStudiesController, 'attach'])
      .as('unmatched.attach')
    router
      .post('/unmatched/:id/dismiss', [UnmatchedStudiesController, 'dismiss'])
      .as('unmatched.dismiss')
  })
  .use(middleware.auth())

router
  .group(() => {
    router.get('/exam-items', [ExamsController, 'items'])
    router.get('/patients', [PatientsController, 'index'])
    router.post('/patients', [PatientsController, 'store'])
    router.get('/exams', [ExamsController, 'index'])
    router.post('/exams', [ExamsController, 'store'])
    router.get('/exams/:accession', [ExamsController, 'show'])
    router.post('/exams/:accession/images', [ImageUploadsController, 'store'])
    router.get('/unmatched-studies', [UnmatchedStudiesController, 'index'])
    router.post('/unmatched-studies/:id/attach', [UnmatchedStudiesController, 'attach'])
    router.post('/unmatched-studies/:id/dismiss', [UnmatchedStudiesController, 'dismiss'])
  })
  .prefix('/api/v1')
  .use(middleware.auth({ guards: ['api'] }))
