import { escapeMarkup } from '#app/platform/escape'

/*
| The assessment's charts as server-rendered SVG (no script, no CDN): the members'
| totals as bars in rank order, and one clinic's total over four quarters.
*/

export function rankingChartSvg(
  rows: Array<{ name: string; total: number | null; rank: number | null }>,
  title: string
) {
  const labelWidth = 190
  const plotWidth = 440
  const rowHeight = 26
  const top = 28
  const height = top + Math.max(1, rows.length) * rowHeight + 10
  const width = labelWidth + plotWidth + 60
  const bars = rows
    .map((row, i) => {
      const y = top + i * rowHeight
      const w = Math.max(1, (plotWidth * (row.total ?? 0)) / 100)
      return `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end" font-size="12">${row.rank ?? '—'}. ${escapeMarkup(row.name)}</text>
<rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(1)}" height="15" fill="#2f6fb0"><title>${escapeMarkup(row.name)}: ${row.total ?? '—'}</title></rect>
<text x="${labelWidth + w + 6}" y="${y + 15}" font-size="12">${row.total === null ? '—' : row.total.toFixed(1)}</text>`
    })
    .join('\n')
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart ranking-chart" role="img" aria-label="${escapeMarkup(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">
<text x="0" y="16" font-size="13" font-weight="bold">${escapeMarkup(title)}</text>
${bars}
</svg>`
}

export function trendChartSvg(
  points: Array<{ quarter: string; total: number | null }>,
  title: string
) {
  const width = 420
  const height = 170
  const left = 36
  const bottom = 140
  const plot = 110
  const step = (width - left - 20) / Math.max(1, points.length)
  const bars = points
    .map((p, i) => {
      const h = ((p.total ?? 0) / 100) * plot
      const x = left + i * step + step * 0.2
      return `<rect x="${x.toFixed(1)}" y="${(bottom - h).toFixed(1)}" width="${(step * 0.6).toFixed(1)}" height="${h.toFixed(1)}" fill="#4a8c5c"><title>${escapeMarkup(p.quarter)}: ${p.total ?? '—'}</title></rect>
<text x="${(x + step * 0.3).toFixed(1)}" y="${(bottom - h - 4).toFixed(1)}" font-size="11" text-anchor="middle">${p.total === null ? '—' : p.total.toFixed(1)}</text>
<text x="${(x + step * 0.3).toFixed(1)}" y="${bottom + 16}" font-size="11" text-anchor="middle">${escapeMarkup(p.quarter)}</text>`
    })
    .join('\n')
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart trend-chart" role="img" aria-label="${escapeMarkup(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">
<text x="0" y="14" font-size="13" font-weight="bold">${escapeMarkup(title)}</text>
<line x1="${left}" y1="${bottom}" x2="${width - 10}" y2="${bottom}" stroke="#999"/>
${bars}
</svg>`
}
