import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import Institution from '#models/institution'
import CriticalFinding from '#models/critical_finding'
import CriticalValueEvent from '#models/critical_value_event'
import CriticalValueDelivery from '#models/critical_value_delivery'
import { CRITICAL_VALUE_STATUSES } from '#models/critical_value'
import { audit } from '#app/audit/audit_log'
import { toCsv } from '#app/platform/csv'
import { nameDownload, xlsxBuffer, downloadStamp } from '#app/platform/documents'
import { readsForAlliance } from '#app/intake/exam_visibility'
import { Clock } from '#app/platform/clock'
import { criticalValueForRequest } from '#app/critical_values/critical_value_access'
import { guard } from '#app/critical_values/controllers/controller_helpers'
import { registryFilterValidator } from '#app/critical_values/validators/critical_value_validators'
import { CriticalValueRegistry, type RegistryFilters } from '#app/critical_values/services/critical_value_registry'
import { DutyRoster } from '#app/critical_values/services/duty_roster'
import { ackChartSvg } from '#app/critical_values/ack_chart'
import { DEFAULT_ACK_MINUTES } from '#app/critical_values/default_findings'
import { minutesBetween } from '#app/critical_values/display'

/** The registry: list with filters, one critical value's full story, statistics with a chart, exports. */
@inject()
export default class CriticalValuesController {
  constructor(
    protected registry: CriticalValueRegistry,
    protected roster: DutyRoster,
    protected clock: Clock
  ) {}

  protected async filters(ctx: HttpContext): Promise<RegistryFilters> {
    return registryFilterValidator.validate(ctx.request.qs())
  }

  protected async filterOptions(ctx: HttpContext) {
    const user = ctx.auth.user!
    return {
      statuses: CRITICAL_VALUE_STATUSES,
      findings: await CriticalFinding.query().orderBy('seq'),
      institutions: readsForAlliance(user) || user.role === 'admin' ? await Institution.query().whereNot('kind', 'lead_hospital').orderBy('code') : [],
    }
  }

  async index(ctx: HttpContext) {
    await guard(ctx, 'registry', 'critical_value.registry')
    const filters = await this.filters(ctx)
    const user = ctx.auth.user!
    const values = await this.registry.list(user, filters)
    values.baseUrl('/critical-values').queryString({ ...ctx.request.qs(), page: undefined })
    const duties = await this.roster.dutiesOf(user.id)
    return ctx.view.render('pages/critical_values/index', {
      values,
      filters,
      query: new URLSearchParams(Object.entries(ctx.request.qs()).filter(([k, v]) => k !== 'page' && v !== '' && v !== undefined) as [string, string][]).toString(),
      onDuty: duties.includes('on_duty'),
      ...(await this.filterOptions(ctx)),
    })
  }

  async show(ctx: HttpContext) {
    const value = await criticalValueForRequest(ctx, ctx.params.id)
    await value.load((loader) =>
      loader
        .load('exam', (q) => q.preload('patient').preload('items'))
        .load('institution')
        .load('raisedBy')
        .load('confirmedBy')
        .load('finding')
    )
    const events = await CriticalValueEvent.query().where('critical_value_id', value.id).orderBy('occurred_at').orderBy('id')
    const deliveries = await CriticalValueDelivery.query().where('critical_value_id', value.id).preload('user').orderBy('id')
    const policy = ctx.bouncer.with('CriticalValuePolicy')
    await audit.fromContext(ctx, { action: 'critical_value.view', targetType: 'critical_value', targetId: value.id })
    return ctx.view.render('pages/critical_values/show', {
      value,
      events,
      deliveries,
      minutesToDeliver: minutesBetween(value.sentAt, value.firstDeliveredAt),
      minutesToAcknowledge: minutesBetween(value.sentAt, value.acknowledgedAt),
      canAcknowledge: value.status === 'open' && (await policy.allows('acknowledge', value)),
      canRecordCall: value.status === 'open' && (await policy.allows('recordCall')),
      canConfirm: value.status === 'awaiting_confirmation' && (await policy.allows('confirm', value)),
      canWithdraw: value.status === 'awaiting_confirmation' && (await policy.allows('raise')),
    })
  }

  async statistics(ctx: HttpContext) {
    await guard(ctx, 'registry', 'critical_value.registry')
    const filters = await this.filters(ctx)
    const stats = await this.registry.clinicStats(ctx.auth.user!, filters)
    const t = (key: string) => ctx.i18n.t(`critical_values.stats.${key}`)
    const chart = ackChartSvg(
      stats.map((s) => ({ name: s.name, median: s.median, p90: s.p90, acknowledged: s.acknowledged })),
      DEFAULT_ACK_MINUTES,
      { median: t('median'), p90: t('p90'), deadline: t('deadline'), minutes: t('minutes_axis'), none: t('none') }
    )
    return ctx.view.render('pages/critical_values/statistics', { stats, chart, filters, ...(await this.filterOptions(ctx)) })
  }

  protected async exportData(ctx: HttpContext) {
    await guard(ctx, 'registry', 'critical_value.export')
    const filters = await this.filters(ctx)
    const data = await this.registry.exportRows(ctx.auth.user!, filters, (key) => ctx.i18n.t(key))
    const stamp = downloadStamp(this.clock.now())
    return { ...data, filters, stamp }
  }

  async exportCsv(ctx: HttpContext) {
    const { header, rows, filters, stamp } = await this.exportData(ctx)
    await audit.fromContext(ctx, { action: 'critical_value.export', details: { format: 'csv', rows: rows.length, filters } })
    ctx.response.header('Content-Type', 'text/csv; charset=utf-8')
    nameDownload(ctx, `critical-values-${stamp}.csv`)
    return toCsv(header, rows)
  }

  async exportXlsx(ctx: HttpContext) {
    const { header, rows, filters, stamp } = await this.exportData(ctx)
    await audit.fromContext(ctx, { action: 'critical_value.export', details: { format: 'xlsx', rows: rows.length, filters } })
    const stats = await this.registry.clinicStats(ctx.auth.user!, filters)
    const t = (key: string) => ctx.i18n.t(`critical_values.stats.${key}`)
    const buffer = await xlsxBuffer([
      { name: ctx.i18n.t('critical_values.export.sheet_registry'), header, rows },
      {
        name: ctx.i18n.t('critical_values.export.sheet_stats'),
        header: [t('clinic'), t('raised'), t('acknowledged'), t('open'), t('escalated'), t('median'), t('p90')],
        rows: stats.map((s) => [s.name, s.raised, s.acknowledged, s.open, s.escalated, s.median ?? '', s.p90 ?? '']),
      },
    ])
    ctx.response.header('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    nameDownload(ctx, `critical-values-${stamp}.xlsx`)
    return buffer
  }
}
