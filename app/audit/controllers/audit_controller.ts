import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { toCsv } from '#app/platform/csv'
import { nameDownload } from '#app/platform/documents'
import { fileStamp } from '#app/platform/dates'
import { Clock } from '#app/platform/clock'
import { can } from '#app/platform/http/can'
import { normaliseQuery, withoutPage } from '#app/platform/http/request_input'
import { useCase } from '#app/platform/http/use_case'
import { AuditSearch, auditFilterValidator } from '#app/audit/services/audit_search'

const mayReadAudit = can('AuditPolicy', 'read')

/** The audit log (C 8.3.4): searched and exported by those who may read it; both are themselves audited. */
@inject()
export default class AuditController {
  constructor(
    protected search: AuditSearch,
    protected clock: Clock
  ) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'audit.search',
      allow: mayReadAudit,
      input: auditFilterValidator,
      run: ({ input }) => this.search.page(input),
      page: (events) => {
        const asked = withoutPage(normaliseQuery(ctx.request.qs()))
        events.baseUrl('/admin/audit').queryString(asked)
        return ctx.view.render('pages/audit/index', { events, filters: asked })
      },
    })
  }

  export(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'audit.export',
      allow: mayReadAudit,
      input: auditFilterValidator,
      run: ({ input }) => this.search.all(input),
      audit: { details: (events) => ({ rows: events.length }) },
      page: (events) => {
        const csv = toCsv(
          ['id', 'occurred_at_utc', 'username', 'role', 'institution_id', 'action', 'outcome', 'target_type', 'target_id', 'ip', 'request_id', 'details'],
          events.map((e) => [
            e.id,
            e.occurredAt.toISO(),
            e.actorUsername,
            e.actorRole,
            e.actorInstitutionId,
            e.action,
            e.outcome,
            e.targetType,
            e.targetId,
            e.ip,
            e.requestId,
            e.details ? JSON.stringify(e.details) : '',
          ])
        )
        ctx.response.header('Content-Type', 'text/csv; charset=utf-8')
        nameDownload(ctx, `audit-${fileStamp(this.clock.now())}.csv`)
        return csv
      },
    })
  }
}
