import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const RemindersController = () => import('#app/recognition/controllers/reminders_controller')

// Clinics: the earlier result a reminder offers (report and images).
router
  .group(() => {
    router.get('/recognition/earlier/:id', [RemindersController, 'show']).as('recognition.earlier')
    router.get('/recognition/earlier/:id/instances/:instanceId/preview', [RemindersController, 'preview']).as('recognition.earlier.preview')
  })
  .use(middleware.auth())

router
  .group(() => {
    router.get('/recognition/reminders', [RemindersController, 'index'])
    router.get('/recognition/earlier/:id', [RemindersController, 'show'])
  })
  .prefix('/api/v1')
  .use(middleware.auth({ guards: ['api'] }))
