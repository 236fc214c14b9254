import type { HttpContext } from '@adonisjs/core/http'
import { audit, type AuditEntry } from '#app/audit/audit_log'
import { DomainRefusal } from '#app/platform/domain_refusal'

/**
 * Runs one change and writes its audit line: success with the target, or the
 * refusal with its code. A refused form keeps what was typed (flashed back) and
 * the exception handler shows why.
 */
export async function auditedWork<T>(ctx: HttpContext, entry: AuditEntry, work: () => Promise<T>, targetOf?: (result: T) => string | number): Promise<T> {
  try {
    const result = await work()
    await audit.fromContext(ctx, { ...entry, targetId: targetOf ? targetOf(result) : entry.targetId })
    return result
  } catch (error) {
    if (error instanceof DomainRefusal) {
      await audit.fromContext(ctx, { ...entry, outcome: 'refused', details: { ...entry.details, code: error.code } })
      if (!ctx.request.url().startsWith('/api/')) ctx.session?.flashAll()
    }
    throw error
  }
}
