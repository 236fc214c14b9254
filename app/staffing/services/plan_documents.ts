/*
| A staffing plan as an Excel workbook and as a PDF, in the reader's language.
| The content is the same as the page: the workload, Table 1's arithmetic line
| by line, the gap, the members, the ratios used, and (PDF) the chart.
*/
import { createPdf, pdfBuffer, xlsxBuffer, type SheetSpec } from '#app/platform/documents'
import type StaffingPlan from '#models/staffing_plan'
import { chartBars, axisMax, CHART_COLOURS } from './staffing_chart.js'
import { int, fte, fte2, ratio, signed, lineFormulas } from './staffing_presenter.js'
import type { StaffingResult } from './staffing_rules.js'

type Translate = (key: string, data?: Record<string, unknown>) => string

export interface PlanDocument {
  name: string
  notes: string | null
  savedAt: string
  savedBy: string | null
  result: StaffingResult
}

export function planDocument(
  plan: StaffingPlan,
  formatTime: (iso: string) => string
): PlanDocument {
  return {
    name: plan.name,
    notes: plan.notes,
    savedAt: formatTime(plan.createdAt.toISO()!),
    savedBy: plan.createdBy?.fullName ?? null,
    result: plan.result,
  }
}

function periodText(result: StaffingResult, t: Translate) {
  const period = result.workload.period
  return period
    ? t('staffing.workload.recorded_period', {
        from: period.from,
        to: period.to,
        months: period.months,
      })
    : t('staffing.workload.typed')
}

/* ------------------------------------------------------------------ tables */

function workloadRows(result: StaffingResult, t: Translate) {
  return result.workload.lines.map((line) => [
    t(`staffing.categories.${line.category}`),
    line.read.counted,
    line.read.annual,
    line.adjustmentPct,
    line.read.planned,
    line.performed.counted,
    line.performed.annual,
    line.performed.planned,
  ])
}

const workloadHeader = (t: Translate) => [
  t('staffing.columns.category'),
  t('staffing.columns.read_counted'),
  t('staffing.columns.read_annual'),
  t('staffing.columns.adjustment_pct'),
  t('staffing.columns.read_planned'),
  t('staffing.columns.performed_counted'),
  t('staffing.columns.performed_annual'),
  t('staffing.columns.performed_planned'),
]

function arithmeticRows(result: StaffingResult, t: Translate) {
  const req = result.lead.requirement
  const rows: unknown[][] = req.lines.map((line) => {
    const f = lineFormulas(line)
    return [
      t(`staffing.categories.${line.category}`),
      f.initialReaders,
      f.reviewers,
      f.technologists,
      f.nurses,
    ]
  })
  rows.push([
    t('staffing.arithmetic.total_fte'),
    fte(req.totals.initialReaders.fte),
    fte(req.totals.reviewers.fte),
    fte(req.totals.technologists.fte),
    fte(req.totals.nurses.fte),
  ])
  rows.push([
    t('staffing.arithmetic.total_whole'),
    req.totals.initialReaders.whole,
    req.totals.reviewers.whole,
    req.totals.technologists.whole,
    req.totals.nurses.whole,
  ])
  return rows
}

const arithmeticHeader = (t: Translate) => [
  t('staffing.columns.category'),
  t('staffing.roles.initial_readers'),
  t('staffing.roles.reviewers'),
  t('staffing.roles.technologists'),
  t('staffing.roles.nurses'),
]

function gapRows(result: StaffingResult, t: Translate) {
  return result.lead.gap.map((row) => [
    t(`staffing.roles.${row.role}`),
    row.requiredFte === null ? '—' : fte(row.requiredFte),
    row.floor ?? '—',
    row.requiredWhole,
    row.actualHeadcount,
    fte2(row.actualFte),
    signed(row.gap),
    row.toAdd,
    row.met ? t('staffing.gap.met') : t('staffing.gap.short'),
  ])
}

const gapHeader = (t: Translate) => [
  t('staffing.columns.role'),
  t('staffing.columns.required_fte'),
  t('staffing.columns.floor'),
  t('staffing.columns.required_whole'),
  t('staffing.columns.actual_headcount'),
  t('staffing.columns.actual_fte'),
  t('staffing.columns.gap'),
  t('staffing.columns.to_add'),
  t('staffing.columns.status'),
]

function memberRows(result: StaffingResult, t: Translate) {
  return result.members.map((m) => [
    m.institution.name,
    m.devices,
    m.contrastDevices,
    m.required.technologists,
    m.gap.technologists.actualHeadcount,
    m.gap.technologists.gap,
    m.required.nurses,
    m.gap.nurses.actualHeadcount,
    m.gap.nurses.gap,
    m.doctors.headcount,
    m.equipmentMissing.map((k) => t(`equipment.kinds.${k}`)).join(t('common.list_separator')) ||
      '—',
  ])
}

