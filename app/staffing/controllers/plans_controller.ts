import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { DateTime } from 'luxon'
import imaging from '#config/imaging'
import {
  calculationInput,
  compareValidator,
  planValidator,
} from '#app/staffing/validators/staffing_validators'
import { StaffingPlans } from '#app/staffing/services/staffing_plans'
import { StaffingRatios } from '#app/staffing/services/staffing_ratios'
import {
  comparisonRows,
  comparisonWorkbook,
  planDocument,
  planPdf,
  planWorkbook,
} from '#app/staffing/services/plan_documents'
import { presenter } from '#app/staffing/services/staffing_presenter'
import { mayManageStaffing, staffingPlanTarget } from '#app/staffing/staffing_access'
import type StaffingPlan from '#models/staffing_plan'
import { nameDownload, downloadStamp } from '#app/platform/documents'
import { useCase, done } from '#app/platform/http/use_case'
import { resultView, chartOf } from './staffing_view.js'

const formatTime = (iso: string) =>
  DateTime.fromISO(iso).setZone(imaging.displayTimezone).toFormat('yyyy-MM-dd HH:mm')

const planJson = (plan: StaffingPlan, withResult = false) => ({
  id: plan.id,
  name: plan.name,
  notes: plan.notes,
  createdAt: plan.createdAt.toISO(),
  createdBy: plan.createdBy ? { id: plan.createdBy.id, fullName: plan.createdBy.fullName } : null,
  ratioVersion: plan.ratios.version,
  input: plan.input,
  ...(withResult ? { result: plan.result } : {}),
})

/** `?ids=1,2` or `?ids=1&ids=2`: the plans to compare. */
const compareInput = async (ctx: HttpContext) => {
  const raw = ctx.request.qs().ids
  const ids = (Array.isArray(raw) ? raw : String(raw ?? '').split(',')).filter(
    (v: unknown) => String(v).trim() !== ''
  )
  return compareValidator.validate({ ids }, { messagesProvider: ctx.i18n.createMessagesProvider() })
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

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

  /** Download names carry the hospital's date. */
  protected fileName(plan: StaffingPlan, ext: string) {
    return `staffing-plan-${plan.id}-${downloadStamp(plan.createdAt, 'yyyyMMdd')}.${ext}`
  }

  protected send(ctx: HttpContext, type: string, name: string, buffer: Buffer) {
    ctx.response.header('Content-Type', type)
    nameDownload(ctx, name)
    return buffer
  }

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'staffing.plan.list',
      allow: mayManageStaffing,
      run: async () => ({ plans: await this.plans.list(), current: await this.ratios.current() }),
      json: ({ plans }) => ({ data: plans.map((plan) => planJson(plan)) }),
      page: ({ plans, current }) =>
        ctx.view.render('pages/staffing/plans', { plans, currentVersion: current.version }),
    })
  }

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'staffing.plan.save',
      allow: mayManageStaffing,
      input: planValidator,
      run: ({ user, input }) =>
        this.plans.save(user, { name: input.name, notes: input.notes }, calculationInput(input)),
      audit: {
        target: (plan) => ({ type: 'staffing_plan', id: plan.id }),
        details: (_, { input }) => ({ name: input.name, source: input.source ?? 'recorded' }),
      },
      page: (plan) =>
        done(ctx, 'staffing.plans.saved', { name: plan.name }, `/admin/staffing/plans/${plan.id}`),
    })
  }

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'staffing.plan.view',
      allow: mayManageStaffing,
      target: staffingPlanTarget,
      run: async ({ target }) => ({ plan: target, current: await this.ratios.current() }),
      json: ({ plan }) => ({ data: planJson(plan, true) }),
      page: ({ plan, current }) =>
        ctx.view.render('pages/staffing/plan', {
          plan,
          currentVersion: current.version,
          ...resultView(ctx, plan.result),
        }),
    })
  }

  compare(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'staffing.plan.compare',
      allow: mayManageStaffing,
      input: compareInput,
      run: ({ input }) => this.plans.compare(input.ids),
      audit: { details: (plans) => ({ ids: plans.map((p) => p.id) }) },
      page: (plans) =>
        ctx.view.render('pages/staffing/compare', {
          plans,
          rows: comparisonRows(
            plans.map((plan) => planDocument(plan, formatTime)),
            this.t(ctx)
          ),
          charts: plans.map((plan) => chartOf(ctx, plan.result, `chart-${plan.id}`)),
          ids: plans.map((p) => p.id).join(','),
          p: presenter,
        }),
    })
  }

  compareXlsx(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'staffing.plan.export',
      allow: mayManageStaffing,
      input: compareInput,
      run: async ({ input }) => {
        const plans = await this.plans.compare(input.ids)
        return {
          plans,
          buffer: await comparisonWorkbook(
            plans.map((plan) => planDocument(plan, formatTime)),
            this.t(ctx)
          ),
        }
      },
      audit: {
        target: () => ({ type: 'staffing_plan', id: null }),
        details: ({ plans }) => ({ ids: plans.map((p) => p.id), format: 'xlsx', compare: true }),
      },
      page: ({ plans, buffer }) =>
        this.send(ctx, XLSX, `staffing-compare-${plans.map((p) => p.id).join('-')}.xlsx`, buffer),
    })
  }

  xlsx(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'staffing.plan.export',
      allow: mayManageStaffing,
      target: staffingPlanTarget,
      run: ({ target }) => planWorkbook(planDocument(target, formatTime), this.t(ctx)),
      audit: { details: () => ({ format: 'xlsx' }) },
      page: (buffer, { target }) => this.send(ctx, XLSX, this.fileName(target, 'xlsx'), buffer),
    })
  }

  pdf(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'staffing.plan.export',
      allow: mayManageStaffing,
      target: staffingPlanTarget,
      run: ({ target }) => planPdf(planDocument(target, formatTime), this.t(ctx)),
      audit: { details: () => ({ format: 'pdf' }) },
      page: (buffer, { target }) =>
        this.send(ctx, 'application/pdf', this.fileName(target, 'pdf'), buffer),
    })
  }

  destroy(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'staffing.plan.delete',
      allow: mayManageStaffing,
      target: staffingPlanTarget,
      run: ({ target }) => this.plans.remove(target.id),
      page: (plan) =>
        done(ctx, 'staffing.plans.deleted', { name: plan.name }, '/admin/staffing/plans'),
    })
  }
}
