import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import { inject } from '@adonisjs/core'
import type User from '#models/user'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import {
  clinicIndicators,
  type ClinicIndicator,
  type IndicatorValue,
} from '#app/platform/clinic_indicators'
import { sqlTime } from '#app/platform/db_helpers'
import {
  AssessmentWeights,
  weighableKeys,
  type WeightSet,
} from '#app/assessments/services/assessment_weights'
import { lastFourQuarters, previousQuarter, type Quarter } from '#app/assessments/services/quarters'

/*
| The quarterly assessment of each member clinic (C 9.3): every registered clinic
| indicator for the quarter, a weighted total with the centre's weights and the
| rank among members. An open quarter is computed from the records as they are;
| a closed quarter is a frozen snapshot, and a correction is a new version of it
| with a reason (nobody edits a closed quarter).
*/

export interface IndicatorColumn {
  key: string
  labelKey: string
  unit: ClinicIndicator['unit'] | null
  higherIsBetter: boolean | null
  target: number | null
  /** false: a weight names it but no capability registered it yet ("not recorded yet") */
  registered: boolean
  weight: number
}

export interface ClinicRow {
  clinicId: number
  clinicName: string
  values: Record<string, IndicatorValue>
  /** 0…100, or null when none of the weighted indicators had a figure */
  total: number | null
  rank: number | null
}

export interface QuarterAssessment {
  quarter: string
  from: string
  to: string
  weightSetVersion: number
  indicators: IndicatorColumn[]
  clinics: ClinicRow[]
  /** when these figures were computed (UTC ISO) */
  computedAt?: string
  /** set when the quarter is closed: the frozen version shown */
  closed: {
    version: number
    reason: string | null
    closedAt: string
    closedById: number | null
  } | null
}

/**
 * One indicator's score of a clinic in 0…1, among the members: a rate is itself
 * (or 1 − itself when lower is better); a count, minutes or days is placed between
 * the members' lowest and highest (all equal: 1). Null without a figure.
 */
export function scoreOf(
  column: Pick<IndicatorColumn, 'unit' | 'higherIsBetter'>,
  value: number | null,
  all: Array<number | null>
) {
  if (value === null || value === undefined) return null
  if (column.unit === 'rate') return column.higherIsBetter ? value : 1 - value
  const figures = all.filter((v): v is number => v !== null && v !== undefined)
  const min = Math.min(...figures)
  const max = Math.max(...figures)
  if (max === min) return 1
  const placed = (value - min) / (max - min)
  return column.higherIsBetter ? placed : 1 - placed
}

/**
 * The weighted total (0…100) of each clinic over the weighted indicators it has a
 * figure for (the weights of the others are shared out over those, so a clinic with
 * no critical value is not marked down for it), and the rank: 1 for the highest, ties
 * share a rank.
 */
export function totalsAndRanks(
  columns: IndicatorColumn[],
  rows: Array<Pick<ClinicRow, 'clinicId' | 'values'>>
) {
  const weighted = columns.filter((c) => c.registered && c.weight > 0)
  const totals = new Map<number, number | null>()
  for (const row of rows) {
    let sum = 0
    let weights = 0
    for (const column of weighted) {
      const score = scoreOf(
        column,
        row.values[column.key]?.value ?? null,
        rows.map((r) => r.values[column.key]?.value ?? null)
      )
      if (score === null) continue
      sum += score * column.weight
      weights += column.weight
    }
    totals.set(row.clinicId, weights > 0 ? Math.round((sum / weights) * 1000) / 10 : null)
  }
  const ranked = [...totals.values()].filter((t): t is number => t !== null).sort((a, b) => b - a)
  const ranks = new Map<number, number | null>()
  for (const [clinicId, total] of totals)
    ranks.set(clinicId, total === null ? null : ranked.indexOf(total) + 1)
  return { totals, ranks }
}

