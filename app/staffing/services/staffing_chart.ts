import { escapeMarkup } from '#app/platform/escape'
/*
| Required against actual, per role: the data once, drawn as an SVG for the
| pages (server-rendered, no script, no CDN) and with pdfkit for the PDF.
*/
import type { StaffingResult } from './staffing_rules.js'

export interface ChartBar {
  key: string
  label: string
  required: number
  actual: number
  /** what "actual" counts: FTE (lead hospital) or people (members, C 7.2 allows part-time) */
  unit: 'fte' | 'people'
  /** the gap's verdict (for nurses the floor counts heads, so 1.5 FTE in two people can meet a floor of 2) */
  met: boolean
}

type Translate = (key: string, data?: Record<string, unknown>) => string

/** The lead hospital's planned whole people (after the floor) against the roster's FTE; the members' device rule against heads. */
export function chartBars(result: StaffingResult, t: Translate): ChartBar[] {
  const planned = result.lead.requirement.planned
  const roster = result.lead.roster
  const met = (role: string) => result.lead.gap.find((g) => g.role === role)?.met ?? false
  // Members: every member must be staffed, so one member's spare technologist does not cover another's shortfall.
  const membersMet = (role: 'technologists' | 'nurses') =>
    result.members.every((m) => m.gap[role].met)
  return [
    {
      key: 'doctors',
      label: t('staffing.chart.labels.doctors'),
      required: planned.doctors,
      actual: roster.doctors.fte,
      unit: 'fte',
      met: met('doctors'),
    },
    {
      key: 'reviewers',
      label: t('staffing.chart.labels.reviewers'),
      required: planned.reviewers,
      actual: roster.reviewCapable.fte,
      unit: 'fte',
      met: met('reviewers'),
    },
    {
      key: 'technologists',
      label: t('staffing.chart.labels.technologists'),
      required: planned.technologists,
      actual: roster.technologists.fte,
      unit: 'fte',
      met: met('technologists'),
    },
    {
      key: 'nurses',
      label: t('staffing.chart.labels.nurses'),
      required: planned.nurses,
      actual: roster.nurses.fte,
      unit: 'fte',
      met: met('nurses'),
    },
    {
      key: 'member_technologists',
      label: t('staffing.chart.labels.member_technologists'),
      required: result.memberTotals.technologistsRequired,
      actual: result.memberTotals.technologistsActual,
      unit: 'people',
      met: membersMet('technologists'),
    },
    {
      key: 'member_nurses',
      label: t('staffing.chart.labels.member_nurses'),
      required: result.memberTotals.nursesRequired,
      actual: result.memberTotals.nursesActual,
      unit: 'people',
      met: membersMet('nurses'),
    },
  ]
}

const escapeXml = escapeMarkup
const number = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0$/, ''))

/** A scale with 4–6 round ticks covering the largest bar. */
export function axisMax(bars: ChartBar[]) {
  const top = Math.max(1, ...bars.flatMap((b) => [b.required, b.actual]))
  const step =
    [1, 2, 5, 10, 20, 25, 50, 100, 200, 500].find((s) => top / s <= 6) ?? Math.ceil(top / 5)
  return { max: Math.ceil(top / step) * step, step }
}

export const CHART_COLOURS = {
  required: '#0b5cab',
  met: '#1f7a3d',
  short: '#b42318',
  grid: '#d9dee4',
  ink: '#1d2733',
}

export function chartSvg(
  bars: ChartBar[],
  labels: { title: string; required: string; actual: string },
  id = 'staffing-chart'
) {
  const width = 760
  const height = 320
  const left = 44
  const bottom = 64
  const top = 34
  const plotHeight = height - top - bottom
  const plotWidth = width - left - 12
  const { max, step } = axisMax(bars)
  const y = (value: number) => top + plotHeight - (value / max) * plotHeight
  const group = plotWidth / Math.max(1, bars.length)
  const barWidth = Math.min(34, group / 3)
  const parts: string[] = []
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="${id}-title" class="staffing-chart">`,
    `<title id="${id}-title">${escapeXml(labels.title)}</title>`
  )
  for (let tick = 0; tick <= max; tick += step) {
    parts.push(
      `<line x1="${left}" x2="${width - 12}" y1="${y(tick)}" y2="${y(tick)}" stroke="${CHART_COLOURS.grid}" stroke-width="1"/>`,
      `<text x="${left - 6}" y="${y(tick) + 4}" text-anchor="end" font-size="11" fill="${CHART_COLOURS.ink}">${tick}</text>`
    )
  }
  bars.forEach((bar, index) => {
    const centre = left + group * index + group / 2
    const short = !bar.met
    const actualColour = short ? CHART_COLOURS.short : CHART_COLOURS.met
    const drawn = [
      {
        value: bar.required,
        x: centre - barWidth - 2,
        colour: CHART_COLOURS.required,
        name: labels.required,
        series: 'required',
      },
      {
        value: bar.actual,
        x: centre + 2,
        colour: actualColour,
        name: labels.actual,
        series: 'actual',
      },
    ]
    for (const d of drawn) {
      const h = Math.max(0, y(0) - y(d.value))
      parts.push(
        `<rect x="${d.x.toFixed(1)}" y="${y(d.value).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}" fill="${d.colour}" data-role="${bar.key}" data-series="${d.series}" data-value="${d.value}"><title>${escapeXml(`${bar.label} · ${d.name}: ${number(d.value)}`)}</title></rect>`,
        `<text x="${(d.x + barWidth / 2).toFixed(1)}" y="${(y(d.value) - 4).toFixed(1)}" text-anchor="middle" font-size="11" fill="${CHART_COLOURS.ink}">${number(d.value)}</text>`
      )
    }
    parts.push(
      `<text x="${centre.toFixed(1)}" y="${height - bottom + 18}" text-anchor="middle" font-size="12" fill="${CHART_COLOURS.ink}">${escapeXml(bar.label)}</text>`
    )
  })
  const legendY = height - 16
  parts.push(
    `<rect x="${left}" y="${legendY - 10}" width="12" height="12" fill="${CHART_COLOURS.required}"/>`,
    `<text x="${left + 18}" y="${legendY}" font-size="12" fill="${CHART_COLOURS.ink}">${escapeXml(labels.required)}</text>`,
    `<rect x="${left + 160}" y="${legendY - 10}" width="12" height="12" fill="${CHART_COLOURS.met}"/>`,
    `<rect x="${left + 174}" y="${legendY - 10}" width="12" height="12" fill="${CHART_COLOURS.short}"/>`,
    `<text x="${left + 192}" y="${legendY}" font-size="12" fill="${CHART_COLOURS.ink}">${escapeXml(labels.actual)}</text>`,
    '</svg>'
  )
  return parts.join('')
}
