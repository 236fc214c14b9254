import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import { DateTime } from 'luxon'
import AuditEvent from '#models/audit_event'
import { audit } from '#app/audit/audit_log'
import { toCsv } from '#app/platform/csv'
import imaging from '#config/imaging'
import { downloadStamp, nameDownload } from '#app/platform/documents'
import { AuditPresenter } from '#app/audit/audit_presenter'

const filterValidator = vine.compile(
  vine.object({
    username: vine.string().trim().maxLength(64).optional(),
    action: vine.string().trim().maxLength(64).optional(),
    outcome: vine.enum(['success', 'denied', 'refused', 'failed'] as const).optional(),
    targetType: vine.string().trim().maxLength(32).optional(),
    targetId: vine.string().trim().maxLength(64).optional(),
    from: vine.date({ formats: ['YYYY-MM-DD'] }).optional(),
    to: vine.date({ formats: ['YYYY-MM-DD'] }).optional(),
    page: vine.number().positive().optional(),
  })
)

type Filters = Awaited<ReturnType<typeof filterValidator.validate>>

/** Administrators search the audit log (C 8.3.4) and export it; both are themselves audited. */
export default class AuditController {
  protected query(filters: Filters) {
    const zone = imaging.displayTimezone
    return AuditEvent.query()
      .if(filters.username, (q) => q.where('actor_username', filters.username!))
      .if(filters.action, (q) => q.where('action', 'like', `${filters.action}%`))
      .if(filters.outcome, (q) => q.where('outcome', filters.outcome!))
      .if(filters.targetType, (q) => q.where('target_type', filters.targetType!))
      .if(filters.targetId, (q) => q.where('target_id', filters.targetId!))
      .if(filters.from, (q) =>
        q.where('occurred_at', '>=', DateTime.fromJSDate(filters.from!).setZone(zone, { keepLocalTime: true }).startOf('day').toUTC().toSQL({ includeOffset: false })!)
      )
      .if(filters.to, (q) =>
        q.where('occurred_at', '<=', DateTime.fromJSDate(filters.to!).setZone(zone, { keepLocalTime: true }).endOf('day').toUTC().toSQL({ includeOffset: false })!)
      )
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
  }

  async index(ctx: HttpContext) {
    await ctx.bouncer.with('AdministrationPolicy').authorize('manage')
    const filters = await filterValidator.validate(ctx.request.qs())
    const events = await this.query(filters).paginate(filters.page ?? 1, 50)
    events.baseUrl('/admin/audit').queryString({ ...ctx.request.qs(), page: undefined })
    await audit.fromContext(ctx, { action: 'audit.search', details: { ...ctx.request.qs() } })
    const rows = await new AuditPresenter(ctx.i18n).present(events.all())
    return ctx.view.render('pages/audit/index', { events, rows, filters: ctx.request.qs() })
  }

  async export(ctx: HttpContext) {
    await ctx.bouncer.with('AdministrationPolicy').authorize('manage')
    const filters = await filterValidator.validate(ctx.request.qs())
    const events = await this.query(filters).limit(100_000)
    await audit.fromContext(ctx, { action: 'audit.export', details: { ...ctx.request.qs(), rows: events.length } })
    const csv = toCsv(
      ['id', 'occurred_at_utc', 'username', 'institution_id', 'action', 'outcome', 'target_type', 'target_id', 'ip', 'details'],
      events.map((e) => [e.id, e.occurredAt.toISO(), e.actorUsername, e.actorInstitutionId, e.action, e.outcome, e.targetType, e.targetId, e.ip, e.details ? JSON.stringify(e.details) : ''])
    )
    ctx.response.header('Content-Type', 'text/csv; charset=utf-8')
    nameDownload(ctx, `audit-${downloadStamp(DateTime.utc())}.csv`)
    return csv
  }
}
