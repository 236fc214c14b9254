import { inject } from '@adonisjs/core'
import { DateTime } from 'luxon'
import StaffingPlan from '#models/staffing_plan'
import type User from '#models/user'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { StaffingCalculator } from './staffing_calculator.js'
import { isDuplicateKey } from '#app/platform/db_helpers'
import type { CalculationInput } from './staffing_rules.js'

/** Side by side: at least two scenarios, at most what fits on a screen. */
export const COMPARE_MIN = 2
export const COMPARE_MAX = 4

/**
 * Saved scenarios. The server computes the plan again from the input when saving
 * (nothing computed by a browser is trusted) and keeps the ratios it used and the
 * result as they were, so a later change of ratios or roster does not rewrite history.
 */
@inject()
export class StaffingPlans {
  constructor(protected calculator: StaffingCalculator) {}

  async save(
    user: User,
    details: { name: string; notes?: string | null },
    input: CalculationInput
  ) {
    const name = details.name.trim()
    if (await StaffingPlan.findBy('name', name))
      throw new DomainRefusal('plan_name_taken', 'staffing.plans.name_taken', { name })
    const result = await this.calculator.calculate(input)
    const period = result.workload.period
    try {
      return await StaffingPlan.create({
        name,
        notes: details.notes?.trim() || null,
        ratioSetId: result.ratios.id!,
        workloadSource: input.source,
        periodFrom: period ? DateTime.fromISO(period.from, { zone: 'utc' }) : null,
        periodTo: period ? DateTime.fromISO(period.to, { zone: 'utc' }) : null,
        input: { ...input, from: period?.from ?? null, to: period?.to ?? null },
        ratios: result.ratios,
        result,
        createdById: user.id,
      })
    } catch (error) {
      // The same form sent twice at once: the unique name lets one through.
      if (isDuplicateKey(error))
        throw new DomainRefusal('plan_name_taken', 'staffing.plans.name_taken', { name })
      throw error
    }
  }

  list() {
    return StaffingPlan.query()
      .preload('createdBy')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
  }

  async find(id: number) {
    const plan = await StaffingPlan.query().where('id', id).preload('createdBy').first()
    if (!plan) throw DomainRefusal.notFound('plan')
    return plan
  }

  async compare(ids: number[]) {
    const unique = [...new Set(ids)]
    if (unique.length < COMPARE_MIN || unique.length > COMPARE_MAX) {
      throw new DomainRefusal('compare_count', 'staffing.plans.compare_count', {
        min: COMPARE_MIN,
        max: COMPARE_MAX,
      })
    }
    const plans = await StaffingPlan.query().whereIn('id', unique).preload('createdBy')
    if (plans.length !== unique.length) throw DomainRefusal.notFound('plan')
    return unique.map((id) => plans.find((p) => p.id === id)!)
  }

  async remove(id: number) {
    const plan = await this.find(id)
    await plan.delete()
    return plan
  }
}
