import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const CalculatorController = () => import('#app/staffing/controllers/calculator_controller')
const PlansController = () => import('#app/staffing/controllers/plans_controller')
const RatiosController = () => import('#app/staffing/controllers/ratios_controller')
const RosterController = () => import('#app/staffing/controllers/roster_controller')

router
  .group(() => {
    router.get('/staffing', [CalculatorController, 'calculate']).as('admin.staffing.calculator')

    router.get('/staffing/plans', [PlansController, 'index']).as('admin.staffing.plans.index')
    router.post('/staffing/plans', [PlansController, 'store']).as('admin.staffing.plans.store')
    router
      .get('/staffing/plans/compare', [PlansController, 'compare'])
      .as('admin.staffing.plans.compare')
    router
      .get('/staffing/plans/compare.xlsx', [PlansController, 'compareXlsx'])
      .as('admin.staffing.plans.compare_xlsx')
    router.get('/staffing/plans/:id', [PlansController, 'show']).as('admin.staffing.plans.show')
    router
      .get('/staffing/plans/:id/xlsx', [PlansController, 'xlsx'])
      .as('admin.staffing.plans.xlsx')
    router.get('/staffing/plans/:id/pdf', [PlansController, 'pdf']).as('admin.staffing.plans.pdf')
    router
      .delete('/staffing/plans/:id', [PlansController, 'destroy'])
      .as('admin.staffing.plans.destroy')

    router.get('/staffing/ratios', [RatiosController, 'index']).as('admin.staffing.ratios.index')
    router.post('/staffing/ratios', [RatiosController, 'store']).as('admin.staffing.ratios.store')

    router.get('/staffing/roster', [RosterController, 'index']).as('admin.staffing.roster.index')
    router
      .get('/staffing/roster/:institutionId', [RosterController, 'show'])
      .as('admin.staffing.roster.show')
    router.post('/staffing/staff', [RosterController, 'store']).as('admin.staffing.staff.store')
    router
      .get('/staffing/staff/:id/edit', [RosterController, 'edit'])
      .as('admin.staffing.staff.edit')
    router
      .put('/staffing/staff/:id', [RosterController, 'update'])
      .as('admin.staffing.staff.update')
    router
      .post('/staffing/staff/:id/certificates', [RosterController, 'storeCertificate'])
      .as('admin.staffing.certificates.store')
    router
      .put('/staffing/certificates/:id', [RosterController, 'updateCertificate'])
      .as('admin.staffing.certificates.update')
    router
      .delete('/staffing/certificates/:id', [RosterController, 'destroyCertificate'])
      .as('admin.staffing.certificates.destroy')
  })
  .prefix('/admin')
  .use([middleware.auth(), middleware.role({ roles: ['admin'] })])

router
  .group(() => {
    router.post('/staffing/calculations', [CalculatorController, 'calculate'])
    router.get('/staffing/ratios', [RatiosController, 'index'])
    router.get('/staffing/plans', [PlansController, 'index'])
    router.get('/staffing/plans/:id', [PlansController, 'show'])
  })
  .prefix('/api/v1')
  .use([middleware.auth({ guards: ['api'] }), middleware.role({ roles: ['admin'] })])
