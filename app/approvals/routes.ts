import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const ApprovalsController = () => import('#app/approvals/controllers/approvals_controller')

router
  .group(() => {
    router.get('/approvals', [ApprovalsController, 'index']).as('approvals.index')
    router.get('/approvals/mine', [ApprovalsController, 'mine']).as('approvals.mine')
    router.post('/approvals/:id/approve', [ApprovalsController, 'approve']).as('approvals.approve')
    router.post('/approvals/:id/reject', [ApprovalsController, 'reject']).as('approvals.reject')
  })
  .use(middleware.auth())

router
  .group(() => {
    router.get('/approvals', [ApprovalsController, 'index'])
    router.get('/approvals/mine', [ApprovalsController, 'mine'])
    router.post('/approvals/:id/approve', [ApprovalsController, 'approve'])
    router.post('/approvals/:id/reject', [ApprovalsController, 'reject'])
  })
  .prefix('/api/v1')
  .use(middleware.auth({ guards: ['api'] }))
