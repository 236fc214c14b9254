import { createPdf, pdfBuffer, xlsxBuffer } from '#app/platform/documents'
import type { QcReport } from '#app/quality/services/qc_reports'

/*
| The QC report as an Excel workbook (one sheet per table) and a PDF (with
| the CJK font the signed reports use), for the alliance's QC group to
| publish (C 4.2.4). The labels come translated from the caller.
*/

type T = (key: string, data?: Record<string, unknown>) => string
const rate = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`)

function tables(report: QcReport, t: T) {
  return [
    {
      name: t('quality.reports.monthly'),
      header: [
        t('quality.form.item'),
        t('quality.reports.sampled'),
        t('quality.reports.passed'),
        t('quality.reports.pass_rate'),
        t('quality.bands.excellent'),
        t('quality.bands.good'),
        t('quality.bands.pass'),
        t('quality.bands.fail'),
      ],
      rows: report.items.map((i) => {
        const b = i.bands as unknown as Record<string, number>
        return [
          t(`quality.items.${i.item}`),
          i.sampled,
          i.passed,
          rate(i.passRate),
          b.excellent ?? b.compliant ?? 0,
          b.good ?? 0,
          b.pass ?? 0,
          b.fail ?? b.non_compliant ?? 0,
        ]
      }),
    },
    {
      name: t('quality.reports.distribution'),
      header: [
        t('quality.reports.person'),
        t('quality.filters.modality'),
        t('quality.form.item'),
        t('quality.reports.count'),
        t('quality.reports.average'),
        '5',
        '4',
        '3',
        t('quality.bands.fail'),
        t('quality.reports.red_zone'),
      ],
      rows: report.distribution.map((d) => [
        d.person ?? t('quality.reports.unknown_person'),
        d.modality,
        t(`quality.items.${d.item}`),
        d.count,
        d.average,
        d.scores[5],
        d.scores[4],
        d.scores[3],
        d.scores.fail,
        d.redZone ? '●' : '',
      ]),
    },
    {
      name: t('quality.reports.deductions'),
      header: [
        t('quality.reports.accession'),
        t('quality.filters.clinic'),
        t('quality.form.item'),
        t('quality.form.score'),
        t('quality.reports.person'),
        t('quality.reports.reason'),
        t('quality.form.note'),
      ],
      rows: report.details.map((d) => [
        d.accessionNumber,
        d.institution,
        t(`quality.items.${d.item}`),
        d.score,
        d.person ?? '',
        d.reasons
          .map((r) => (r.unmet ? `${t('quality.reports.unmet')} ` : '') + r.text)
          .join(' / '),
        d.note ?? '',
      ]),
    },
    {
      name: t('quality.reports.reasons'),
      header: [t('quality.form.item'), t('quality.reports.reason'), t('quality.reports.count')],
      rows: report.reasons.map((r) => [
        t(`quality.items.${r.item}`),
        (r.unmet ? `${t('quality.reports.unmet')} ` : '') + r.reason,
        r.count,
      ]),
    },
    {
      name: t('quality.reports.workload'),
      header: [
        t('quality.reports.role'),
        t('quality.reports.person'),
        t('quality.filters.modality'),
        t('quality.reports.count'),
      ],
      rows: [
        ...report.workload.technologists.map((w) => [
          t('quality.reports.technologist'),
          w.person,
          w.modality,
          w.count,
        ]),
        ...report.workload.doctors.map((w) => [
          t('quality.reports.doctor'),
          w.person,
          w.modality,
          w.count,
        ]),
      ],
    },
    {
      name: t('quality.reports.clinic_rates'),
      header: [
        t('quality.filters.clinic'),
        t('quality.reports.count'),
        t('quality.reports.waste'),
        t('quality.reports.artefact'),
      ],
      rows: report.clinics.map((c) => [c.name, c.count, rate(c.wasteRate), rate(c.artefactRate)]),
    },
    {
      // C 9.2.2: the same rates per device of the equipment register
      name: t('quality.reports.device_rates'),
      header: [
        t('quality.filters.clinic'),
        t('quality.reports.device'),
        t('quality.reports.count'),
        t('quality.reports.waste'),
        t('quality.reports.artefact'),
      ],
      rows: report.devices.map((d) => [
        d.institution,
        d.equipmentId
          ? `${t(`equipment.kinds.${d.kind}`)} ${d.assetNo}${d.model ? ` · ${d.model}` : ''}`
          : t('quality.reports.device_unknown'),
        d.count,
        rate(d.wasteRate),
        rate(d.artefactRate),
      ]),
    },
    {
      // issue 13 point 6: the refusals of recognition that count against an institution × item
      name: t('quality.reports.recognition_refusals'),
      header: [
        t('quality.filters.clinic'),
        t('quality.reports.refusal_item'),
        t('quality.reports.refused'),
        t('quality.reports.re_examined'),
        t('quality.reports.refusal_total'),
        t('quality.reports.refusal_reasons'),
      ],
      rows: report.recognitionRefusals.map((r) => [
        r.institution,
        r.item
          ? `[${t(`common.catalogues.${r.catalogue}`)}] ${r.item}`
          : t('quality.reports.item_unknown'),
        r.refused,
        r.reExamined,
        r.total,
        Object.entries(r.reasons)
          .map(([code, n]) => `${t(`recognition.reasons.${code}`)} ${n}`)
          .join(' · '),
      ]),
    },
  ]
}

export function qcReportXlsx(report: QcReport, t: T) {
  return xlsxBuffer(tables(report, t))
}

export async function qcReportPdf(report: QcReport, t: T, title: string) {
  const doc = createPdf({ info: { Title: title } })
  const left = doc.page.margins.left
  const width = doc.page.width - left - doc.page.margins.right
  doc.fontSize(16).text(title, { width, align: 'center' })
  doc.moveDown(0.3)
  doc.fontSize(10).text(
    t('quality.reports.period', {
      from: report.from.toISODate(),
      to: report.to.minus({ days: 1 }).toISODate(),
    }),
    { width, align: 'center' }
  )
  doc.moveDown(0.6)
  doc
    .fontSize(11)
    .text(
      `${t('quality.reports.sampled')} ${report.totals.sampled}  ${t('quality.reports.passed')} ${report.totals.passed}  ${t('quality.reports.pass_rate')} ${rate(report.totals.passRate)}  ${t('quality.reports.agreement')} ${rate(report.agreement.rate)}`
    )
  for (const table of tables(report, t)) {
    doc.moveDown(0.8)
    if (doc.y > doc.page.height - 120) doc.addPage()
    doc.fontSize(12).text(table.name)
    doc.moveDown(0.2)
    const columnWidth = width / table.header.length
    const line = (cells: unknown[], bold = false) => {
      if (doc.y > doc.page.height - 60) doc.addPage()
      const y = doc.y
      let lowest = y
      cells.forEach((cell, i) => {
        doc
          .fontSize(bold ? 8.5 : 8)
          .text(String(cell ?? ''), left + i * columnWidth, y, { width: columnWidth - 4 })
        lowest = Math.max(lowest, doc.y)
      })
      doc.x = left
      doc.y = lowest + 2
    }
    line(table.header, true)
    for (const row of table.rows.slice(0, 200)) line(row)
    if (!table.rows.length) line([t('quality.reports.none')])
  }
  return pdfBuffer(doc)
}
