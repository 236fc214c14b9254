import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import '#app/critical_values/wiring'
import '#app/critical_values/approvals'

const CriticalValuesController = () =>
  import('#app/critical_values/controllers/critical_values_controller')
const CriticalValueActionsController = () =>
  import('#app/critical_values/controllers/critical_value_actions_controller')
const CriticalFindingsController = () =>
  import('#app/critical_values/controllers/critical_findings_controller')
const CriticalContactsController = () =>
  import('#app/critical_values/controllers/critical_contacts_controller')

router
  .group(() => {
    router.get('/critical-values', [CriticalValuesController, 'index']).as('critical_values.index')
    router
      .get('/critical-values/statistics', [CriticalValuesController, 'statistics'])
      .as('critical_values.statistics')
    router
      .get('/critical-values/export.csv', [CriticalValuesController, 'exportCsv'])
      .as('critical_values.export_csv')
    router
      .get('/critical-values/export.xlsx', [CriticalValuesController, 'exportXlsx'])
      .as('critical_values.export_xlsx')
    router
      .post('/critical-values/export-requests', [CriticalValuesController, 'requestExport'])
      .as('critical_values.export_request')
    router
      .get('/critical-values/exports/:id', [CriticalValuesController, 'approvedExport'])
      .where('id', /^\d+$/)
      .as('critical_values.export_approved')
    router
      .post('/critical-values/duty', [CriticalValueActionsController, 'ownDuty'])
      .as('critical_values.duty')
    router
      .get('/critical-values/:id', [CriticalValuesController, 'show'])
      .where('id', /^\d+$/)
      .as('critical_values.show')
    router
      .post('/critical-values/:id/acknowledge', [CriticalValueActionsController, 'acknowledge'])
      .where('id', /^\d+$/)
      .as('critical_values.acknowledge')
    router
      .post('/critical-values/:id/calls', [CriticalValueActionsController, 'recordCall'])
      .where('id', /^\d+$/)
      .as('critical_values.calls')
    router
      .post('/critical-values/:id/confirm', [CriticalValueActionsController, 'confirm'])
      .where('id', /^\d+$/)
      .as('critical_values.confirm')
    router
      .post('/critical-values/:id/withdraw', [CriticalValueActionsController, 'withdraw'])
      .where('id', /^\d+$/)
      .as('critical_values.withdraw')
    // Raised from the exam page now and from the report editor later (the same partial posts here).
    router
      .post('/exams/:id/critical-values', [CriticalValueActionsController, 'raise'])
      .as('critical_values.raise')

    router
      .get('/admin/critical-findings', [CriticalFindingsController, 'index'])
      .as('admin.critical_findings.index')
    router
      .post('/admin/critical-findings', [CriticalFindingsController, 'store'])
      .as('admin.critical_findings.store')
    router
      .post('/admin/critical-findings/policy', [CriticalFindingsController, 'policy'])
      .as('admin.critical_findings.policy')
    router
      .put('/admin/critical-findings/:id', [CriticalFindingsController, 'update'])
      .as('admin.critical_findings.update')
    router
      .get('/admin/critical-contacts', [CriticalContactsController, 'index'])
      .as('admin.critical_contacts.index')
    router
      .post('/admin/critical-contacts', [CriticalContactsController, 'update'])
      .as('admin.critical_contacts.update')
  })
  .use(middleware.auth())
