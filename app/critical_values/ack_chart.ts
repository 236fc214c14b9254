import { escapeMarkup } from '#app/platform/escape'
/*
| The registry's chart: per clinic, the median and 90th-percentile minutes
| from sending to acknowledgement, against the acknowledgement deadline.
| Server-rendered SVG (no script, no CDN), so it prints and passes the CSP.
*/

export interface ChartRow {
  name: string
  median: number | null
  p90: number | null
  acknowledged: number
}

export interface ChartLabels {
  median: string
  p90: string
  deadline: string
  minutes: string
  none: string
}

const escapeXml = escapeMarkup

/** A round step for the axis so that ticks read 0, 5, 10… or 0, 20, 40… */
function niceStep(max: number) {
  const rough = max / 5
  const power = 10 ** Math.floor(Math.log10(rough))
  const scaled = rough / power
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power
}

export function ackChartSvg(rows: ChartRow[], deadlineMinutes: number, labels: ChartLabels) {
  const labelWidth = 170
  const plotWidth = 520
  const rowHeight = 34
  const top = 34
  const height = top + Math.max(1, rows.length) * rowHeight + 34
  const width = labelWidth + plotWidth + 40
  const highest = Math.max(
    deadlineMinutes,
    ...rows.map((r) => r.p90 ?? 0),
    ...rows.map((r) => r.median ?? 0)
  )
  const step = niceStep(highest * 1.1 || 1)
  const axisMax = Math.ceil((highest * 1.1) / step) * step || step
  const x = (minutes: number) => labelWidth + (minutes / axisMax) * plotWidth
  const parts: string[] = []
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" class="ack-chart" font-size="12" font-family="sans-serif">`
  )
  // Legend
  parts.push(
    `<rect x="${labelWidth}" y="8" width="14" height="10" fill="#0b5cab"/><text x="${labelWidth + 18}" y="17">${escapeXml(labels.median)}</text>`
  )
  parts.push(
    `<rect x="${labelWidth + 120}" y="8" width="14" height="10" fill="#9cc3ea"/><text x="${labelWidth + 138}" y="17">${escapeXml(labels.p90)}</text>`
  )
  parts.push(
    `<line x1="${labelWidth + 260}" y1="13" x2="${labelWidth + 280}" y2="13" stroke="#b42318" stroke-dasharray="4 3" stroke-width="2"/><text x="${labelWidth + 285}" y="17">${escapeXml(labels.deadline)}</text>`
  )
  // Axis and grid
  const bottom = top + Math.max(1, rows.length) * rowHeight
  for (let tick = 0; tick <= axisMax + 1e-9; tick += step) {
    const tx = x(tick).toFixed(1)
    parts.push(`<line x1="${tx}" y1="${top}" x2="${tx}" y2="${bottom}" stroke="#e6ebf1"/>`)
    parts.push(
      `<text x="${tx}" y="${bottom + 14}" text-anchor="middle" fill="#5f6b7a">${Math.round(tick * 10) / 10}</text>`
    )
  }
  parts.push(
    `<text x="${labelWidth + plotWidth / 2}" y="${bottom + 30}" text-anchor="middle" fill="#5f6b7a">${escapeXml(labels.minutes)}</text>`
  )
  if (rows.length === 0) {
    parts.push(
      `<text x="${labelWidth + 10}" y="${top + 22}" fill="#5f6b7a">${escapeXml(labels.none)}</text>`
    )
  }
  rows.forEach((row, index) => {
    const y = top + index * rowHeight
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + 21}" text-anchor="end">${escapeXml(row.name.length > 14 ? row.name.slice(0, 13) + '…' : row.name)}</text>`
    )
    if (row.p90 === null || row.median === null) {
      parts.push(
        `<text x="${labelWidth + 6}" y="${y + 21}" fill="#5f6b7a">${escapeXml(labels.none)}</text>`
      )
      return
    }
    parts.push(
      `<rect x="${labelWidth}" y="${y + 6}" width="${(x(row.p90) - labelWidth).toFixed(1)}" height="22" fill="#9cc3ea"><title>${escapeXml(`${row.name} ${labels.p90}: ${row.p90}`)}</title></rect>`
    )
    parts.push(
      `<rect x="${labelWidth}" y="${y + 11}" width="${(x(row.median) - labelWidth).toFixed(1)}" height="12" fill="#0b5cab"><title>${escapeXml(`${row.name} ${labels.median}: ${row.median}`)}</title></rect>`
    )
    parts.push(
      `<text x="${(x(row.p90) + 4).toFixed(1)}" y="${y + 21}" fill="#1d2733">${row.median} / ${row.p90} (n=${row.acknowledged})</text>`
    )
  })
  const dx = x(deadlineMinutes).toFixed(1)
  parts.push(
    `<line x1="${dx}" y1="${top - 4}" x2="${dx}" y2="${bottom}" stroke="#b42318" stroke-dasharray="4 3" stroke-width="2"/>`
  )
  parts.push('</svg>')
  return parts.join('')
}
