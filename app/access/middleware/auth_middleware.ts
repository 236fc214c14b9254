import type User from '#models/user'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { Authenticators } from '@adonisjs/auth/types'
import { accountRefusal } from '#app/access/services/account_rules'
import { endThisSession, sessionEnd } from '#app/access/services/account_sessions'
import { Clock } from '#app/platform/clock'
import { wantsJson } from '#app/platform/http/wants_json'
import app from '@adonisjs/core/services/app'
import { socketTicket } from '#app/realtime/realtime'
import { isAdministrator } from '#app/access/roles'
import { refreshAdminClinicalAccess } from '#app/access/clinical_access'

/**
 * Requires a logged-in user (session for pages, bearer token for /api/v1) whose
 * account is still usable: an account locked or expired after login is
 * stopped at its next request (C 8.5.4), and a session that ended (its
 * account's sessions were ended, idle or absolute timeout) is logged out.
 */
export default class AuthMiddleware {
  redirectTo = '/login'

  async handle(
    ctx: HttpContext,
    next: NextFn,
    options: { guards?: (keyof Authenticators)[] } = {}
  ) {
    await ctx.auth.authenticateUsing(options.guards, { loginRoute: this.redirectTo })
    const user = ctx.auth.user! as User
    const clock = await app.container.make(Clock)
    const now = clock.now()
    const viaSession = ctx.auth.authenticatedViaGuard === 'web'
    const refused = accountRefusal(user, now)
    const ended = refused ? null : viaSession ? sessionEnd(ctx, user, now) : null
    if (refused || ended) {
      if (!viaSession) {
        return ctx.response.status(401).send({
          errors: [
            { code: 'account_unusable', message: ctx.i18n.t('access.login.account_unusable') },
          ],
        })
      }
      await endThisSession(ctx)
      const message = refused
        ? 'access.login.account_unusable'
        : ended !== 'revoked'
          ? 'access.login.session_timed_out'
          : 'access.login.session_ended'
      if (wantsJson(ctx))
        return ctx.response
          .status(401)
          .send({ errors: [{ code: 'session_ended', message: ctx.i18n.t(message) }] })
      ctx.session.flash('error', ctx.i18n.t(message))
      return ctx.response.redirect(this.redirectTo)
    }
    await user.load('institution')
    // Only administrators' answers depend on it: read afresh so a switch-off anywhere counts now (./clinical_access.ts).
    if (isAdministrator(user)) await refreshAdminClinicalAccess()
    // The socket ticket is encrypted only when a page is rendered, not on every API call.
    if ('view' in ctx && viaSession)
      ctx.view.share({
        currentUser: user,
        socketTicket: () => socketTicket(user, ctx.session.sessionId),
      })
    else if ('view' in ctx) ctx.view.share({ currentUser: user, socketTicket: () => '' })
    return next()
  }
}
