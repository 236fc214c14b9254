import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { Role } from '#app/access/roles'
import { audit, actorOf } from '#app/platform/audit/audit_log'
import { Forbidden } from '#app/platform/http/use_case'

/**
 * Coarse gate by role for whole areas (administration); records remain checked
 * by policies in each use case. A "no" is audited like any other denial and
 * answered by the exception handler (the styled 403 page, or JSON).
 */
export default class RoleMiddleware {
  async handle(ctx: HttpContext, next: NextFn, options: { roles: Role[] }) {
    const user = ctx.auth.user!
    if (!options.roles.includes(user.role)) {
      await audit.bestEffort(actorOf(ctx), {
        action: 'access.area',
        outcome: 'denied',
        details: { code: 'forbidden', status: 403, url: ctx.request.url(), needs: options.roles },
      })
      throw new Forbidden()
    }
    return next()
  }
}
