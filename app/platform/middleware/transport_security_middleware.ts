import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'

/**
 * Two headers shield cannot decide alone (MLPS 8.1.4.1; ASVS 14.4, 8.2.1):
 * - HSTS only over HTTPS (RFC 6797 §7.2: a browser ignores it over plain HTTP, and sending it there
 *   suggests protection that is not there). Behind the TLS proxy the scheme comes from X-Forwarded-Proto,
 *   believed only from TRUSTED_PROXIES (config/app.ts).
 * - `Cache-Control: no-store` on every page, export and API answer that sets no caching of its own:
 *   patients' names, reports and exports must not stay in a shared clinic PC's browser cache or a proxy.
 */
export default class TransportSecurityMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    await next()
    if (ctx.request.protocol() === 'https') {
      ctx.response.header('Strict-Transport-Security', 'max-age=15552000; includeSubDomains')
    }
    if (!ctx.response.getHeader('Cache-Control')) {
      ctx.response.header('Cache-Control', 'no-store')
      ctx.response.header('Pragma', 'no-cache')
    }
  }
}
