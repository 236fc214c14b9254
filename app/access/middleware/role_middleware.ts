import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { Role } from '#app/access/roles'
import { audit } from '#app/audit/audit_log'

/** Coarse gate by role for whole areas (administration, reading); records remain checked by policies. */
export default class RoleMiddleware {
  async handle(ctx: HttpContext, next: NextFn, options: { roles: Role[] }) {
    const user = ctx.auth.user!
    if (!options.roles.includes(user.role)) {
      await audit.fromContext(ctx, { action: 'access.area', outcome: 'denied', details: { url: ctx.request.url(), needs: options.roles } })
      if (ctx.request.url().startsWith('/api/') || ctx.request.accepts(['html', 'json']) === 'json') {
        return ctx.response.status(403).send({ errors: [{ code: 'forbidden', message: ctx.i18n.t('common.errors.forbidden') }] })
      }
      return ctx.response.status(403).send(await ctx.view.render('pages/errors/forbidden'))
    }
    return next()
  }
}
