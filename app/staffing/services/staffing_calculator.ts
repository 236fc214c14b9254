import { inject } from '@adonisjs/core'
import { DateTime } from 'luxon'
import Institution from '#models/institution'
import Equipment from '#models/equipment'
import StaffMember from '#models/staff_member'
import imaging from '#config/imaging'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { EQUIPMENT_STANDARDS, equipmentCheck } from '#app/equipment/services/equipment_rules'
import { StaffingRatios } from './staffing_ratios.js'
import { WorkloadCounter } from './workload_counter.js'
import {
  WORKLOAD_CATEGORIES,
  adjust,
  annualise,
  emptyWorkload,
  leadGap,
  leadRequirement,
  memberDeviceRule,
  memberGap,
  rosterSummary,
  rosterTitleMix,
  type CalculationInput,
  type MemberPlan,
  type RatioSnapshot,
  type StaffingResult,
  type Workload,
  type WorkloadLine,
} from './staffing_rules.js'

/** A period shorter than a month annualises noise; longer than three years is no longer "the workload". */
export const MIN_PERIOD_MONTHS = 1
export const MAX_PERIOD_MONTHS = 36

export interface ResolvedPeriod {
  from: string
  to: string
  /** first instant counted and first instant not counted (UTC) */
  start: DateTime
  end: DateTime
  /** calendar months the period covers (fractional) */
  months: number
}

/**
 * The calculator: workload (recorded or typed, plus what-if changes) → Table 1
 * → planned staff → gap against the roster, for the lead hospital; the device
 * rule and its gap for each member. The same method serves the page, the saved
 * plans and /api/v1.
 */
@inject()
export class StaffingCalculator {
  constructor(
    protected clock: Clock,
    protected ratios: StaffingRatios,
    protected counter: WorkloadCounter
  ) {}

  protected today() {
    return this.clock.now().setZone(imaging.displayTimezone).startOf('day')
  }

  /** The last twelve whole months, ending yesterday (hospital days). */
  defaultPeriod() {
    const today = this.today()
    return {
      from: today.minus({ years: 1 }).toISODate()!,
      to: today.minus({ days: 1 }).toISODate()!,
    }
  }

  /** Calendar dates (hospital zone, both inclusive) → the instants to count between, or a refusal saying what is wrong. */
  resolvePeriod(from?: string | null, to?: string | null): ResolvedPeriod {
    const fallback = this.defaultPeriod()
    const zone = imaging.displayTimezone
    const first = DateTime.fromISO(from || fallback.from, { zone })
    const last = DateTime.fromISO(to || fallback.to, { zone })
    if (!first.isValid || !last.isValid)
      throw new DomainRefusal('period_invalid', 'staffing.calculator.period_invalid')
    if (last < first)
      throw new DomainRefusal('period_reversed', 'staffing.calculator.period_reversed')
    if (last > this.today())
      throw new DomainRefusal('period_in_future', 'staffing.calculator.period_in_future')
    const start = first.startOf('day')
    const end = last.plus({ days: 1 }).startOf('day')
    const months = Math.round(end.diff(start, 'months').months * 1000) / 1000
    if (months < MIN_PERIOD_MONTHS)
      throw new DomainRefusal('period_too_short', 'staffing.calculator.period_too_short', {
        months: MIN_PERIOD_MONTHS,
      })
    if (months > MAX_PERIOD_MONTHS)
      throw new DomainRefusal('period_too_long', 'staffing.calculator.period_too_long', {
        months: MAX_PERIOD_MONTHS,
      })
    return {
      from: start.toISODate()!,
      to: last.toISODate()!,
      start: start.toUTC(),
      end: end.toUTC(),
      months,
    }
  }

