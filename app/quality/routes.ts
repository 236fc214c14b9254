import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import '#app/quality/wiring'

const QcFormsController = () => import('#app/quality/controllers/qc_forms_controller')
const QcSessionsController = () => import('#app/quality/controllers/qc_sessions_controller')
const GoldController = () => import('#app/quality/controllers/gold_controller')
const QcAdminController = () => import('#app/quality/controllers/qc_admin_controller')
const QcReportsController = () => import('#app/quality/controllers/qc_reports_controller')
const ReportSheetsController = () => import('#app/quality/controllers/report_sheets_controller')

const id = /^\d+$/

router
  .group(() => {
    router.get('/quality/exams/:id', [QcFormsController, 'show']).where('id', id).as('quality.form')
    router
      .post('/quality/exams/:id/scores', [QcFormsController, 'score'])
      .where('id', id)
      .as('quality.score')
    router
      .post('/quality/exams/:id/follow-ups', [QcFormsController, 'followUp'])
      .where('id', id)
      .as('quality.follow_up')
    router
      .post('/quality/exams/:id/gold', [GoldController, 'open'])
      .where('id', id)
      .as('quality.gold_open')

    router.get('/quality/sessions', [QcSessionsController, 'index']).as('quality.sessions')
    router.post('/quality/sessions', [QcSessionsController, 'store']).as('quality.sessions.store')
    router
      .get('/quality/sessions/:id', [QcSessionsController, 'show'])
      .where('id', id)
      .as('quality.session')
    router
      .post('/quality/sessions/:id/close', [QcSessionsController, 'close'])
      .where('id', id)
      .as('quality.session.close')

    router.get('/quality/gold', [GoldController, 'index']).as('quality.gold')
    router
      .get('/quality/gold/:id', [GoldController, 'show'])
      .where('id', id)
      .as('quality.gold.show')
    router
      .post('/quality/gold/:id/review', [GoldController, 'review'])
      .where('id', id)
      .as('quality.gold.review')
    router
      .post('/quality/gold/:id/arbiter', [GoldController, 'assignArbiter'])
      .where('id', id)
      .as('quality.gold.arbiter')

    router.get('/quality/reports', [QcReportsController, 'show']).as('quality.reports')
    router.get('/quality/reports.xlsx', [QcReportsController, 'xlsx']).as('quality.reports.xlsx')
    router.get('/quality/reports.pdf', [QcReportsController, 'pdf']).as('quality.reports.pdf')

    router.get('/quality/sheets', [ReportSheetsController, 'show']).as('quality.sheets')
    router.post('/quality/sheets', [ReportSheetsController, 'store']).as('quality.sheets.store')

    router.get('/quality/checklists', [QcAdminController, 'checklists']).as('quality.checklists')
    router
      .post('/quality/checklists/:item', [QcAdminController, 'reviseChecklist'])
      .as('quality.checklists.revise')
    router
      .post('/quality/permissions', [QcAdminController, 'permissions'])
      .as('quality.permissions')
    router.get('/quality/sampling', [QcAdminController, 'sampling']).as('quality.sampling')
    router.post('/quality/sampling', [QcAdminController, 'saveRule']).as('quality.sampling.store')
    router
      .post('/quality/sampling/:id/retire', [QcAdminController, 'retireRule'])
      .where('id', id)
      .as('quality.sampling.retire')
  })
  .use(middleware.auth())

router
  .group(() => {
    router.get('/quality/exams/:accession', [QcFormsController, 'show'])
    router.post('/quality/exams/:accession/scores', [QcFormsController, 'score'])
    router.post('/quality/exams/:accession/follow-ups', [QcFormsController, 'followUp'])
    router.post('/quality/exams/:accession/gold', [GoldController, 'open'])
    router.get('/quality/sessions', [QcSessionsController, 'index'])
    router.post('/quality/sessions', [QcSessionsController, 'store'])
    router.get('/quality/sessions/:id', [QcSessionsController, 'show']).where('id', id)
    router.post('/quality/sessions/:id/close', [QcSessionsController, 'close']).where('id', id)
    router.get('/quality/gold', [GoldController, 'index'])
    router.get('/quality/gold/:id', [GoldController, 'show']).where('id', id)
    router.post('/quality/gold/:id/review', [GoldController, 'review']).where('id', id)
    router.post('/quality/gold/:id/arbiter', [GoldController, 'assignArbiter']).where('id', id)
    router.get('/quality/reports', [QcReportsController, 'show'])
    router.get('/quality/reports.xlsx', [QcReportsController, 'xlsx'])
    router.get('/quality/reports.pdf', [QcReportsController, 'pdf'])
    router.get('/quality/sheets', [ReportSheetsController, 'show'])
    router.post('/quality/sheets', [ReportSheetsController, 'store'])
    router.get('/quality/checklists', [QcAdminController, 'checklists'])
    router.put('/quality/checklists/:item', [QcAdminController, 'reviseChecklist'])
    router.put('/quality/permissions', [QcAdminController, 'permissions'])
    router.get('/quality/sampling', [QcAdminController, 'sampling'])
    router.post('/quality/sampling', [QcAdminController, 'saveRule'])
    router.put('/quality/sampling/:id', [QcAdminController, 'saveRule']).where('id', id)
    router.post('/quality/sampling/:id/retire', [QcAdminController, 'retireRule']).where('id', id)
  })
  .prefix('/api/v1')
  .use(middleware.auth({ guards: ['api'] }))
