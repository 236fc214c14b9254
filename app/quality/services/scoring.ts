/*
| The scoring of one QC item (Q 4.1, Q appendix A), as a pure function over the
| checklist's `rule` text (the `rule` column of qc-checklists.csv, kept with
| each checklist version). The reviewer ticks findings and criteria; the score
| is computed here, on the server, never typed.
|
| Three shapes of rule occur in Q appendix A:
| - a compliance item (application form): any finding makes it non-compliant;
| - a table: "5 criteria: all 5 met = 5; 4 met = 4; 2-3 met = 3; 1 met = 2; none met = 1";
| - a deduction: "4 criteria: 4 met = 5; each one not met takes 1 off, down to 1".
| Every scored item also has "any severe finding scores 1" (its severe row).
*/

export const QC_ITEMS = [
  'application_form',
  'image_quality',
  'film_layout',
  'reconstruction_3d',
  'report_quality',
  'review_quality',
] as const
export type QcItem = (typeof QC_ITEMS)[number]

/** The image items (scored against the technologist and the clinic); forced QC asks for these at signature. */
export const IMAGE_ITEMS: QcItem[] = ['image_quality', 'film_layout', 'reconstruction_3d']
export const FORCED_ITEMS: QcItem[] = ['image_quality', 'film_layout']

export type ScoringRule =
  | { kind: 'compliance' }
  | { kind: 'table'; criteria: number; scores: Map<number, number> }
  | { kind: 'deduction'; criteria: number }

export type Band = 'excellent' | 'good' | 'pass' | 'fail' | 'compliant' | 'non_compliant'

export interface ItemScore {
  score: number
  band: Band
  passed: boolean
}

const WORD_NUMBERS: Record<string, number> = { none: 0, all: -1 }

function count(word: string, criteria: number) {
  const w = word.trim().toLowerCase()
  if (w in WORD_NUMBERS) return WORD_NUMBERS[w] === -1 ? criteria : WORD_NUMBERS[w]
  const n = Number(w)
  if (!Number.isInteger(n)) throw new Error(`unreadable count "${word}"`)
  return n
}

/**
 * Reads a rule text. Throws on a rule it cannot read: a checklist is never
 * saved with a rule that would score by guesswork.
 */
export function parseRule(text: string): ScoringRule {
  const rule = text.trim()
  if (/^compliance item/i.test(rule)) return { kind: 'compliance' }
  const header = /^(\d+)\s+criteria\s*:\s*(.+)$/i.exec(rule)
  if (!header) throw new Error(`unreadable scoring rule: ${rule}`)
  const criteria = Number(header[1])
  const body = header[2]
  if (/each one not met takes 1 off/i.test(body)) return { kind: 'deduction', criteria }
  const scores = new Map<number, number>()
  for (const part of body.split(';')) {
    // "all 5 met = 5", "4 met = 4", "2-3 met = 3", "3 = 4", "none = 1", "none met = 1"
    const m = /^\s*(all\s+\d+|none|\d+(?:\s*-\s*\d+)?)\s*(?:met)?\s*=\s*(\d)\s*$/i.exec(part)
    if (!m) throw new Error(`unreadable part "${part}" of scoring rule: ${rule}`)
    const score = Number(m[2])
    const range = m[1].replace(/^all\s+/i, '')
    const [lo, hi] = range.includes('-')
      ? range.split('-').map((x) => count(x, criteria))
      : [count(range, criteria), count(range, criteria)]
    for (let met = lo; met <= hi; met++) scores.set(met, score)
  }
  for (let met = 0; met <= criteria; met++) {
    if (!scores.has(met))
      throw new Error(`scoring rule says nothing for ${met} criteria met: ${rule}`)
  }
  return { kind: 'table', criteria, scores }
}

/** The rule a QC administrator's edited checklist gets when its number of criteria changes (Q 6.2: a department adds 造影剂充盈度). */
export function deductionRule(criteria: number) {
  return `${criteria} criteria: ${criteria} met = 5; each one not met takes 1 off, down to 1`
}

/** Q 6.4: 5 excellent, 4 good, 3 pass; 2 and below fail. */
export function bandOf(score: number): Band {
  if (score >= 5) return 'excellent'
  if (score === 4) return 'good'
  if (score === 3) return 'pass'
  return 'fail'
}

/**
 * The score of an item from what the reviewer ticked: `severe` and `findings`
 * are how many severe findings / application-form findings were ticked,
 * `met` how many criteria were met.
 */
export function scoreItem(
  rule: ScoringRule,
  ticked: { severe: number; findings: number; met: number }
): ItemScore {
  if (rule.kind === 'compliance') {
    const compliant = ticked.findings === 0
    return {
      score: compliant ? 5 : 1,
      band: compliant ? 'compliant' : 'non_compliant',
      passed: compliant,
    }
  }
  if (ticked.met < 0 || ticked.met > rule.criteria)
    throw new RangeError(`met ${ticked.met} outside 0..${rule.criteria}`)
  let score: number
  if (ticked.severe > 0) score = 1
  else if (rule.kind === 'table') score = rule.scores.get(ticked.met)!
  else score = Math.max(1, 5 - (rule.criteria - ticked.met))
  return { score, band: bandOf(score), passed: score >= 3 }
}
