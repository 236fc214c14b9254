import { createHash } from 'node:crypto'

/*
| Random (forced) QC (Q 7.2.1): a sampling rule marks exams at a rate per
| modality / clinic / reader (default 5 %). The draw is a keyed hash of the
| rule's seed and the exam's id, so the same rule marks the same exams on every
| node and on every re-run (reproducible for an audit), with no state to lose.
*/

export const DEFAULT_RATE_PERCENT = 5
export const DEFAULT_SEED = 'qc-default'

export interface SamplingRule {
  id: number | null
  modality: string | null
  institutionId: number | null
  readerId: number | null
  ratePercent: number
  seed: string
}

/** A uniform draw in [0, 1) from the seed and the exam id. */
export function draw(seed: string, examId: number) {
  const digest = createHash('sha256').update(`${seed}:${examId}`).digest()
  // 48 bits are plenty for a rate given to 0.01 %.
  return digest.readUIntBE(0, 6) / 2 ** 48
}

/**
 * `size` of the given exams, drawn reproducibly with the seed (the lowest draws win), in id order: the same
 * seed over the same exams draws the same sample, for a QC session's "random N" and a spot check alike.
 */
export function sampleOf(examIds: number[], size: number, seed: string) {
  return examIds
    .map((id) => ({ id, key: draw(seed, id) }))
    .sort((a, b) => a.key - b.key)
    .slice(0, Math.max(0, size))
    .map((x) => x.id)
    .sort((a, b) => a - b)
}

export function isSampled(rule: Pick<SamplingRule, 'seed' | 'ratePercent'>, examId: number) {
  return draw(rule.seed, examId) < rule.ratePercent / 100
}

/** A rate as a person types it: a number 0..100 (percent). */
export function rateRefusal(rate: unknown): string | null {
  const n = typeof rate === 'string' && rate.trim() !== '' ? Number(rate) : rate
  if (typeof n !== 'number' || !Number.isFinite(n)) return 'rate_not_a_number'
  if (n < 0 || n > 100) return 'rate_out_of_range'
  return null
}

/**
 * The rule that applies to an exam: the most specific match wins (reader over
 * clinic over modality; a rule naming several must match them all), else the
 * default 5 %.
 */
export function ruleFor(
  rules: SamplingRule[],
  exam: { modality: string; institutionId: number; readerId: number | null },
  defaultRate = DEFAULT_RATE_PERCENT
): SamplingRule {
  let best: SamplingRule | null = null
  let bestWeight = -1
  for (const rule of rules) {
    if (rule.modality && rule.modality !== exam.modality) continue
    if (rule.institutionId && rule.institutionId !== exam.institutionId) continue
    if (rule.readerId && rule.readerId !== exam.readerId) continue
    const weight = (rule.readerId ? 4 : 0) + (rule.institutionId ? 2 : 0) + (rule.modality ? 1 : 0)
    if (weight > bestWeight || (weight === bestWeight && (rule.id ?? 0) > (best?.id ?? 0))) {
      best = rule
      bestWeight = weight
    }
  }
  return (
    best ?? {
      id: null,
      modality: null,
      institutionId: null,
      readerId: null,
      ratePercent: defaultRate,
      seed: DEFAULT_SEED,
    }
  )
}
