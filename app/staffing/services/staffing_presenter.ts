/*
| How staffing figures are written, the same on the pages, in Excel and in the
| PDF: body parts with thousands separators, table FTE to three decimals (so the
| lines add up to the total exactly), roster FTE to two.
*/
import type { TableLine } from './staffing_rules.js'

export const int = (n: number | null | undefined) =>
  n === null || n === undefined ? '—' : Math.round(n).toLocaleString('en-US')
export const fte = (n: number | null | undefined) =>
  n === null || n === undefined ? '—' : n.toFixed(3)
export const fte2 = (n: number | null | undefined) =>
  n === null || n === undefined ? '—' : n.toFixed(2)
export const ratio = (n: number) => String(Math.round(n * 1000) / 1000)
/** +1.50 / −2.00 / 0.00: a gap reads at a glance */
export const signed = (n: number, digits = 2) =>
  (n > 0 ? '+' : n < 0 ? '−' : '') + Math.abs(n).toFixed(digits)
export const pct = (n: number) => `${n > 0 ? '+' : ''}${n}%`

/** "15,000 ÷ 15,000 × 0.6 = 0.600" */
export function formula(parts: number, perUnit: number, r: number, result: number) {
  return `${int(parts)} ÷ ${int(perUnit)} × ${ratio(r)} = ${fte(result)}`
}

/** The four formulas of one Table 1 line. */
export function lineFormulas(line: TableLine) {
  return {
    initialReaders: formula(
      line.readBodyParts,
      line.bodyPartsPerUnit,
      line.ratio.initialReaders,
      line.fte.initialReaders
    ),
    reviewers: formula(
      line.readBodyParts,
      line.bodyPartsPerUnit,
      line.ratio.reviewers,
      line.fte.reviewers
    ),
    technologists: formula(
      line.performedBodyParts,
      line.bodyPartsPerUnit,
      line.ratio.technologists,
      line.fte.technologists
    ),
    nurses: formula(
      line.performedBodyParts,
      line.bodyPartsPerUnit,
      line.ratio.nurses,
      line.fte.nurses
    ),
  }
}

export const presenter = { int, fte, fte2, ratio, signed, pct, formula, lineFormulas }
