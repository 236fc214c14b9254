import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const ConsultationsController = () => import('#app/consultation/controllers/consultations_controller')

router
  .group(() => {
    router.get('/consultations', [ConsultationsController, 'index']).as('consultations.index')
    router.get('/exams/:id/consultations/new', [ConsultationsController, 'create']).where('id', /^\d+$/).as('consultations.new')
    router.post('/exams/:id/consultations', [ConsultationsController, 'store']).where('id', /^\d+$/).as('consultations.store')
    router.get('/consultations/:id', [ConsultationsController, 'show']).where('id', /^\d+$/).as('consultations.show')
    router.post('/consultations/:id/opinion', [ConsultationsController, 'answer']).where('id', /^\d+$/).as('consultations.answer')
    router.post('/consultations/:id/amend', [ConsultationsController, 'amend']).where('id', /^\d+$/).as('consultations.amend')
    router.post('/consultations/:id/take', [ConsultationsController, 'takeOver']).where('id', /^\d+$/).as('consultations.take')
    router.post('/consultations/:id/messages', [ConsultationsController, 'message']).where('id', /^\d+$/).as('consultations.messages')
  })
  .use(middleware.auth())

router
  .group(() => {
    router.get('/consultations', [ConsultationsController, 'index'])
    router.post('/exams/:accession/consultations', [ConsultationsController, 'store'])
    router.get('/consultations/:id', [ConsultationsController, 'show']).where('id', /^\d+$/)
    router.post('/consultations/:id/opinion', [ConsultationsController, 'answer']).where('id', /^\d+$/)
    router.post('/consultations/:id/amend', [ConsultationsController, 'amend']).where('id', /^\d+$/)
    router.post('/consultations/:id/take', [ConsultationsController, 'takeOver']).where('id', /^\d+$/)
    router.post('/consultations/:id/messages', [ConsultationsController, 'message']).where('id', /^\d+$/)
  })
  .prefix('/api/v1')
  .use(middleware.auth({ guards: ['api'] }))