const memberHeader = (t: Translate) => [
  t('staffing.columns.member'),
  t('staffing.columns.devices'),
  t('staffing.columns.contrast_devices'),
  t('staffing.columns.technologists_required'),
  t('staffing.columns.technologists_actual'),
  t('staffing.columns.technologists_gap'),
  t('staffing.columns.nurses_required'),
  t('staffing.columns.nurses_actual'),
  t('staffing.columns.nurses_gap'),
  t('staffing.columns.doctors_actual'),
  t('staffing.columns.equipment_missing'),
]

function ratioRows(result: StaffingResult, t: Translate) {
  return result.ratios.rows.map((r) => [
    t(`staffing.categories.${r.category}`),
    r.bodyPartsPerUnit,
    ratio(r.initialReaders),
    ratio(r.reviewers),
    ratio(r.technologists),
    ratio(r.nurses),
  ])
}

const ratioHeader = (t: Translate) => [
  t('staffing.columns.category'),
  t('staffing.columns.per_unit'),
  t('staffing.roles.initial_readers'),
  t('staffing.roles.reviewers'),
  t('staffing.roles.technologists'),
  t('staffing.roles.nurses'),
]

function ruleLines(result: StaffingResult, t: Translate) {
  const r = result.ratios
  return [
    t('staffing.ratios.version_line', { version: r.version, note: r.note }),
    t('staffing.floor.line', {
      doctors: r.floor.doctors,
      technologists: r.floor.technologists,
      nurses: r.floor.nurses,
    }),
    t('staffing.title_mix.rule', {
      intermediate: r.titleMix.intermediatePct,
      senior: r.titleMix.seniorPct,
    }),
    t('staffing.members.rule', {
      first: r.memberRule.technologistsFirstDevice,
      additional: r.memberRule.technologistsPerAdditionalDevice,
      nurses: r.memberRule.nursesPerContrastDevice,
    }),
  ]
}

/* -------------------------------------------------------------------- xlsx */

export function planSheets(doc: PlanDocument, t: Translate): SheetSpec[] {
  const r = doc.result
  const mix = r.lead.requirement.titleMix
  return [
    {
      name: t('staffing.sheets.summary'),
      header: [t('staffing.columns.item'), t('staffing.columns.value')],
      rows: [
        [t('staffing.plans.name'), doc.name],
        [t('staffing.plans.notes'), doc.notes ?? ''],
        [t('staffing.plans.saved_at'), doc.savedAt],
        [t('staffing.plans.saved_by'), doc.savedBy ?? ''],
        [t('staffing.workload.source'), periodText(r, t)],
        [t('staffing.lead.institution'), r.lead.institution?.name ?? '—'],
        ...ruleLines(r, t).map((line) => [t('staffing.ratios.title'), line]),
        [
          t('staffing.title_mix.planned'),
          t('staffing.title_mix.planned_line', {
            doctors: mix.doctors,
            intermediate: mix.intermediate,
            senior: mix.senior,
          }),
        ],
        [
          t('staffing.title_mix.roster'),
          t('staffing.title_mix.roster_line', {
            doctors: r.lead.titleMix.doctors,
            intermediate: r.lead.titleMix.intermediate,
            intermediatePct: r.lead.titleMix.intermediateSharePct,
            senior: r.lead.titleMix.senior,
            seniorPct: r.lead.titleMix.seniorSharePct,
          }),
        ],
      ],
    },
    { name: t('staffing.sheets.workload'), header: workloadHeader(t), rows: workloadRows(r, t) },
    {
      name: t('staffing.sheets.arithmetic'),
      header: arithmeticHeader(t),
      rows: arithmeticRows(r, t),
    },
    { name: t('staffing.sheets.gap'), header: gapHeader(t), rows: gapRows(r, t) },
    { name: t('staffing.sheets.members'), header: memberHeader(t), rows: memberRows(r, t) },
    { name: t('staffing.sheets.ratios'), header: ratioHeader(t), rows: ratioRows(r, t) },
  ]
}

export function planWorkbook(doc: PlanDocument, t: Translate) {
  return xlsxBuffer(planSheets(doc, t))
}

/** Several plans in one sheet, one column each, the rows an administrator compares. */
export function comparisonWorkbook(docs: PlanDocument[], t: Translate) {
  return xlsxBuffer([
    {
      name: t('staffing.compare.title'),
      header: [t('staffing.columns.item'), ...docs.map((d) => d.name)],
      rows: comparisonRows(docs, t),
    },
  ])
}

