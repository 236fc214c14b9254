import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const QueueController = () => import('#app/reading/controllers/queue_controller')
const WorkspaceController = () => import('#app/reading/controllers/workspace_controller')
const SignOffController = () => import('#app/reading/controllers/sign_off_controller')
const ReportsController = () => import('#app/reading/controllers/reports_controller')
const TemplatesController = () => import('#app/reading/controllers/templates_controller')
const ReadingSettingsController = () =>
  import('#app/reading/controllers/reading_settings_controller')

router
  .group(() => {
    router.get('/reading', [QueueController, 'index']).as('reading.queue')
    router.get('/reading/exams/:id', [WorkspaceController, 'show']).as('reading.exam')
    router.post('/reading/exams/:id/claim', [SignOffController, 'claim']).as('reading.claim')
    router.post('/reading/exams/:id/release', [SignOffController, 'release']).as('reading.release')
    router
      .post('/reading/exams/:id/reassign', [SignOffController, 'reassign'])
      .as('reading.reassign')
    router.post('/reading/exams/:id/draft', [SignOffController, 'draft']).as('reading.draft')
    router.post('/reading/exams/:id/submit', [SignOffController, 'submit']).as('reading.submit')
    router.post('/reading/exams/:id/sign', [SignOffController, 'sign']).as('reading.sign')
    router
      .post('/reading/exams/:id/return', [SignOffController, 'returnToAuthor'])
      .as('reading.return')
    router.post('/reading/exams/:id/amend', [SignOffController, 'amend']).as('reading.amend')

    router.get('/reading/templates', [TemplatesController, 'index']).as('reading.templates')
    router
      .post('/reading/templates', [TemplatesController, 'storeTemplate'])
      .as('reading.templates.store')
    router
      .post('/reading/templates/starter', [TemplatesController, 'loadStarter'])
      .as('reading.templates.starter')
    router
      .put('/reading/templates/:id', [TemplatesController, 'updateTemplate'])
      .as('reading.templates.update')
    router
      .post('/reading/templates/:id/toggle', [TemplatesController, 'toggleTemplate'])
      .as('reading.templates.toggle')
    router
      .post('/reading/phrases', [TemplatesController, 'storePhrase'])
      .as('reading.phrases.store')
    router
      .post('/reading/phrases/:id/toggle', [TemplatesController, 'togglePhrase'])
      .as('reading.phrases.toggle')

    // Signed reports, for the requesting clinic and the readers.
    router.get('/reports', [ReportsController, 'index']).as('reports.index')
    router.get('/exams/:id/report', [ReportsController, 'show']).as('exams.report')
    router.get('/exams/:id/report.pdf', [ReportsController, 'pdf']).as('exams.report.pdf')

    router.get('/admin/reading', [ReadingSettingsController, 'show']).as('admin.reading')
    router.post('/admin/reading', [ReadingSettingsController, 'update']).as('admin.reading.update')
  })
  .use(middleware.auth())

router
  .group(() => {
    router.get('/reading/queue', [QueueController, 'index'])
    router.get('/reading/exams/:accession', [WorkspaceController, 'show'])
    router.post('/reading/exams/:accession/claim', [SignOffController, 'claim'])
    router.post('/reading/exams/:accession/release', [SignOffController, 'release'])
    router.post('/reading/exams/:accession/reassign', [SignOffController, 'reassign'])
    router.put('/reading/exams/:accession/draft', [SignOffController, 'draft'])
    router.post('/reading/exams/:accession/submit', [SignOffController, 'submit'])
    router.post('/reading/exams/:accession/sign', [SignOffController, 'sign'])
    router.post('/reading/exams/:accession/return', [SignOffController, 'returnToAuthor'])
    router.post('/reading/exams/:accession/amend', [SignOffController, 'amend'])
    router.get('/exams/:accession/report', [ReportsController, 'show'])
    router.get('/exams/:accession/report.pdf', [ReportsController, 'pdf'])
  })
  .prefix('/api/v1')
  .use(middleware.auth({ guards: ['api'] }))
