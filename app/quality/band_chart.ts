import { escapeMarkup } from '#app/platform/escape'

/*
| The QC report's chart (Q 6.4 图 7/8): for each QC item, the share of
| excellent / good / pass / fail scores as one stacked bar. Server-rendered SVG
| (no script, no CDN), like the critical-value statistics' chart.
*/

export interface BandRow {
  label: string
  bands: Record<string, number>
}

const COLOURS: Record<string, string> = {
  excellent: '#2e7d32',
  good: '#7cb342',
  pass: '#fbc02d',
  fail: '#d32f2f',
  compliant: '#2e7d32',
  non_compliant: '#d32f2f',
}

export function bandChartSvg(rows: BandRow[], legend: Record<string, string>, none: string) {
  const width = 720
  const rowHeight = 34
  const left = 140
  const barWidth = width - left - 70
  const height = 40 + rows.length * rowHeight + 30
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="qc-band-chart" role="img" viewBox="0 0 ${width} ${height}" width="100%" aria-label="${escapeMarkup(Object.values(legend).join(' / '))}">`,
  ]
  rows.forEach((row, i) => {
    const y = 20 + i * rowHeight
    const total = Object.values(row.bands).reduce((a, b) => a + b, 0)
    parts.push(
      `<text x="${left - 8}" y="${y + 16}" text-anchor="end" font-size="13">${escapeMarkup(row.label)}</text>`
    )
    if (!total) {
      parts.push(
        `<text x="${left}" y="${y + 16}" font-size="12" fill="#777">${escapeMarkup(none)}</text>`
      )
      return
    }
    let x = left
    for (const [band, count] of Object.entries(row.bands)) {
      if (!count) continue
      const w = (count / total) * barWidth
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="22" fill="${COLOURS[band] ?? '#999'}"><title>${escapeMarkup(legend[band] ?? band)}: ${count}</title></rect>`
      )
      if (w > 28)
        parts.push(
          `<text x="${(x + w / 2).toFixed(1)}" y="${y + 15}" text-anchor="middle" font-size="11" fill="#fff">${Math.round((count / total) * 100)}%</text>`
        )
      x += w
    }
    parts.push(`<text x="${left + barWidth + 6}" y="${y + 16}" font-size="12">${total}</text>`)
  })
  let lx = left
  const ly = height - 14
  for (const band of ['excellent', 'good', 'pass', 'fail']) {
    parts.push(
      `<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${COLOURS[band]}"/><text x="${lx + 16}" y="${ly}" font-size="12">${escapeMarkup(legend[band] ?? band)}</text>`
    )
    lx += 110
  }
  parts.push('</svg>')
  return parts.join('')
}