export function comparisonRows(docs: PlanDocument[], t: Translate): unknown[][] {
  const each = (pick: (r: StaffingResult) => unknown) => docs.map((d) => pick(d.result))
  const rows: unknown[][] = [
    [t('staffing.workload.source'), ...each((r) => periodText(r, t))],
    [t('staffing.ratios.version'), ...each((r) => `v${r.ratios.version}`)],
  ]
  for (const category of ['ct_plain', 'mri_plain', 'dr', 'ct_contrast', 'mri_contrast'] as const) {
    rows.push([
      `${t(`staffing.categories.${category}`)} · ${t('staffing.columns.read_planned')}`,
      ...each((r) => r.workload.read[category]),
    ])
  }
  for (const category of ['ct_plain', 'mri_plain', 'dr', 'ct_contrast', 'mri_contrast'] as const) {
    rows.push([
      `${t(`staffing.categories.${category}`)} · ${t('staffing.columns.performed_planned')}`,
      ...each((r) => r.workload.performed[category]),
    ])
  }
  for (const role of ['doctors', 'reviewers', 'technologists', 'nurses'] as const) {
    rows.push([
      `${t(`staffing.roles.${role}`)} · ${t('staffing.columns.required_fte')}`,
      ...each((r) => fte(r.lead.requirement.totals[role].fte)),
    ])
    rows.push([
      `${t(`staffing.roles.${role}`)} · ${t('staffing.columns.required_whole')}`,
      ...each((r) => r.lead.requirement.planned[role]),
    ])
  }
  for (const role of [
    'doctors',
    'reviewers',
    'intermediate',
    'senior',
    'technologists',
    'nurses',
  ] as const) {
    rows.push([
      `${t(`staffing.roles.${role}`)} · ${t('staffing.columns.gap')}`,
      ...each((r) => signed(r.lead.gap.find((g) => g.role === role)!.gap)),
    ])
  }
  rows.push([
    t('staffing.roles.member_technologists'),
    ...each(
      (r) => `${r.memberTotals.technologistsActual} / ${r.memberTotals.technologistsRequired}`
    ),
  ])
  rows.push([
    t('staffing.roles.member_nurses'),
    ...each((r) => `${r.memberTotals.nursesActual} / ${r.memberTotals.nursesRequired}`),
  ])
  return rows
}

/* --------------------------------------------------------------------- pdf */

function pdfTable(
  pdf: PDFKit.PDFDocument,
  header: unknown[],
  rows: unknown[][],
  widths: number[],
  fontSize = 8
) {
  const x0 = pdf.page.margins.left
  const drawRow = (cells: unknown[], bold: boolean) => {
    const texts = cells.map((c) =>
      c === null || c === undefined ? '—' : typeof c === 'number' ? int(c) : String(c)
    )
    pdf.fontSize(fontSize)
    const height =
      Math.max(...texts.map((text, i) => pdf.heightOfString(text, { width: widths[i] - 4 }))) + 4
    if (pdf.y + height > pdf.page.height - pdf.page.margins.bottom) pdf.addPage()
    const y = pdf.y
    if (bold)
      pdf
        .rect(
          x0,
          y,
          widths.reduce((a, b) => a + b, 0),
          height
        )
        .fill('#eef2f6')
        .fillColor('#000')
    let x = x0
    texts.forEach((text, i) => {
      pdf.fillColor('#1d2733').text(text, x + 2, y + 2, { width: widths[i] - 4 })
      x += widths[i]
    })
    pdf
      .moveTo(x0, y + height)
      .lineTo(x, y + height)
      .lineWidth(0.5)
      .strokeColor('#d9dee4')
      .stroke()
    pdf.x = x0
    pdf.y = y + height
  }
  drawRow(header, true)
  for (const row of rows) drawRow(row, false)
  pdf.moveDown(0.8)
}

