/*
| The figures by which the centre judges each member clinic over a period
| (C 9.2.2, C 9.3, C 9.4, Q 5.1, R 7.1): each capability that records them
| registers its own indicators here (quality control its pass rates,
| recognition its data-quality metrics and recognition rate, consultation the
| report sharing rate…), and the quarterly assessment reads them all without
| importing any capability.
|
| An indicator answers for many clinics at once (one grouped query, not one
| per clinic), for a half-open period [from, to) in hospital time, and says
| what its figure was computed from (numerator / denominator) and where the
| underlying records can be seen, so every figure in an assessment links to
| its records.
*/
import type { DateTime } from 'luxon'

export interface IndicatorValue {
  /** The figure itself: a rate in 0..1, a count, minutes… as `unit` says. Null when there was nothing to compute from. */
  value: number | null
  numerator?: number
  denominator?: number
  /** A path in the app listing the records behind the figure (already filtered to the clinic and period). */
  recordsPath?: string
}

export interface ClinicIndicator {
  /** Stable key, e.g. "quality.image_pass_rate". Prefixed by the capability. */
  key: string
  /** i18n key of its name. */
  labelKey: string
  unit: 'rate' | 'count' | 'minutes' | 'hours' | 'days'
  /** True when a higher figure is better (for ranking and the traffic light). */
  higherIsBetter: boolean
  /** A target from a standard, when there is one (e.g. 0.95 for the report sharing rate, C 9.4). */
  target?: number
  /**
   * The figure per clinic over [from, to). `modality` (DR, CT, MR…) narrows it to one modality where the indicator
   * knows modalities (recognition suspends an institution × modality on the QC pass rate, R 9.1); others ignore it.
   */
  compute(query: {
    from: DateTime
    to: DateTime
    clinicIds: number[]
    modality?: string
  }): Promise<Map<number, IndicatorValue>>
}

class ClinicIndicators {
  #indicators = new Map<string, ClinicIndicator>()

  register(...indicators: ClinicIndicator[]) {
    for (const indicator of indicators) {
      if (this.#indicators.has(indicator.key))
        throw new Error(`clinic indicator "${indicator.key}" is registered twice`)
      this.#indicators.set(indicator.key, indicator)
    }
  }

  all(): ClinicIndicator[] {
    return [...this.#indicators.values()]
  }

  get(key: string): ClinicIndicator | undefined {
    return this.#indicators.get(key)
  }
}

export const clinicIndicators = new ClinicIndicators()
