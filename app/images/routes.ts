import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const ImagesController = () => import('#app/images/controllers/images_controller')

router
  .group(() => {
    router.get('/exams/:id/series', [ImagesController, 'series']).as('exams.series')
    router
      .get('/exams/:id/instances/:instanceId/preview', [ImagesController, 'preview'])
      .as('exams.instances.preview')
    router
      .get('/exams/:id/instances/:instanceId/frames/:frame/rendered', [
        ImagesController,
        'rendered',
      ])
      .as('exams.instances.rendered')
  })
  .use(middleware.auth())

router
  .group(() => {
    router.get('/exams/:id/series', [ImagesController, 'series'])
    router.get('/exams/:id/instances/:instanceId/preview', [ImagesController, 'preview'])
    router.get('/exams/:id/instances/:instanceId/frames/:frame/rendered', [
      ImagesController,
      'rendered',
    ])
  })
  .prefix('/api/v1')
  .use(middleware.auth({ guards: ['api'] }))
