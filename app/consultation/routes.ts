import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const ConsultationsController = () =>
  import('#app/consultation/controllers/consultations_controller')
const SharedExamsController = () => import('#app/consultation/controllers/shared_exams_controller')
const ShareLinksController = () => import('#app/consultation/controllers/share_links_controller')
const UpperConsultationsController = () =>
  import('#app/consultation/controllers/upper_consultations_controller')

// A share link is opened by whoever holds it (a patient, an outside doctor): no account, its token (and code) only.
router.get('/s/:token', [ShareLinksController, 'open']).as('share_links.open')
router.post('/s/:token', [ShareLinksController, 'unlock']).as('share_links.unlock')
router
  .get('/s/:token/instances/:instanceId/preview', [ShareLinksController, 'preview'])
  .as('share_links.preview')
router
  .get('/s/:token/instances/:instanceId/file', [ShareLinksController, 'file'])
  .as('share_links.file')
router.get('/s/:token/report.pdf', [ShareLinksController, 'reportPdf']).as('share_links.report_pdf')

router
  .group(() => {
    router.get('/consultations', [ConsultationsController, 'index']).as('consultations.index')
    router
      .get('/exams/:id/consultations/new', [ConsultationsController, 'create'])
      .where('id', /^\d+$/)
      .as('consultations.new')
    router
      .post('/exams/:id/consultations', [ConsultationsController, 'store'])
      .where('id', /^\d+$/)
      .as('consultations.store')
    router
      .get('/consultations/:id', [ConsultationsController, 'show'])
      .where('id', /^\d+$/)
      .as('consultations.show')
    router
      .post('/consultations/:id/opinion', [ConsultationsController, 'answer'])
      .where('id', /^\d+$/)
      .as('consultations.answer')
    router
      .post('/consultations/:id/amend', [ConsultationsController, 'amend'])
      .where('id', /^\d+$/)
      .as('consultations.amend')
    router
      .post('/consultations/:id/take', [ConsultationsController, 'takeOver'])
      .where('id', /^\d+$/)
      .as('consultations.take')
    router
      .post('/consultations/:id/messages', [ConsultationsController, 'message'])
      .where('id', /^\d+$/)
      .as('consultations.messages')
    router
      .post('/consultations/:id/escalate-upper', [ConsultationsController, 'escalateUpper'])
      .where('id', /^\d+$/)
      .as('consultations.escalate_upper')
    router
      .post('/consultations/:id/cancel', [ConsultationsController, 'cancel'])
      .where('id', /^\d+$/)
      .as('consultations.cancel')
    router
      .post('/consultations/:id/attachments', [ConsultationsController, 'attach'])
      .where('id', /^\d+$/)
      .as('consultations.attach')
    router
      .get('/consultations/:id/attachments/:attachmentId', [ConsultationsController, 'attachment'])
      .where('id', /^\d+$/)
      .as('consultations.attachment')

    // C 4.2.3: the upper-level hospital's queue (only what was escalated to it).
    router
      .get('/upper-consultations', [UpperConsultationsController, 'index'])
      .as('upper_consultations.index')
    router
      .get('/upper-consultations/:id', [UpperConsultationsController, 'show'])
      .where('id', /^\d+$/)
      .as('upper_consultations.show')
    router
      .post('/upper-consultations/:id/opinion', [UpperConsultationsController, 'answer'])
      .where('id', /^\d+$/)
      .as('upper_consultations.answer')

    // C 9.4: what a specialty centre sees, and the administrator's share rules.
    router.get('/shared-exams', [SharedExamsController, 'index']).as('shared_exams.index')
    router
      .get('/shared-exams/:id', [SharedExamsController, 'show'])
      .where('id', /^\d+$/)
      .as('shared_exams.show')
    router
      .get('/shared-exams/:id/instances/:instanceId/preview', [SharedExamsController, 'preview'])
      .where('id', /^\d+$/)
      .as('shared_exams.preview')
    router.get('/admin/share-rules', [SharedExamsController, 'rules']).as('admin.share_rules')
    router
      .post('/admin/share-rules', [SharedExamsController, 'storeRule'])
      .as('admin.share_rules.store')

    // Share links: made and revoked here; opened below without signing in.
    router
      .get('/exams/:id/share-links', [ShareLinksController, 'index'])
      .where('id', /^\d+$/)
      .as('share_links.index')
    router
      .post('/exams/:id/share-links', [ShareLinksController, 'store'])
      .where('id', /^\d+$/)
      .as('share_links.store')
    router
      .post('/share-links/:id/revoke', [ShareLinksController, 'revoke'])
      .where('id', /^\d+$/)
      .as('share_links.revoke')
  })
  .use(middleware.auth())

router
  .group(() => {
    router.get('/consultations', [ConsultationsController, 'index'])
    router.post('/exams/:accession/consultations', [ConsultationsController, 'store'])
    router.get('/consultations/:id', [ConsultationsController, 'show']).where('id', /^\d+$/)
    router
      .post('/consultations/:id/opinion', [ConsultationsController, 'answer'])
      .where('id', /^\d+$/)
    router.post('/consultations/:id/amend', [ConsultationsController, 'amend']).where('id', /^\d+$/)
    router
      .post('/consultations/:id/take', [ConsultationsController, 'takeOver'])
      .where('id', /^\d+$/)
    router
      .post('/consultations/:id/messages', [ConsultationsController, 'message'])
      .where('id', /^\d+$/)
    router
      .post('/consultations/:id/escalate-upper', [ConsultationsController, 'escalateUpper'])
      .where('id', /^\d+$/)
    router
      .post('/consultations/:id/cancel', [ConsultationsController, 'cancel'])
      .where('id', /^\d+$/)
    router
      .post('/consultations/:id/attachments', [ConsultationsController, 'attach'])
      .where('id', /^\d+$/)
    router
      .get('/consultations/:id/attachments/:attachmentId', [ConsultationsController, 'attachment'])
      .where('id', /^\d+$/)
    router.get('/upper-consultations', [UpperConsultationsController, 'index'])
    router
      .get('/upper-consultations/:id', [UpperConsultationsController, 'show'])
      .where('id', /^\d+$/)
    router
      .post('/upper-consultations/:id/opinion', [UpperConsultationsController, 'answer'])
      .where('id', /^\d+$/)
    router.get('/shared-exams', [SharedExamsController, 'index'])
    router.get('/shared-exams/:id', [SharedExamsController, 'show']).where('id', /^\d+$/)
    router.post('/share-rules', [SharedExamsController, 'storeRule'])
    router.get('/exams/:accession/share-links', [ShareLinksController, 'index'])
    router.post('/exams/:accession/share-links', [ShareLinksController, 'store'])
    router.post('/share-links/:id/revoke', [ShareLinksController, 'revoke']).where('id', /^\d+$/)
  })
  .prefix('/api/v1')
  .use(middleware.auth({ guards: ['api'] }))
