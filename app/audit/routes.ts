import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const AuditController = () => import('#app/audit/controllers/audit_controller')

router
  .group(() => {
    router.get('/audit', [AuditController, 'index']).as('admin.audit.index')
    router.get('/audit/export', [AuditController, 'export']).as('admin.audit.export')
    router.get('/audit/verify', [AuditController, 'verify']).as('admin.audit.verify')
  })
  .prefix('/admin')
  .use(middleware.auth())
