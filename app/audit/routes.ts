import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import '#app/audit/approvals'

const AuditController = () => import('#app/audit/controllers/audit_controller')

router
  .group(() => {
    router.get('/audit', [AuditController, 'index']).as('admin.audit.index')
    router.get('/audit/export', [AuditController, 'export']).as('admin.audit.export')
    router
      .post('/audit/export-requests', [AuditController, 'requestExport'])
      .as('admin.audit.export_request')
    router
      .get('/audit/exports/:id', [AuditController, 'approvedExport'])
      .where('id', /^\d+$/)
      .as('admin.audit.export_approved')
    router.get('/audit/verify', [AuditController, 'verify']).as('admin.audit.verify')
  })
  .prefix('/admin')
  .use(middleware.auth())