  async calculate(input: CalculationInput, ratios?: RatioSnapshot): Promise<StaffingResult> {
    const snapshot = ratios ?? (await this.ratios.currentSnapshot())
    const institutions = await Institution.query()
      .whereIn('kind', ['lead_hospital', 'member_clinic'])
      .where('active', true)
      .orderBy('code')
    const lead = institutions.find((i) => i.kind === 'lead_hospital') ?? null
    const members = institutions.filter((i) => i.kind === 'member_clinic')

    // Workload: the centre reads every exam of the alliance (doctors); the lead hospital's
    // own technologists and nurses perform only the exams done on its own devices.
    let period: ResolvedPeriod | null = null
    let readCounted: Workload | null = null
    let performedCounted: Workload | null = null
    let readAnnual: Workload
    let performedAnnual: Workload
    let byInstitution = new Map<number, Workload>()
    if (input.source === 'typed') {
      if (!input.typed)
        throw new DomainRefusal('workload_missing', 'staffing.calculator.workload_missing')
      readAnnual = { ...emptyWorkload(), ...input.typed.read }
      performedAnnual = { ...emptyWorkload(), ...input.typed.performed }
    } else {
      period = this.resolvePeriod(input.from, input.to)
      const counted = await this.counter.count(period.start, period.end)
      byInstitution = counted.byInstitution
      readCounted = counted.all
      performedCounted = (lead && counted.byInstitution.get(lead.id)) || emptyWorkload()
      readAnnual = emptyWorkload()
      performedAnnual = emptyWorkload()
      for (const category of WORKLOAD_CATEGORIES) {
        readAnnual[category] = annualise(readCounted[category], period.months)
        performedAnnual[category] = annualise(performedCounted[category], period.months)
      }
    }

    const read = emptyWorkload()
    const performed = emptyWorkload()
    const lines: WorkloadLine[] = WORKLOAD_CATEGORIES.map((category) => {
      const pct = input.adjustments?.[category] ?? 0
      read[category] = adjust(readAnnual[category], pct)
      performed[category] = adjust(performedAnnual[category], pct)
      return {
        category,
        adjustmentPct: pct,
        read: {
          counted: readCounted ? readCounted[category] : null,
          annual: readAnnual[category],
          planned: read[category],
        },
        performed: {
          counted: performedCounted ? performedCounted[category] : null,
          annual: performedAnnual[category],
          planned: performed[category],
        },
      }
    })

    const ids = institutions.map((i) => i.id)
    const staff = ids.length
      ? await StaffMember.query().whereIn('institution_id', ids).where('active', true)
      : []
    const devices = ids.length ? await Equipment.query().whereIn('institution_id', ids) : []
    const staffOf = (id: number) => staff.filter((s) => s.institutionId === id)
    const devicesOf = (id: number) => devices.filter((d) => d.institutionId === id)

    const requirement = leadRequirement(read, performed, snapshot)
    const leadRoster = rosterSummary(lead ? staffOf(lead.id) : [])
    const memberPlans: MemberPlan[] = members.map((member) => {
      const roster = rosterSummary(staffOf(member.id))
      const rule = memberDeviceRule(devicesOf(member.id), snapshot.memberRule)
      const own = byInstitution.get(member.id)
      const required = { technologists: rule.technologists, nurses: rule.nurses }
      return {
        institution: { id: member.id, code: member.code, name: member.name },
        devices: rule.devices,
        contrastDevices: rule.contrastDevices,
        required,
        gap: memberGap(required, roster),
        doctors: roster.doctors,
        workload: period
          ? (Object.fromEntries(
              WORKLOAD_CATEGORIES.map((c) => [c, annualise(own?.[c] ?? 0, period!.months)])
            ) as Workload)
          : null,
        equipmentMissing: equipmentCheck(EQUIPMENT_STANDARDS.member_clinic, devicesOf(member.id))
          .missing,
      }
    })

    return {
      computedAt: this.clock.now().toUTC().toISO()!,
      ratios: snapshot,
      workload: {
        source: input.source,
        period: period ? { from: period.from, to: period.to, months: period.months } : null,
        lines,
        read,
        performed,
      },
      lead: {
        institution: lead ? { id: lead.id, code: lead.code, name: lead.name } : null,
        requirement,
        roster: leadRoster,
        titleMix: rosterTitleMix(leadRoster, snapshot.titleMix),
        gap: leadGap(requirement, leadRoster, snapshot),
        equipmentMissing: lead
          ? equipmentCheck(EQUIPMENT_STANDARDS.lead_hospital, devicesOf(lead.id)).missing
          : [],
      },
      members: memberPlans,
      memberTotals: {
        devices: memberPlans.reduce((n, m) => n + m.devices, 0),
        technologistsRequired: memberPlans.reduce((n, m) => n + m.required.technologists, 0),
        technologistsActual: memberPlans.reduce(
          (n, m) => n + m.gap.technologists.actualHeadcount,
          0
        ),
        nursesRequired: memberPlans.reduce((n, m) => n + m.required.nurses, 0),
        nursesActual: memberPlans.reduce((n, m) => n + m.gap.nurses.actualHeadcount, 0),
      },
    }
  }
}
