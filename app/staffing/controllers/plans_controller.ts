import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { DateTime } from 'luxon'
import imaging from '#config/imaging'
import { calculationInput, compareValidator, planValidator } from '#app/staffing/validators/staffing_validators'
import { StaffingPlans } from '#app/staffing/services/staffing_plans'
import { StaffingRatios } from '#app/staffing/services/staffing_ratios'
import { comparisonRows, comparisonWorkbook, planDocument, planPdf, planWorkbook } from '#app/staffing/services/plan_documents'
import { audit } from '#app/audit/audit_log'
import { auditedWork } from '#app/staffing/audited_work'
import { resultView, chartOf } from './staffing_view.js'
import { presenter } from '#app/staffing/services/staffing_presenter'
import type StaffingPlan from '#models/staffing_plan'
import { nameDownload, downloadStamp } from '#app/platform/documents'

const downloadAs = (ctx: HttpContext, name: string) => nameDownload(ctx, name)

const formatTime = (iso: string) => DateTime.fromISO(iso).setZone(imaging.displayTimezone).toFormat('yyyy-MM-dd HH:mm')

/** Saved scenarios: save, list, open, compare side by side, export (Excel, PDF), delete. */
@inject()
export default class PlansController {
  constructor(
    protected plans: StaffingPlans,
    protected ratios: StaffingRatios
  ) {}

  protected t(ctx: HttpContext) {
    return (key: string, data?: Record<string, unknown>) => ctx.i18n.t(key, data)
  }

  protected fileName(plan: StaffingPlan, ext: string) {
    return `staffing-plan-${plan.id}-${downloadStamp(plan.createdAt, 'yyyyMMdd')}.${ext}`
  }

  async index({ view, bouncer }: HttpContext) {
    await bouncer.with('StaffingPolicy').authorize('manage')
    const plans = await this.plans.list()
    const current = await this.ratios.current()
    return view.render('pages/staffing/plans', { plans, currentVersion: current.version })
  }

  async store(ctx: HttpContext) {
    await ctx.bouncer.with('StaffingPolicy').authorize('manage')
    const data = await ctx.request.validateUsing(planValidator)
    const plan = await auditedWork(
      ctx,
      { action: 'staffing.plan.save', targetType: 'staffing_plan', details: { name: data.name, source: data.source ?? 'recorded' } },
      () => this.plans.save(ctx.auth.user!, { name: data.name, notes: data.notes }, calculationInput(data)),
      (p) => p.id
    )
    ctx.session.flash('success', ctx.i18n.t('staffing.plans.saved', { name: plan.name }))
    return ctx.response.redirect(`/admin/staffing/plans/${plan.id}`)
  }

  async show(ctx: HttpContext) {
    await ctx.bouncer.with('StaffingPolicy').authorize('manage')
    const plan = await this.plans.find(Number(ctx.params.id) || 0)
    const current = await this.ratios.current()
    return ctx.view.render('pages/staffing/plan', { plan, currentVersion: current.version, ...resultView(ctx, plan.result) })
  }

  protected async compared(ctx: HttpContext) {
    const raw = ctx.request.input('ids')
    const ids = (Array.isArray(raw) ? raw : String(raw ?? '').split(',')).filter((v: unknown) => String(v).trim() !== '')
    const data = await compareValidator.validate({ ids }, { messagesProvider: ctx.i18n.createMessagesProvider() })
    return this.plans.compare(data.ids)
  }

  async compare(ctx: HttpContext) {
    await ctx.bouncer.with('StaffingPolicy').authorize('manage')
    const plans = await this.compared(ctx)
    const docs = plans.map((plan) => planDocument(plan, formatTime))
    return ctx.view.render('pages/staffing/compare', {
      plans,
      rows: comparisonRows(docs, this.t(ctx)),
      charts: plans.map((plan) => chartOf(ctx, plan.result, `chart-${plan.id}`)),
      ids: plans.map((p) => p.id).join(','),
      p: presenter,
    })
  }

  async compareXlsx(ctx: HttpContext) {
    await ctx.bouncer.with('StaffingPolicy').authorize('manage')
    const plans = await this.compared(ctx)
    const buffer = await comparisonWorkbook(
      plans.map((plan) => planDocument(plan, formatTime)),
      this.t(ctx)
    )
    await audit.fromContext(ctx, { action: 'staffing.plan.export', targetType: 'staffing_plan', details: { ids: plans.map((p) => p.id), format: 'xlsx', compare: true } })
    ctx.response.header('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    downloadAs(ctx, `staffing-compare-${plans.map((p) => p.id).join('-')}.xlsx`)
    return buffer
  }

  async xlsx(ctx: HttpContext) {
    await ctx.bouncer.with('StaffingPolicy').authorize('manage')
    const plan = await this.plans.find(Number(ctx.params.id) || 0)
    const buffer = await planWorkbook(planDocument(plan, formatTime), this.t(ctx))
    await audit.fromContext(ctx, { action: 'staffing.plan.export', targetType: 'staffing_plan', targetId: plan.id, details: { format: 'xlsx' } })
    ctx.response.header('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    downloadAs(ctx, this.fileName(plan, 'xlsx'))
    return buffer
  }

  async pdf(ctx: HttpContext) {
    await ctx.bouncer.with('StaffingPolicy').authorize('manage')
    const plan = await this.plans.find(Number(ctx.params.id) || 0)
    const buffer = await planPdf(planDocument(plan, formatTime), this.t(ctx))
    await audit.fromContext(ctx, { action: 'staffing.plan.export', targetType: 'staffing_plan', targetId: plan.id, details: { format: 'pdf' } })
    ctx.response.header('Content-Type', 'application/pdf')
    downloadAs(ctx, this.fileName(plan, 'pdf'))
    return buffer
  }

  async destroy(ctx: HttpContext) {
    await ctx.bouncer.with('StaffingPolicy').authorize('manage')
    const plan = await auditedWork(ctx, { action: 'staffing.plan.delete', targetType: 'staffing_plan', targetId: ctx.params.id }, () =>
      this.plans.remove(Number(ctx.params.id) || 0)
    )
    ctx.session.flash('success', ctx.i18n.t('staffing.plans.deleted', { name: plan.name }))
    return ctx.response.redirect('/admin/staffing/plans')
  }
}
