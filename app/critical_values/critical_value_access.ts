import type { HttpContext } from '@adonisjs/core/http'
import CriticalValue from '#models/critical_value'
import { audit } from '#app/audit/audit_log'
import { DomainRefusal } from '#app/platform/domain_refusal'

/**
 * The critical value a request names, if this user may see it. Another
 * clinic's answers 404 exactly like a missing one, and the attempt is audited.
 */
export async function criticalValueForRequest(ctx: HttpContext, id: string | number) {
  const value = /^\d+$/.test(String(id)) ? await CriticalValue.find(Number(id)) : null
  if (!value) throw DomainRefusal.notFound('critical_value')
  if (await ctx.bouncer.with('CriticalValuePolicy').denies('view', value)) {
    await audit.fromContext(ctx, {
      action: 'critical_value.access',
      outcome: 'denied',
      targetType: 'critical_value',
      targetId: value.id,
      details: { url: ctx.request.url(), institutionId: value.institutionId },
    })
    throw DomainRefusal.notFound('critical_value')
  }
  return value
}
