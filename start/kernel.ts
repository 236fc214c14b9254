/*
| HTTP kernel: global and named middleware.
*/
import router from '@adonisjs/core/services/router'
import server from '@adonisjs/core/services/server'

server.errorHandler(() => import('#app/platform/exceptions/handler'))

server.use([
  () => import('#app/platform/middleware/container_bindings_middleware'),
  () => import('@adonisjs/static/static_middleware'),
])

router.use([
  () => import('#app/platform/middleware/transport_security_middleware'),
  // a viewer's next frames of a study its session was just allowed to open (app/viewer/services/viewer_pass.ts)
  () => import('#app/viewer/middleware/dicomweb_pass_middleware'),
  () => import('@adonisjs/core/bodyparser_middleware'),
  // session and shield (CSRF, security headers) for pages only: the bearer-token API needs neither
  () => import('#app/platform/middleware/web_session_middleware'),
  () => import('#app/platform/middleware/web_shield_middleware'),
  () => import('@adonisjs/auth/initialize_auth_middleware'),
  () => import('#app/platform/middleware/detect_locale_middleware'),
  () => import('#app/access/middleware/initialize_bouncer_middleware'),
])

export const middleware = router.named({
  auth: () => import('#app/access/middleware/auth_middleware'),
  guest: () => import('#app/access/middleware/guest_middleware'),
  role: () => import('#app/access/middleware/role_middleware'),
})
