import db from '@adonisjs/lucid/services/db'
import { inject } from '@adonisjs/core'
import type User from '#models/user'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { clinicIndicators } from '#app/platform/clinic_indicators'
import { isDuplicateKey, sqlTime } from '#app/platform/db_helpers'

/*
| The weights of the quarterly total (C 9.3: performance by workload and quality),
| set by the centre and versioned like the staffing ratios: a change is a new
| version with who, when and why; a closed quarter names the version it used.
| Whole percentages that add up to 100.
*/

/**
 * The indicators this round's capabilities register (quality control, recognition,
 * consultation) and the assessments' own: a weight may name one that is not
 * registered yet; the assessment then says "not recorded yet" and leaves it out.
 */
export const EXPECTED_INDICATORS = [
  'quality.image_pass_rate',
  'quality.image_excellent_rate',
  'quality.waste_film_rate',
  'quality.artefact_rate',
  'quality.application_compliance_rate',
  'quality.diagnostic_agreement_rate',
  'recognition.recognition_rate',
  'recognition.dq_timeliness',
  'recognition.dq_consistency',
  'recognition.dq_completeness',
  'recognition.dq_accuracy',
  'recognition.dq_continuity_gap_days',
  'recognition.refusals',
  'consultation.report_sharing_rate',
] as const

/** Version 1: image quality first (C 9.2.2), then sharing (C 9.4), timeliness (R 7.1.1) and training (C 7.3). */
export const DEFAULT_WEIGHTS: Record<string, number> = {
  'quality.image_pass_rate': 15,
  'quality.image_excellent_rate': 5,
  'quality.waste_film_rate': 5,
  'quality.artefact_rate': 5,
  'quality.application_compliance_rate': 5,
  'quality.diagnostic_agreement_rate': 5,
  'recognition.recognition_rate': 5,
  'recognition.dq_timeliness': 5,
  'recognition.dq_completeness': 5,
  'consultation.report_sharing_rate': 10,
  'assessments.turnaround_within_limit': 10,
  'assessments.critical_ack_minutes': 5,
  'assessments.upload_gaps_over_24h': 5,
  'assessments.training_coverage': 5,
  'assessments.staff_assessment_coverage': 5,
  'assessments.workload': 5,
}

export interface WeightSet {
  id: number
  version: number
  note: string
  weights: Record<string, number>
  createdById: number | null
  createdAt: string
}

/** Every key a weight may name: what is registered now and what this round's capabilities will register. */
export function weighableKeys() {
  return [...new Set([...EXPECTED_INDICATORS, ...clinicIndicators.all().map((i) => i.key)])]
}

function fromRow(row: any): WeightSet {
  return {
    id: row.id,
    version: Number(row.version),
    note: row.note,
    weights: JSON.parse(row.weights),
    createdById: row.created_by_id,
    createdAt:
      row.created_at instanceof Date ? row.created_at.toISOString() : String(row.created_at),
  }
}

@inject()
export class AssessmentWeights {
  constructor(protected clock: Clock) {}

  async current(): Promise<WeightSet> {
    const latest = await db.from('assessment_weight_sets').orderBy('version', 'desc').first()
    if (latest) return fromRow(latest)
    try {
      await this.insert(1, 'standard', DEFAULT_WEIGHTS, null)
    } catch (error) {
      if (!isDuplicateKey(error)) throw error
    }
    return fromRow(await db.from('assessment_weight_sets').orderBy('version', 'desc').first())
  }

  async version(version: number): Promise<WeightSet | null> {
    const row = await db.from('assessment_weight_sets').where('version', version).first()
    return row ? fromRow(row) : null
  }

  async history(): Promise<WeightSet[]> {
    await this.current()
    return (await db.from('assessment_weight_sets').orderBy('version', 'desc')).map(fromRow)
  }

  /**
   * A new version. Refused, changing nothing: weights that do not add up to 100, a
   * weight outside 0…100 or on an unknown indicator, no change, or a form based on
   * an older version than the one in force (someone changed them meanwhile).
   */
  async revise(user: User, baseVersion: number, note: string, weights: Record<string, number>) {
    const current = await this.current()
    if (current.version !== baseVersion)
      throw new DomainRefusal(
        'weights_changed',
        'assessments.refusals.weights_changed',
        { version: current.version },
        409
      )
    const known = new Set(weighableKeys())
    const cleaned: Record<string, number> = {}
    for (const [key, weight] of Object.entries(weights)) {
      if (!known.has(key))
        throw new DomainRefusal(
          'weight_unknown_indicator',
          'assessments.refusals.weight_unknown_indicator',
          { key }
        )
      if (!Number.isInteger(weight) || weight < 0 || weight > 100)
        throw new DomainRefusal('weight_out_of_range', 'assessments.refusals.weight_out_of_range', {
          key,
        })
      if (weight > 0) cleaned[key] = weight
    }
    const sum = Object.values(cleaned).reduce((a, b) => a + b, 0)
    if (sum !== 100)
      throw new DomainRefusal(
        'weights_do_not_add_up',
        'assessments.refusals.weights_do_not_add_up',
        { sum }
      )
    if (
      JSON.stringify(Object.entries(cleaned).sort()) ===
      JSON.stringify(Object.entries(current.weights).sort())
    ) {
      throw new DomainRefusal('weights_unchanged', 'assessments.refusals.weights_unchanged')
    }
    try {
      await this.insert(current.version + 1, note, cleaned, user.id)
    } catch (error) {
      if (isDuplicateKey(error))
        throw new DomainRefusal(
          'weights_changed',
          'assessments.refusals.weights_changed',
          { version: current.version + 1 },
          409
        )
      throw error
    }
    return (await this.version(current.version + 1))!
  }

  protected insert(
    version: number,
    note: string,
    weights: Record<string, number>,
    createdById: number | null
  ) {
    return db.table('assessment_weight_sets').insert({
      version,
      note,
      weights: JSON.stringify(weights),
      created_by_id: createdById,
      created_at: sqlTime(this.clock.now()),
    })
  }
}
