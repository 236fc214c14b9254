import type { HttpContext } from '@adonisjs/core/http'
import { audit } from '#app/audit/audit_log'
import { DomainRefusal } from '#app/platform/domain_refusal'

/** Only administrators: anyone else is answered 403, and the attempt is audited. */
export async function authorizeStorage(ctx: HttpContext) {
  if (await ctx.bouncer.with('StoragePolicy').denies('manage')) {
    await audit.fromContext(ctx, {
      action: 'storage.access',
      outcome: 'denied',
      details: { method: ctx.request.method(), url: ctx.request.url() },
    })
  }
  await ctx.bouncer.with('StoragePolicy').authorize('manage')
}

export function wantsJson(ctx: HttpContext) {
  return ctx.request.url().startsWith('/api/') || ctx.request.accepts(['html', 'json']) === 'json'
}

/**
 * Runs one service call; a refusal is audited with its code and shown to the
 * person (flash on pages, the error handler's JSON for the API). Nothing was
 * changed when a refusal is thrown.
 */
export async function refusable<T>(
  ctx: HttpContext,
  entry: { action: string; targetType?: string; targetId?: string | number | null },
  work: () => Promise<T>
): Promise<T | null> {
  try {
    return await work()
  } catch (error) {
    if (!(error instanceof DomainRefusal)) throw error
    await audit.fromContext(ctx, { ...entry, outcome: 'refused', details: { code: error.code, ...error.messageData } })
    if (wantsJson(ctx)) throw error
    ctx.session.flashAll()
    ctx.session.flash('error', ctx.i18n.t(error.messageKey, error.messageData))
    return null
  }
}

/** A numeric route id or null (a malformed id is answered like a missing record). */
export function routeId(ctx: HttpContext) {
  return /^\d+$/.test(String(ctx.params.id)) ? Number(ctx.params.id) : null
}
