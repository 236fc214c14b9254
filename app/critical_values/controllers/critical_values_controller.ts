import { isAdministrator } from '#app/access/roles'
import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import Institution from '#models/institution'
import CriticalFinding from '#models/critical_finding'
import CriticalValueEvent from '#models/critical_value_event'
import CriticalValueDelivery from '#models/critical_value_delivery'
import type CriticalValue from '#models/critical_value'
import { CRITICAL_VALUE_STATUSES } from '#models/critical_value'
import type User from '#models/user'
import { toCsv } from '#app/platform/csv'
import { nameDownload, xlsxBuffer, downloadStamp } from '#app/platform/documents'
import { readsForAlliance } from '#app/access/visibility'
import { Clock } from '#app/platform/clock'
import { criticalValueTarget, mayUseRegistry } from '#app/critical_values/critical_value_access'
import {
  exportRequestValidator,
  registryFilterValidator,
} from '#app/critical_values/validators/critical_value_validators'
import {
  CriticalValueExports,
  type ExportFormat,
} from '#app/critical_values/services/critical_value_exports'
import { CriticalValueRegistry } from '#app/critical_values/services/critical_value_registry'
import { DutyRoster } from '#app/critical_values/services/duty_roster'
import { ackChartSvg } from '#app/critical_values/ack_chart'
import { DEFAULT_ACK_MINUTES } from '#app/critical_values/default_findings'
import { minutesBetween } from '#app/critical_values/display'
import { numericParam, useCase } from '#app/platform/http/use_case'
import { normaliseQuery, withoutPage } from '#app/platform/http/request_input'
import { approvalRequested } from '#app/approvals/approval_requested'

async function filterOptions(user: User) {
  return {
    statuses: CRITICAL_VALUE_STATUSES,
    findings: await CriticalFinding.query().orderBy('seq'),
    institutions:
      readsForAlliance(user) || isAdministrator(user)
        ? await Institution.query().whereNot('kind', 'lead_hospital').orderBy('code')
        : [],
  }
}