/** How long the live figures of an open quarter are reused on one node. */
export const OPEN_QUARTER_CACHE_MS = 5 * 60_000
const openQuarterCache = new Map<string, { at: number; value: Promise<QuarterAssessment> }>()

@inject()
export class QuarterlyAssessment {
  constructor(
    protected clock: Clock,
    protected weights: AssessmentWeights
  ) {}

  async members() {
    return db
      .from('institutions')
      .where('kind', 'member_clinic')
      .where('active', true)
      .orderBy('name')
      .select('id', 'name')
  }

  /** The columns: every weighted key and every registered indicator, in the weights' order, then the rest. */
  columns(weightSet: WeightSet): IndicatorColumn[] {
    const registered = clinicIndicators.all()
    const keys = [...new Set([...Object.keys(weightSet.weights), ...registered.map((i) => i.key)])]
    return keys
      .filter((key) => weightSet.weights[key] || clinicIndicators.get(key))
      .map((key) => {
        const indicator = clinicIndicators.get(key)
        return {
          key,
          labelKey: indicator?.labelKey ?? `assessments.indicators.${key.replace('.', '_')}`,
          unit: indicator?.unit ?? null,
          higherIsBetter: indicator?.higherIsBetter ?? null,
          target: indicator?.target ?? null,
          registered: Boolean(indicator),
          weight: weightSet.weights[key] ?? 0,
        }
      })
  }

  /** Computes the quarter from the records (every member, one grouped query per indicator). */
  async compute(quarter: Quarter, weightSet?: WeightSet): Promise<QuarterAssessment> {
    const set = weightSet ?? (await this.weights.current())
    const members = await this.members()
    const clinicIds = members.map((m: any) => Number(m.id))
    const columns = this.columns(set)
    const values = new Map<string, Map<number, IndicatorValue>>()
    for (const column of columns) {
      const indicator = clinicIndicators.get(column.key)
      if (indicator)
        values.set(
          column.key,
          await indicator.compute({ from: quarter.from, to: quarter.to, clinicIds })
        )
    }
    const rows = members.map((m: any) => {
      const clinicValues: Record<string, IndicatorValue> = {}
      for (const [key, byClinic] of values)
        clinicValues[key] = byClinic.get(Number(m.id)) ?? { value: null }
      return {
        clinicId: Number(m.id),
        clinicName: m.name as string,
        values: clinicValues,
        total: null,
        rank: null,
      } as ClinicRow
    })
    const { totals, ranks } = totalsAndRanks(columns, rows)
    for (const row of rows) {
      row.total = totals.get(row.clinicId) ?? null
      row.rank = ranks.get(row.clinicId) ?? null
    }
    rows.sort(
      (a, b) =>
        (a.rank ?? Infinity) - (b.rank ?? Infinity) ||
        a.clinicName.localeCompare(b.clinicName, 'zh-CN')
    )
    return {
      quarter: quarter.key,
      from: quarter.from.toISO()!,
      to: quarter.to.toISO()!,
      weightSetVersion: set.version,
      indicators: columns,
      clinics: rows,
      computedAt: this.clock.now().toISO()!,
      closed: null,
    }
  }

  /** The latest closed version of a quarter, or null when it is open. */
  async closedVersion(quarterKey: string): Promise<QuarterAssessment | null> {
    const row = await db
      .from('assessment_quarters')
      .where('quarter', quarterKey)
      .orderBy('version', 'desc')
      .first()
    if (!row) return null
    const figures = JSON.parse(row.figures) as QuarterAssessment
    return {
      ...figures,
      closed: {
        version: Number(row.version),
        reason: row.reason,
        closedAt: new Date(row.closed_at).toISOString(),
        closedById: row.closed_by_id,
      },
    }
  }

  async versions(quarterKey: string) {
    return db
      .from('assessment_quarters')
      .where('quarter', quarterKey)
      .orderBy('version', 'desc')
      .select('version', 'reason', 'closed_at', 'closed_by_id', 'weight_set_version')
  }

