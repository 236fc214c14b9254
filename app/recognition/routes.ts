import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const RemindersController = () => import('#app/recognition/controllers/reminders_controller')
const EligibilityController = () => import('#app/recognition/controllers/eligibility_controller')
const FiguresController = () => import('#app/recognition/controllers/figures_controller')
const ExternalResultsController = () =>
  import('#app/recognition/controllers/external_results_controller')
const CalendarController = () => import('#app/recognition/controllers/calendar_controller')

// Administrators: eligibility (R 6.2, R 6.4, H 一), fees, settings, suspensions (R 9.1).
router
  .group(() => {
    router.get('/recognition', [EligibilityController, 'index']).as('admin.recognition')
    router
      .post('/recognition/institutions/:id', [EligibilityController, 'updateInstitution'])
      .as('admin.recognition.institution')
    router
      .post('/recognition/evaluations', [EligibilityController, 'storeEvaluation'])
      .as('admin.recognition.evaluations')
    router
      .post('/recognition/catalogues', [EligibilityController, 'storeCatalogue'])
      .as('admin.recognition.catalogues')
    router.get('/recognition/fees', [EligibilityController, 'fees']).as('admin.recognition.fees')
    router
      .post('/recognition/fees', [EligibilityController, 'storeFee'])
      .as('admin.recognition.fees.store')
    router
      .post('/recognition/settings', [EligibilityController, 'updateSettings'])
      .as('admin.recognition.settings')
    router
      .post('/recognition/suspensions/:id/lift', [EligibilityController, 'liftSuspension'])
      .as('admin.recognition.suspensions.lift')
    // The working-day calendar of the continuity metric (R 7.1.5): public holidays and 调休 days.
    router
      .get('/recognition/calendar', [CalendarController, 'index'])
      .as('admin.recognition.calendar')
    router
      .post('/recognition/calendar', [CalendarController, 'store'])
      .as('admin.recognition.calendar.store')
    router
      .post('/recognition/calendar/:day/delete', [CalendarController, 'destroy'])
      .as('admin.recognition.calendar.destroy')
  })
  .prefix('/admin')
  .use([middleware.auth(), middleware.role({ roles: ['admin'] })])

router
  .group(() => {
    // Clinics: the earlier result a reminder offers (report and images).
    router.get('/recognition/earlier/:id', [RemindersController, 'show']).as('recognition.earlier')
    router
      .get('/recognition/earlier/:id/instances/:instanceId/preview', [
        RemindersController,
        'preview',
      ])
      .as('recognition.earlier.preview')
    // Figures: the centre sees every clinic, a clinic its own.
    router
      .get('/recognition/statistics', [FiguresController, 'statistics'])
      .as('recognition.statistics')
    router
      .get('/recognition/statistics.xlsx', [FiguresController, 'statisticsXlsx'])
      .as('recognition.statistics.xlsx')
    router
      .get('/recognition/reports/:id/xlsx', [FiguresController, 'monthlyReport'])
      .as('recognition.reports.download')
    router
      .get('/recognition/data-quality', [FiguresController, 'dataQuality'])
      .as('recognition.data_quality')
    router
      .get('/recognition/refusals', [FiguresController, 'refusalsIndex'])
      .as('recognition.refusals')
    router
      .post('/recognition/refusals', [FiguresController, 'storeRefusal'])
      .as('recognition.refusals.store')
    router
      .post('/recognition/notices/:id/read', [FiguresController, 'readNotice'])
      .as('recognition.notices.read')
    // Clinics: results received from outside the alliance's own exams (R 6.5).
    router
      .get('/recognition/external-results', [ExternalResultsController, 'index'])
      .as('recognition.external')
    router
      .post('/recognition/external-results', [ExternalResultsController, 'store'])
      .as('recognition.external.store')
  })
  .use(middleware.auth())

router
  .group(() => {
    router.get('/recognition/reminders', [RemindersController, 'index'])
    router.get('/recognition/earlier/:id', [RemindersController, 'show'])
    router.get('/recognition/statistics', [FiguresController, 'statistics'])
    router.get('/recognition/statistics.xlsx', [FiguresController, 'statisticsXlsx'])
    router.get('/recognition/reports/:id/xlsx', [FiguresController, 'monthlyReport'])
    router.get('/recognition/data-quality', [FiguresController, 'dataQuality'])
    router.get('/recognition/refusals', [FiguresController, 'refusalsIndex'])
    router.post('/recognition/refusals', [FiguresController, 'storeRefusal'])
    router.get('/recognition/external-results', [ExternalResultsController, 'index'])
    router.post('/recognition/external-results', [ExternalResultsController, 'store'])
    router.get('/recognition/eligibility', [EligibilityController, 'index'])
    router.put('/recognition/institutions/:id', [EligibilityController, 'updateInstitution'])
    router.post('/recognition/evaluations', [EligibilityController, 'storeEvaluation'])
    router.post('/recognition/catalogues', [EligibilityController, 'storeCatalogue'])
    router.get('/recognition/fees', [EligibilityController, 'fees'])
    router.post('/recognition/fees', [EligibilityController, 'storeFee'])
    router.put('/recognition/settings', [EligibilityController, 'updateSettings'])
    router.post('/recognition/suspensions/:id/lift', [EligibilityController, 'liftSuspension'])
    router.get('/recognition/calendar', [CalendarController, 'index'])
    router.put('/recognition/calendar', [CalendarController, 'store'])
    router.delete('/recognition/calendar/:day', [CalendarController, 'destroy'])
  })
  .prefix('/api/v1')
  .use(middleware.auth({ guards: ['api'] }))
