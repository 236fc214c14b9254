import { isMachineRequest } from '#app/platform/http/wants_json'
import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import SessionMiddleware from '@adonisjs/session/session_middleware'

/**
 * Pages need a session; the JSON API authenticates every request with a bearer
 * token, so /api requests get none (no session cookie written per call).
 */
export default class WebSessionMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (isMachineRequest(ctx)) return next()
    return (await app.container.make(SessionMiddleware)).handle(ctx, next)
  }
}