  /**
   * What the page shows: the frozen figures of a closed quarter, else the live ones.
   * Live figures are kept for OPEN_QUARTER_CACHE_MS per node (a quarter over 40
   * clinics and a million exams takes seconds to compute; see docs/performance.md),
   * and the page says when they were computed. Not in tests: they change the
   * records between requests and must see every change.
   */
  async forQuarter(quarter: Quarter): Promise<QuarterAssessment> {
    const closed = await this.closedVersion(quarter.key)
    if (closed) return closed
    if (app.inTest) return this.compute(quarter)
    const weights = await this.weights.current()
    const key = `${quarter.key}:${weights.version}`
    const cached = openQuarterCache.get(key)
    if (cached && Date.now() - cached.at < OPEN_QUARTER_CACHE_MS) return cached.value
    // One computation at a time per quarter: requests arriving meanwhile wait for it (not ten at once on the pool).
    const value = this.compute(quarter, weights)
    openQuarterCache.set(key, { at: Date.now(), value })
    value.catch(() => openQuarterCache.delete(key))
    return value
  }

  /** The quarter and the three before it, oldest first: the trend of every figure. */
  async trend(quarter: Quarter) {
    const quarters = lastFourQuarters(quarter)
    return Promise.all(quarters.map((q) => this.forQuarter(q)))
  }

  /**
   * Closes a quarter that has ended: its figures are frozen as version 1. A
   * closed quarter is never recomputed; use a correction.
   */
  async close(user: User, quarter: Quarter) {
    if (this.clock.now() < quarter.to)
      throw new DomainRefusal('quarter_not_over', 'assessments.refusals.quarter_not_over', {
        quarter: quarter.key,
      })
    if (await this.closedVersion(quarter.key))
      throw new DomainRefusal(
        'quarter_closed',
        'assessments.refusals.quarter_closed',
        { quarter: quarter.key },
        409
      )
    return this.freeze(user, quarter, 1, null)
  }

  /** A correction of a closed quarter: a new version, recomputed from the records as they are now, with a reason. */
  async correct(user: User, quarter: Quarter, reason: string) {
    const closed = await this.closedVersion(quarter.key)
    if (!closed)
      throw new DomainRefusal(
        'quarter_open',
        'assessments.refusals.quarter_open',
        { quarter: quarter.key },
        409
      )
    if (!reason.trim())
      throw new DomainRefusal('reason_required', 'assessments.refusals.reason_required')
    return this.freeze(user, quarter, closed.closed!.version + 1, reason.trim())
  }

  protected async freeze(user: User, quarter: Quarter, version: number, reason: string | null) {
    const figures = await this.compute(quarter)
    try {
      await db.table('assessment_quarters').insert({
        quarter: quarter.key,
        version,
        weight_set_version: figures.weightSetVersion,
        figures: JSON.stringify(figures),
        reason,
        closed_by_id: user.id,
        closed_at: sqlTime(this.clock.now()),
      })
    } catch (error: any) {
      if (error?.code === 'ER_DUP_ENTRY')
        throw new DomainRefusal(
          'quarter_closed',
          'assessments.refusals.quarter_closed',
          { quarter: quarter.key },
          409
        )
      throw error
    }
    return (await this.closedVersion(quarter.key))!
  }

  /** What a person may see of a quarter: a member clinic's staff only their own row (with its rank among all). */
  static visibleTo(
    user: Pick<User, 'role' | 'institutionId'>,
    assessment: QuarterAssessment
  ): QuarterAssessment {
    if (user.role === 'qc_officer' || user.role === 'admin') return assessment
    return {
      ...assessment,
      clinics: assessment.clinics.filter((c) => c.clinicId === user.institutionId),
    }
  }

  static previous(quarter: Quarter) {
    return previousQuarter(quarter)
  }

  /** Keys a weight form offers. */
  static weighable() {
    return weighableKeys()
  }
}
