import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import '#app/access/approvals'

const SessionController = () => import('#app/access/controllers/session_controller')
const AccountController = () => import('#app/access/controllers/account_controller')

router.get('/login', [SessionController, 'create']).use(middleware.guest()).as('login')
router.post('/login', [SessionController, 'store']).use(middleware.guest())
router.post('/logout', [SessionController, 'destroy']).use(middleware.auth()).as('logout')
router.post('/locale', [AccountController, 'switchLocale']).as('locale')

router
  .group(() => {
    router.get('/account', [AccountController, 'show']).as('account')
    router.post('/account/password', [AccountController, 'changePassword']).as('account.password')
    router.post('/account/tokens', [AccountController, 'createToken']).as('account.tokens.create')
    router
      .delete('/account/tokens/:id', [AccountController, 'revokeToken'])
      .as('account.tokens.revoke')
  })
  .use(middleware.auth())

// The second factor after a password (TOTP or a recovery code); its set-up for an administrator who has none.
router
  .get('/login/second-factor', [SessionController, 'showSecondFactor'])
  .use(middleware.guest())
  .as('login.second_factor')
router
  .post('/login/second-factor', [SessionController, 'verifySecondFactor'])
  .use(middleware.guest())

// Administrators' clinical access: on only by two-person approval (./approvals.ts), off at once.
const ClinicalAccessController = () => import('#app/access/controllers/clinical_access_controller')
router
  .group(() => {
    router.get('/admin/clinical-access', [ClinicalAccessController, 'show']).as('clinical_access')
    router
      .post('/admin/clinical-access/on', [ClinicalAccessController, 'requestOn'])
      .as('clinical_access.on')
    router
      .post('/admin/clinical-access/off', [ClinicalAccessController, 'switchOff'])
      .as('clinical_access.off')
  })
  .use(middleware.auth())
router
  .group(() => {
    router.get('/admin/clinical-access', [ClinicalAccessController, 'show'])
    router.post('/admin/clinical-access/on', [ClinicalAccessController, 'requestOn'])
    router.post('/admin/clinical-access/off', [ClinicalAccessController, 'switchOff'])
  })
  .prefix('/api/v1')
  .use(middleware.auth({ guards: ['api'] }))
