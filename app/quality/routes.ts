import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const QcFormsController = () => import('#app/quality/controllers/qc_forms_controller')

router
  .group(() => {
    router.get('/quality/exams/:id', [QcFormsController, 'show']).where('id', /^\d+$/).as('quality.form')
    router.post('/quality/exams/:id/scores', [QcFormsController, 'score']).where('id', /^\d+$/).as('quality.score')
    router.post('/quality/exams/:id/follow-ups', [QcFormsController, 'followUp']).where('id', /^\d+$/).as('quality.follow_up')
  })
  .use(middleware.auth())

router
  .group(() => {
    router.get('/quality/exams/:accession', [QcFormsController, 'show'])
    router.post('/quality/exams/:accession/scores', [QcFormsController, 'score'])
    router.post('/quality/exams/:accession/follow-ups', [QcFormsController, 'followUp'])
  })
  .prefix('/api/v1')
  .use(middleware.auth({ guards: ['api'] }))
