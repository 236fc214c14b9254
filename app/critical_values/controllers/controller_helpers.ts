import type { HttpContext } from '@adonisjs/core/http'
import { audit } from '#app/audit/audit_log'
import { DomainRefusal } from '#app/platform/domain_refusal'
import type CriticalValue from '#models/critical_value'
import type CriticalValuePolicy from '#app/critical_values/policies/critical_value_policy'

type Ability = Exclude<keyof CriticalValuePolicy, 'execute' | 'authorize'>

export function wantsJson(ctx: HttpContext) {
  return ctx.request.accepts(['html', 'json']) === 'json'
}

/** Authorises through CriticalValuePolicy; a "no" is audited as denied and answered 403. */
export async function guard(ctx: HttpContext, ability: Ability, action: string, value?: CriticalValue) {
  const policy = ctx.bouncer.with('CriticalValuePolicy') as any
  if (await policy.allows(ability, value)) return
  await audit.fromContext(ctx, {
    action,
    outcome: 'denied',
    targetType: value ? 'critical_value' : undefined,
    targetId: value?.id ?? null,
    details: { ability },
  })
  await policy.authorize(ability, value)
}

/**
 * Runs one service call for a form or a fetch: success is audited; a refusal
 * is audited as refused (or denied when it is about who may act) and
 * answered with its reason, the form's input kept. Returns null when refused
 * (the response is then already set).
 */
export async function act<T>(
  ctx: HttpContext,
  action: string,
  target: { type: 'critical_value' | 'exam' | 'user' | 'critical_finding'; id: number | null },
  work: () => Promise<T>,
  details: (result: T) => Record<string, unknown> = () => ({})
): Promise<{ result: T } | null> {
  try {
    const result = await work()
    await audit.fromContext(ctx, { action, targetType: target.type, targetId: target.id, details: details(result) })
    return { result }
  } catch (error) {
    if (!(error instanceof DomainRefusal) || error.status === 404) throw error
    await audit.fromContext(ctx, {
      action,
      outcome: error.status === 403 ? 'denied' : 'refused',
      targetType: target.type,
      targetId: target.id,
      details: { code: error.code, ...error.messageData },
    })
    if (wantsJson(ctx)) throw error
    ctx.session.flashAll()
    ctx.session.flash('error', ctx.i18n.t(error.messageKey, error.messageData))
    ctx.response.redirect().back()
    return null
  }
}
