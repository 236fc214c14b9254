import type User from '#models/user'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { Authenticators } from '@adonisjs/auth/types'
import { accountRefusal } from '#app/access/services/account_rules'
import { Clock } from '#app/platform/clock'
import app from '@adonisjs/core/services/app'
import { socketTicket } from '#app/realtime/realtime'

/**
 * Requires a logged-in user (session for pages, bearer token for /api/v1) whose
 * account is still usable: an account locked or expired after login is
 * stopped at its next request (C 8.5.4).
 */
export default class AuthMiddleware {
  redirectTo = '/login'

  async handle(ctx: HttpContext, next: NextFn, options: { guards?: (keyof Authenticators)[] } = {}) {
    await ctx.auth.authenticateUsing(options.guards, { loginRoute: this.redirectTo })
    const user = ctx.auth.user!
    const clock = await app.container.make(Clock)
    if (accountRefusal(user, clock.now())) {
      if (options.guards?.includes('api')) {
        return ctx.response.status(401).send({ errors: [{ code: 'account_unusable', message: ctx.i18n.t('access.login.account_unusable') }] })
      }
      await ctx.auth.use('web').logout()
      ctx.session.flash('error', ctx.i18n.t('access.login.account_unusable'))
      return ctx.response.redirect(this.redirectTo)
    }
    await (user as User).load('institution')
    // The socket ticket is encrypted only when a page is rendered, not on every API call.
    if ('view' in ctx) ctx.view.share({ currentUser: user, socketTicket: () => socketTicket(user) })
    return next()
  }
}
