import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import User from '#models/user'
import type { HttpContext } from '@adonisjs/core/http'
import { loginValidator } from '#app/access/validators/access_validators'
import { LoginService } from '#app/access/services/login_service'
import { audit } from '#app/platform/audit/audit_log'
import { LOCALE_COOKIE } from '#app/platform/middleware/detect_locale_middleware'

/** Logging in and out. Every attempt, good or bad, is audited. */
@inject()
export default class SessionController {
  constructor(protected login: LoginService) {}

  async create({ view }: HttpContext) {
    // The demo county's logins are shown on the login page, except in production.
    const demo = app.inProduction ? null : (await import('#database/demo/demo_county')).DEMO_LOGINS
    const seeded = demo ? await User.findBy('username', demo.users[0].username) : null
    return view.render('pages/access/login', {
      demoLogins: seeded ? demo!.users : [],
      demoPassword: demo?.password,
    })
  }

  async store(ctx: HttpContext) {
    const { request, response, auth, session, i18n } = ctx
    const { username, password } = await request.validateUsing(loginValidator)
    const result = await this.login.attempt(username, password)
    if (!result.ok) {
      await audit.fromContext(ctx, {
        action: 'auth.login_failed',
        outcome: 'denied',
        user: result.user,
        username,
        details: { reason: result.reason },
      })
      session.flashExcept(['password'])
      session.flash('error', i18n.t(`access.login.refused.${result.reason}`))
      return response.redirect('/login')
    }
    await auth.use('web').login(result.user)
    await audit.fromContext(ctx, { action: 'auth.login', user: result.user })
    if (result.user.locale) response.cookie(LOCALE_COOKIE, result.user.locale, { maxAge: '365d', httpOnly: true })
    return response.redirect('/')
  }

  async destroy(ctx: HttpContext) {
    await audit.fromContext(ctx, { action: 'auth.logout' })
    await ctx.auth.use('web').logout()
    return ctx.response.redirect('/login')
  }
}
