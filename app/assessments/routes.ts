import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const QuartersController = () => import('#app/assessments/controllers/quarters_controller')
const TrainingController = () => import('#app/assessments/controllers/training_controller')
const RoundsController = () => import('#app/assessments/controllers/rounds_controller')
const WeightsController = () => import('#app/assessments/controllers/weights_controller')
const ActionsController = () => import('#app/assessments/controllers/actions_controller')
const SpotChecksController = () => import('#app/assessments/controllers/spot_checks_controller')
const BulletinsController = () => import('#app/assessments/controllers/bulletins_controller')

/** Pages and /api/v1 call the same controller methods; AssessmentPolicy decides who may. */
function assessmentRoutes() {
  router.get('/assessments', [QuartersController, 'index'])
  router.get('/assessments/clinics/:id', [QuartersController, 'clinic'])
  router.get('/assessments/records', [QuartersController, 'records'])
  router.post('/assessments/quarters/close', [QuartersController, 'close'])
  router.post('/assessments/quarters/correct', [QuartersController, 'correct'])

  router.get('/assessments/training', [TrainingController, 'index'])
  router.post('/assessments/training', [TrainingController, 'store'])
  router.get('/assessments/training/:id', [TrainingController, 'show'])
  router.put('/assessments/training/:id/attendance', [TrainingController, 'attendance'])
  router.post('/assessments/training/:id/sign-off', [TrainingController, 'signOff'])
  router.post('/assessments/training/:id/materials', [TrainingController, 'addMaterial'])
  router.get('/assessments/training/:id/materials/:materialId', [TrainingController, 'material'])
  router.get('/assessments/people/:id', [TrainingController, 'person'])

  router.get('/assessments/rounds', [RoundsController, 'index'])
  router.post('/assessments/rounds', [RoundsController, 'store'])
  router.get('/assessments/rounds/:id', [RoundsController, 'show'])
  router.put('/assessments/rounds/:id/scores', [RoundsController, 'scores'])

  router.get('/assessments/weights', [WeightsController, 'index'])
  router.post('/assessments/weights', [WeightsController, 'store'])

  router.get('/assessments/actions', [ActionsController, 'index'])
  router.post('/assessments/actions', [ActionsController, 'store'])
  router.post('/assessments/actions/:id/follow-ups', [ActionsController, 'followUp'])

  router.get('/assessments/spot-checks', [SpotChecksController, 'index'])
  router.post('/assessments/spot-checks', [SpotChecksController, 'store'])
  router.get('/assessments/spot-checks/:id', [SpotChecksController, 'show'])

  router.get('/assessments/bulletins', [BulletinsController, 'index'])
  router.post('/assessments/bulletins', [BulletinsController, 'draft'])
  router.get('/assessments/bulletins/:id', [BulletinsController, 'show'])
  router.get('/assessments/bulletins/:id/pdf', [BulletinsController, 'pdf'])
  router.post('/assessments/bulletins/:id/redraft', [BulletinsController, 'redraft'])
  router.post('/assessments/bulletins/:id/publish', [BulletinsController, 'publish'])
}

router.group(() => assessmentRoutes()).use(middleware.auth())
router
  .group(() => assessmentRoutes())
  .prefix('/api/v1')
  .use(middleware.auth({ guards: ['api'] }))
