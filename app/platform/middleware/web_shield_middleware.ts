import { isMachineRequest } from '#app/platform/http/wants_json'
import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import ShieldMiddleware from '@adonisjs/shield/shield_middleware'

/**
 * CSRF protection and the security headers of pages (shield). The bearer-token
 * JSON API is not exposed to CSRF and serves no HTML, so /api requests skip it.
 */
export default class WebShieldMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (isMachineRequest(ctx)) {
      // Patient data: never cached by intermediaries unless a route says otherwise (images set their own).
      ctx.response.header('X-Content-Type-Options', 'nosniff')
      ctx.response.header('Cache-Control', 'no-store')
      return next()
    }
    return (await app.container.make(ShieldMiddleware)).handle(ctx, next)
  }
}
