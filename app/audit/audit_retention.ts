import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import imaging, { MIN_AUDIT_RETENTION_DAYS } from '#config/imaging'
import { Clock } from '#app/platform/clock'
import { audit } from '#app/platform/audit/audit_log'

/**
 * Removes audit lines older than the retention period, never younger than
 * 184 days (C 8.3.4 ≥ 180 days; six calendar months can be 184). The database
 * refuses earlier deletes too (see the append-only migration).
 */
@inject()
export class AuditRetention {
  constructor(protected clock: Clock) {}

  cutoff(retentionDays = imaging.audit.retentionDays) {
    const days = Math.max(retentionDays, MIN_AUDIT_RETENTION_DAYS)
    return this.clock.now().minus({ days }).startOf('day')
  }

  async purgeExpired(retentionDays = imaging.audit.retentionDays) {
    const cutoff = this.cutoff(retentionDays)
    const deleted = await db
      .from('audit_events')
      .where('occurred_at', '<', cutoff.toSQL({ includeOffset: false })!)
      .delete()
    if (Number(deleted) > 0) {
      await audit.system({
        action: 'audit.purge',
        details: { before: cutoff.toISO(), deleted: Number(deleted) },
      })
    }
    return Number(deleted)
  }
}
