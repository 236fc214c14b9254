import vine from '@vinejs/vine'
import { DateTime } from 'luxon'
import AuditEvent from '#models/audit_event'
import imaging from '#config/imaging'

export const auditFilterValidator = vine.compile(
  vine.object({
    username: vine.string().trim().maxLength(64).optional(),
    action: vine.string().trim().maxLength(64).optional(),
    outcome: vine.enum(['success', 'denied', 'refused', 'failed'] as const).optional(),
    targetType: vine.string().trim().maxLength(32).optional(),
    targetId: vine.string().trim().maxLength(64).optional(),
    from: vine.date({ formats: ['YYYY-MM-DD'] }).optional(),
    to: vine.date({ formats: ['YYYY-MM-DD'] }).optional(),
    page: vine.number().positive().withoutDecimals().optional(),
  })
)

export type AuditFilters = Awaited<ReturnType<typeof auditFilterValidator.validate>>

/** A day picked in a form, as the hospital's day (its start or end, in UTC). */
function hospitalDay(value: Date, edge: 'start' | 'end') {
  const day = DateTime.fromJSDate(value).setZone(imaging.displayTimezone, { keepLocalTime: true })
  return (edge === 'start' ? day.startOf('day') : day.endOf('day'))
    .toUTC()
    .toSQL({ includeOffset: false })!
}

/** Searching the audit log: newest first, by person, action (prefix), outcome, target and hospital days. */
export class AuditSearch {
  query(filters: AuditFilters) {
    return AuditEvent.query()
      .if(filters.username, (q) => q.where('actor_username', filters.username!))
      .if(filters.action, (q) => q.where('action', 'like', `${filters.action}%`))
      .if(filters.outcome, (q) => q.where('outcome', filters.outcome!))
      .if(filters.targetType, (q) => q.where('target_type', filters.targetType!))
      .if(filters.targetId, (q) => q.where('target_id', filters.targetId!))
      .if(filters.from, (q) => q.where('occurred_at', '>=', hospitalDay(filters.from!, 'start')))
      .if(filters.to, (q) => q.where('occurred_at', '<=', hospitalDay(filters.to!, 'end')))
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
  }

  page(filters: AuditFilters) {
    return this.query(filters).paginate(filters.page ?? 1, 50)
  }

  all(filters: AuditFilters) {
    return this.query(filters).limit(100_000)
  }
}
