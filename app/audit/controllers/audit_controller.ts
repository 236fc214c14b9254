import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { toCsv } from '#app/platform/csv'
import { downloadStamp, nameDownload } from '#app/platform/documents'
import { Clock } from '#app/platform/clock'
import { can } from '#app/platform/http/can'
import { normaliseQuery, withoutPage } from '#app/platform/http/request_input'
import { numericParam, useCase } from '#app/platform/http/use_case'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { AuditExports } from '#app/audit/services/audit_exports'
import { AuditSearch, auditFilterValidator } from '#app/audit/services/audit_search'
import { AuditPresenter } from '#app/audit/audit_presenter'
import { AuditVerification } from '#app/audit/audit_verification'
import vine from '@vinejs/vine'
import { approvalRequested } from '#app/approvals/approval_requested'

const verifyValidator = vine.compile(
  vine.object({
    from: vine
      .string()
      .trim()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
    to: vine
      .string()
      .trim()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
  })
)

const mayReadAudit = can('AuditPolicy', 'read')

/** The audit log (C 8.3.4): searched and exported by those who may read it; both are themselves audited. */
@inject()
export default class AuditController {
  constructor(
    protected search: AuditSearch,
    protected clock: Clock,
    protected verification: AuditVerification,
    protected exports: AuditExports
  ) {}

  /** The audit administrator checks the hash chain over a period (MLPS 8.1.4.3 c). Without dates: the form. */
  verify(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'audit.verify',
      allow: mayReadAudit,
      input: verifyValidator,
      run: async ({ input }) =>
        input.from && input.to
          ? { period: input, report: await this.verification.verify(input.from, input.to) }
          : { period: input, report: null },
      audit: {
        details: ({ period, report }) => ({
          from: period.from ?? null,
          to: period.to ?? null,
          checked: report?.checked ?? 0,
          problems: report?.problems.length ?? 0,
        }),
      },
      json: ({ report }) => report,
      page: ({ period, report }) => {
        const today = this.clock.now().toISODate()
        return ctx.view.render('pages/audit/verify', {
          from: period.from ?? today,
          to: period.to ?? today,
          report,
        })
      },
    })
  }

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'audit.search',
      allow: mayReadAudit,
      input: auditFilterValidator,
      run: ({ input }) => this.search.page(input),
      page: async (events) => {
        const asked = withoutPage(normaliseQuery(ctx.request.qs()))
        events.baseUrl('/admin/audit').queryString(asked)
        // Each line as a sentence in the reader's language, with its target named and linked.
        const rows = await new AuditPresenter(ctx.i18n).present(events.all())
        return ctx.view.render('pages/audit/index', { events, rows, filters: asked })
      },
    })
  }

  /** A direct export is refused: the audit log leaves the system only with approval (two-person rule). */
  export(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'audit.export',
      allow: mayReadAudit,
      input: auditFilterValidator,
      run: async (): Promise<never> => {
        throw new DomainRefusal('export_needs_approval', 'approvals.export_needs_approval', {}, 403)
      },
    })
  }

  /** The audit administrator asks to export the lines the filters name; the security administrator decides. */
  requestExport(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'audit.export_request',
      allow: mayReadAudit,
      input: auditFilterValidator,
      run: ({ user }) => this.exports.request(user, AuditExports.pick(ctx.request.all())),
      ...approvalRequested(ctx, '/approvals/mine'),
    })
  }

  /** The one download of an approved export, by the audit administrator who asked. */
  approvedExport(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'audit.export',
      allow: mayReadAudit,
      run: async ({ user }) => {
        const approvalId = numericParam(ctx) ?? 0
        return { approvalId, events: await this.exports.claim(user, approvalId) }
      },
      audit: {
        target: ({ approvalId }) => ({ type: 'approval', id: approvalId }),
        details: ({ events, approvalId }) => ({ rows: events.length, approvalId }),
      },
      json: ({ events }) => this.csv(ctx, events),
      page: ({ events }) => this.csv(ctx, events),
    })
  }

  protected csv(ctx: HttpContext, events: Awaited<ReturnType<AuditSearch['all']>>) {
    const csv = toCsv(
      [
        'id',
        'occurred_at_utc',
        'username',
        'role',
        'institution_id',
        'action',
        'outcome',
        'target_type',
        'target_id',
        'ip',
        'request_id',
        'details',
      ],
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
    nameDownload(ctx, `audit-${downloadStamp(this.clock.now())}.csv`)
    return csv
  }
}