function pdfChart(pdf: PDFKit.PDFDocument, result: StaffingResult, t: Translate) {
  const bars = chartBars(result, t)
  const { max, step } = axisMax(bars)
  const width = pdf.page.width - pdf.page.margins.left - pdf.page.margins.right
  const height = 170
  if (pdf.y + height + 50 > pdf.page.height - pdf.page.margins.bottom) pdf.addPage()
  const left = pdf.page.margins.left + 28
  const top = pdf.y + 6
  const plotWidth = width - 30
  const y = (v: number) => top + height - (v / max) * height
  pdf.fontSize(7)
  for (let tick = 0; tick <= max; tick += step) {
    pdf
      .moveTo(left, y(tick))
      .lineTo(left + plotWidth, y(tick))
      .lineWidth(0.4)
      .strokeColor(CHART_COLOURS.grid)
      .stroke()
    pdf
      .fillColor(CHART_COLOURS.ink)
      .text(String(tick), left - 26, y(tick) - 4, { width: 22, align: 'right' })
  }
  const group = plotWidth / bars.length
  const barWidth = Math.min(22, group / 3)
  bars.forEach((bar, i) => {
    const centre = left + group * i + group / 2
    const series = [
      { value: bar.required, x: centre - barWidth - 1, colour: CHART_COLOURS.required },
      {
        value: bar.actual,
        x: centre + 1,
        colour: bar.met ? CHART_COLOURS.met : CHART_COLOURS.short,
      },
    ]
    for (const s of series) {
      const h = Math.max(0, y(0) - y(s.value))
      if (h > 0) pdf.rect(s.x, y(s.value), barWidth, h).fill(s.colour)
      pdf
        .fillColor(CHART_COLOURS.ink)
        .text(
          Number.isInteger(s.value) ? String(s.value) : s.value.toFixed(2),
          s.x - 6,
          y(s.value) - 9,
          { width: barWidth + 12, align: 'center' }
        )
    }
    pdf
      .fillColor(CHART_COLOURS.ink)
      .text(bar.label, centre - group / 2, top + height + 4, { width: group, align: 'center' })
  })
  pdf.x = pdf.page.margins.left
  pdf.y = top + height + 30
  pdf.rect(pdf.x, pdf.y, 8, 8).fill(CHART_COLOURS.required)
  pdf
    .fillColor(CHART_COLOURS.ink)
    .text(t('staffing.chart.required'), pdf.page.margins.left + 12, pdf.y, { continued: false })
  const legendY = pdf.y - 9
  pdf.rect(pdf.page.margins.left + 140, legendY, 8, 8).fill(CHART_COLOURS.met)
  pdf.rect(pdf.page.margins.left + 150, legendY, 8, 8).fill(CHART_COLOURS.short)
  pdf
    .fillColor(CHART_COLOURS.ink)
    .text(t('staffing.chart.actual'), pdf.page.margins.left + 162, legendY)
  pdf.x = pdf.page.margins.left
  pdf.moveDown(1)
}

export async function planPdf(doc: PlanDocument, t: Translate) {
  const pdf = createPdf({ layout: 'landscape', info: { Title: doc.name } })
  const r = doc.result
  const heading = (text: string) => {
    pdf.moveDown(0.3)
    pdf.fontSize(12).fillColor('#0b3d6e').text(text)
    pdf.moveDown(0.3)
  }
  pdf
    .fontSize(16)
    .fillColor('#1d2733')
    .text(t('staffing.plans.document_heading', { name: doc.name }))
  pdf
    .fontSize(9)
    .text(
      `${t('staffing.plans.saved_at')}: ${doc.savedAt}${doc.savedBy ? ` · ${doc.savedBy}` : ''}`
    )
  pdf.text(`${t('staffing.workload.source')}: ${periodText(r, t)}`)
  pdf.text(`${t('staffing.lead.institution')}: ${r.lead.institution?.name ?? '—'}`)
  if (doc.notes) pdf.text(`${t('staffing.plans.notes')}: ${doc.notes}`)
  for (const line of ruleLines(r, t)) pdf.text(line)

  heading(t('staffing.workload.title'))
  pdfTable(pdf, workloadHeader(t), workloadRows(r, t), [120, 80, 80, 60, 80, 80, 80, 80])
  heading(t('staffing.arithmetic.title'))
  pdfTable(pdf, arithmeticHeader(t), arithmeticRows(r, t), [110, 150, 150, 150, 150])
  const mix = r.lead.requirement.titleMix
  pdf
    .fontSize(9)
    .fillColor('#1d2733')
    .text(
      t('staffing.title_mix.planned_line', {
        doctors: mix.doctors,
        intermediate: mix.intermediate,
        senior: mix.senior,
      })
    )
  pdf.moveDown(0.5)
  heading(t('staffing.gap.title'))
  pdfTable(pdf, gapHeader(t), gapRows(r, t), [110, 70, 50, 70, 70, 70, 70, 70, 70])
  heading(t('staffing.chart.title'))
  pdfChart(pdf, r, t)
  if (r.members.length) {
    heading(t('staffing.members.title'))
    pdfTable(pdf, memberHeader(t), memberRows(r, t), [120, 45, 55, 65, 65, 55, 60, 60, 55, 55, 110])
  }
  heading(t('staffing.ratios.title'))
  pdfTable(pdf, ratioHeader(t), ratioRows(r, t), [140, 100, 90, 90, 90, 90])
  return pdfBuffer(pdf)
}