/** The registry: list with filters, one critical value's full story, statistics with a chart, exports. */
@inject()
export default class CriticalValuesController {
  constructor(
    protected registry: CriticalValueRegistry,
    protected roster: DutyRoster,
    protected clock: Clock,
    protected exports: CriticalValueExports
  ) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'critical_value.registry',
      allow: mayUseRegistry,
      input: registryFilterValidator,
      run: async ({ user, input }) => ({
        values: await this.registry.list(user, input),
        duties: await this.roster.dutiesOf(user.id),
      }),
      page: async ({ values, duties }, { user, input }) => {
        // The filters as typed (normalised), for the export links and the pages.
        const asked = withoutPage(normaliseQuery(ctx.request.qs()))
        const query = new URLSearchParams(asked as Record<string, string>).toString()
        values.baseUrl('/critical-values').queryString(asked)
        return ctx.view.render('pages/critical_values/index', {
          values,
          filters: input,
          query,
          exportNeedsApproval: CriticalValueExports.needsApproval(user),
          exportFilters: asked,
          onDuty: duties.includes('on_duty'),
          ...(await filterOptions(user)),
        })
      },
    })
  }

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'critical_value.view',
      target: criticalValueTarget,
      run: async ({ target: value }) => {
        await value.load((loader) =>
          loader
            .load('exam', (q) => q.preload('patient').preload('items'))
            .load('institution')
            .load('raisedBy')
            .load('confirmedBy')
            .load('finding')
        )
        const events = await CriticalValueEvent.query()
          .where('critical_value_id', value.id)
          .orderBy('occurred_at')
          .orderBy('id')
        const deliveries = await CriticalValueDelivery.query()
          .where('critical_value_id', value.id)
          .preload('user')
          .orderBy('id')
        return { value, events, deliveries }
      },
      page: async ({ value, events, deliveries }) => {
        const policy = ctx.bouncer.with('CriticalValuePolicy')
        return ctx.view.render('pages/critical_values/show', {
          value,
          events,
          deliveries,
          minutesToDeliver: minutesBetween(value.sentAt, value.firstDeliveredAt),
          minutesToAcknowledge: minutesBetween(value.sentAt, value.acknowledgedAt),
          canAcknowledge:
            value.status === 'open' && (await policy.allows('acknowledge', value as CriticalValue)),
          canRecordCall: value.status === 'open' && (await policy.allows('recordCall')),
          canConfirm:
            value.status === 'awaiting_confirmation' &&
            (await policy.allows('confirm', value as CriticalValue)),
          canWithdraw: value.status === 'awaiting_confirmation' && (await policy.allows('raise')),
        })
      },
    })
  }

  statistics(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'critical_value.statistics',
      allow: mayUseRegistry,
      input: registryFilterValidator,
      run: ({ user, input }) => this.registry.clinicStats(user, input),
      page: async (stats, { user, input }) => {
        const t = (key: string) => ctx.i18n.t(`critical_values.stats.${key}`)
        const chart = ackChartSvg(
          stats.map((s) => ({
            name: s.name,
            median: s.median,
            p90: s.p90,
            acknowledged: s.acknowledged,
          })),
          DEFAULT_ACK_MINUTES,
          {
            median: t('median'),
            p90: t('p90'),
            deadline: t('deadline'),
            minutes: t('minutes_axis'),
            none: t('none'),
          }
        )
        return ctx.view.render('pages/critical_values/statistics', {
          stats,
          chart,
          filters: input,
          ...(await filterOptions(user)),
        })
      },
    })
  }

  /** A clinical user's export of what they see; an administrator's is refused (it needs approval). */
  exportCsv(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'critical_value.export',
      allow: mayUseRegistry,
      input: registryFilterValidator,
      run: ({ user, input }) => {
        this.exports.direct(user)
        return this.sheet(ctx, user, 'csv', input)
      },
      audit: { details: ({ rows }) => ({ format: 'csv', rows: rows.length }) },
      page: (sheet) => this.send(ctx, sheet),
    })
  }

  exportXlsx(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'critical_value.export',
      allow: mayUseRegistry,
      input: registryFilterValidator,
      run: ({ user, input }) => {
        this.exports.direct(user)
        return this.sheet(ctx, user, 'xlsx', input)
      },
      audit: { details: ({ rows }) => ({ format: 'xlsx', rows: rows.length }) },
      page: (sheet) => this.send(ctx, sheet),
    })
  }

  /** An administrator asks for an export; the security administrator decides (two-person rule). */
  requestExport(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'critical_value.export_request',
      allow: mayUseRegistry,
      input: exportRequestValidator,
      run: ({ user, input: { format, ...filters } }) =>
        this.exports.request(user, { format, filters }, (key) => ctx.i18n.t(key)),
      ...approvalRequested(ctx, '/approvals/mine'),
    })
  }

  /** The one download of an approved export, by its requester. */
  approvedExport(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'critical_value.export',
      allow: mayUseRegistry,
      run: async ({ user }) => {
        const approvalId = numericParam(ctx) ?? 0
        const asked = await this.exports.claim(user, approvalId)
        return { approvalId, ...(await this.sheet(ctx, user, asked.format, asked.filters)) }
      },
      audit: {
        target: ({ approvalId }) => ({ type: 'approval', id: approvalId }),
        details: ({ format, rows, approvalId }) => ({ format, rows: rows.length, approvalId }),
      },
      json: (sheet) => this.send(ctx, sheet),
      page: (sheet) => this.send(ctx, sheet),
    })
  }

  protected async sheet(ctx: HttpContext, user: User, format: ExportFormat, filters: any) {
    const exported = await this.registry.exportRows(user, filters, (key) => ctx.i18n.t(key))
    return {
      format,
      ...exported,
      stats: format === 'xlsx' ? await this.registry.clinicStats(user, filters) : [],
    }
  }

  protected async send(
    ctx: HttpContext,
    { format, header, rows, stats }: Awaited<ReturnType<CriticalValuesController['sheet']>>
  ) {
    if (format === 'csv') {
      ctx.response.header('Content-Type', 'text/csv; charset=utf-8')
      nameDownload(ctx, `critical-values-${this.stamp()}.csv`)
      return toCsv(header, rows)
    }
    const t = (key: string) => ctx.i18n.t(`critical_values.stats.${key}`)
    const buffer = await xlsxBuffer([
      { name: ctx.i18n.t('critical_values.export.sheet_registry'), header, rows },
      {
        name: ctx.i18n.t('critical_values.export.sheet_stats'),
        header: [
          t('clinic'),
          t('raised'),
          t('acknowledged'),
          t('open'),
          t('escalated'),
          t('median'),
          t('p90'),
        ],
        rows: stats.map((s) => [
          s.name,
          s.raised,
          s.acknowledged,
          s.open,
          s.escalated,
          s.median ?? '',
          s.p90 ?? '',
        ]),
      },
    ])
    ctx.response.header(
      'Content-Type',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
    )
    nameDownload(ctx, `critical-values-${this.stamp()}.xlsx`)
    return buffer
  }

  /** Download names carry the hospital's date and time. */
  protected stamp() {
    return downloadStamp(this.clock.now())
  }
}
