/*
| Printable documents and spreadsheets: PDF (pdfkit, with a CJK font so
| Chinese prints) and Excel .xlsx (exceljs). Capabilities build their content;
| this file only knows how to make the files.
*/
import { existsSync } from 'node:fs'
import PDFDocument from 'pdfkit'
import ExcelJS from 'exceljs'
import type { HttpContext } from '@adonisjs/core/http'
import type { DateTime } from 'luxon'
import imaging from '#config/imaging'

/** Fonts tried in order; bin/up.mjs installs fonts-wqy-microhei (Debian) when none is present. */
export const CJK_FONT_CANDIDATES = [
  // family: the PostScript name of the face inside the .ttc collection
  { path: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', family: 'WenQuanYiMicroHei' },
  { path: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', family: 'WenQuanYiZenHei' },
  {
    path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
    family: 'NotoSansCJKsc-Regular',
  },
]

export function cjkFont() {
  const font = CJK_FONT_CANDIDATES.find((candidate) => existsSync(candidate.path))
  if (!font) throw new Error('no CJK font installed: apt-get install fonts-wqy-microhei')
  return font
}

/** An A4 PDF whose default font prints Chinese. Pipe it to a response or collect it with pdfBuffer(). */
export function createPdf(options: PDFKit.PDFDocumentOptions = {}) {
  const doc = new PDFDocument({ size: 'A4', margin: 50, bufferPages: true, ...options })
  const font = cjkFont()
  doc.registerFont('cjk', font.path, font.family)
  doc.font('cjk')
  return doc
}

export function pdfBuffer(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    doc.on('data', (chunk: Buffer) => chunks.push(chunk))
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
    doc.end()
  })
}

export interface SheetSpec {
  name: string
  header: string[]
  rows: unknown[][]
}

/** An .xlsx workbook with one sheet per spec, header row bold and frozen. */
export async function xlsxBuffer(sheets: SheetSpec[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook()
  workbook.created = new Date()
  for (const spec of sheets) {
    const sheet = workbook.addWorksheet(spec.name.slice(0, 31))
    sheet.addRow(spec.header).font = { bold: true }
    sheet.views = [{ state: 'frozen', ySplit: 1 }]
    for (const row of spec.rows) sheet.addRow(row)
    sheet.columns.forEach((column) => (column.width = 16))
  }
  return Buffer.from(await workbook.xlsx.writeBuffer())
}

/**
 * Names a generated file in the response: `attachment` downloads, `inline` opens in the browser.
 * (response.attachment() streams a file from disk, which generated documents are not.)
 */
/** A file name's date and time: the hospital's (yyyyMMdd-HHmm), never UTC, as every page shows it. */
export function downloadStamp(at: DateTime, format = 'yyyyMMdd-HHmm') {
  return at.setZone(imaging.displayTimezone).toFormat(format)
}

export function nameDownload(
  ctx: HttpContext,
  fileName: string,
  disposition: 'attachment' | 'inline' = 'attachment'
) {
  ctx.response.header('Content-Disposition', `${disposition}; filename="${fileName}"`)
}
