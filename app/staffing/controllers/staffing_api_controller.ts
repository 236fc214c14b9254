import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { calculationInput, calculationValidator } from '#app/staffing/validators/staffing_validators'
import { StaffingCalculator } from '#app/staffing/services/staffing_calculator'
import { StaffingPlans } from '#app/staffing/services/staffing_plans'
import { StaffingRatios } from '#app/staffing/services/staffing_ratios'
import { audit } from '#app/audit/audit_log'
import { DomainRefusal } from '#app/platform/domain_refusal'
import type StaffingPlan from '#models/staffing_plan'

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

/** /api/v1/staffing: the calculator, the ratios in force and the saved plans, for administrators' tools. */
@inject()
export default class StaffingApiController {
  constructor(
    protected calculator: StaffingCalculator,
    protected plans: StaffingPlans,
    protected ratios: StaffingRatios
  ) {}

  async calculate(ctx: HttpContext) {
    await ctx.bouncer.with('StaffingPolicy').authorize('manage')
    const data = await ctx.request.validateUsing(calculationValidator)
    try {
      const result = await this.calculator.calculate(calculationInput(data))
      await audit.fromContext(ctx, { action: 'staffing.calculate', details: { source: result.workload.source, period: result.workload.period, via: 'api' } })
      return { data: result }
    } catch (error) {
      if (error instanceof DomainRefusal) await audit.fromContext(ctx, { action: 'staffing.calculate', outcome: 'refused', details: { code: error.code, via: 'api' } })
      throw error
    }
  }

  async currentRatios({ bouncer }: HttpContext) {
    await bouncer.with('StaffingPolicy').authorize('manage')
    return { data: await this.ratios.currentSnapshot() }
  }

  async index({ bouncer }: HttpContext) {
    await bouncer.with('StaffingPolicy').authorize('manage')
    const plans = await this.plans.list()
    return { data: plans.map((plan) => planJson(plan)) }
  }

  async show({ bouncer, params }: HttpContext) {
    await bouncer.with('StaffingPolicy').authorize('manage')
    const plan = await this.plans.find(Number(params.id) || 0)
    return { data: planJson(plan, true) }
  }
}
