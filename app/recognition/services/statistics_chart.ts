import { escapeMarkup } from '#app/platform/escape'
import type { MonthlyStatistics } from '#app/recognition/services/recognition_statistics'

/*
| The month's chart, per clinic: reminders shown, accepted, re-examined, as
| grouped bars in a server-rendered SVG (no script, no CDN).
*/
type Translator = { t: (key: string, data?: Record<string, unknown>) => string }

export function statisticsChart(stats: MonthlyStatistics, i18n: Translator) {
  const byClinic = new Map<string, { shown: number; accepted: number; reExamined: number }>()
  for (const row of stats.rows) {
    const c = byClinic.get(row.institutionName) ?? { shown: 0, accepted: 0, reExamined: 0 }
    c.shown += row.shown
    c.accepted += row.accepted
    c.reExamined += row.reExamined
    byClinic.set(row.institutionName, c)
  }
  const clinics = [...byClinic.entries()]
  if (!clinics.length) return ''
  const series = [
    { key: 'shown', label: i18n.t('recognition.statistics.shown'), colour: '#94a3b8' },
    { key: 'accepted', label: i18n.t('recognition.statistics.accepted'), colour: '#16a34a' },
    { key: 'reExamined', label: i18n.t('recognition.statistics.re_examined'), colour: '#d97706' },
  ] as const
  const max = Math.max(1, ...clinics.flatMap(([, c]) => [c.shown, c.accepted, c.reExamined]))
  const groupWidth = 90
  const barWidth = 22
  const height = 200
  const width = 60 + clinics.length * groupWidth
  const parts: string[] = []
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height + 70}" width="${width}" height="${height + 70}" role="img" aria-label="${escapeMarkup(i18n.t('recognition.statistics.chart_title'))}">`
  )
  parts.push(
    `<line x1="50" y1="10" x2="50" y2="${height + 10}" stroke="#999"/><line x1="50" y1="${height + 10}" x2="${width}" y2="${height + 10}" stroke="#999"/>`
  )
  parts.push(
    `<text x="45" y="15" font-size="10" text-anchor="end">${max}</text><text x="45" y="${height + 10}" font-size="10" text-anchor="end">0</text>`
  )
  clinics.forEach(([name, c], index) => {
    const x0 = 60 + index * groupWidth
    series.forEach((s, k) => {
      const value = c[s.key]
      const h = Math.round((value / max) * height)
      parts.push(
        `<rect x="${x0 + k * barWidth}" y="${height + 10 - h}" width="${barWidth - 3}" height="${h}" fill="${s.colour}"><title>${escapeMarkup(`${name} ${s.label}: ${value}`)}</title></rect>`
      )
      parts.push(
        `<text x="${x0 + k * barWidth + 9}" y="${height + 6 - h}" font-size="9" text-anchor="middle">${value}</text>`
      )
    })
    parts.push(
      `<text x="${x0 + 33}" y="${height + 26}" font-size="10" text-anchor="middle">${escapeMarkup(name.slice(0, 8))}</text>`
    )
  })
  series.forEach((s, k) => {
    parts.push(
      `<rect x="${60 + k * 110}" y="${height + 44}" width="10" height="10" fill="${s.colour}"/><text x="${74 + k * 110}" y="${height + 53}" font-size="10">${escapeMarkup(s.label)}</text>`
    )
  })
  parts.push('</svg>')
  return parts.join('')
}
