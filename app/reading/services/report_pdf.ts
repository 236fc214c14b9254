import type ReportVersion from '#models/report_version'
import imaging from '#config/imaging'
import { createPdf, pdfBuffer } from '#app/platform/documents'
import type { ResultMark } from '#app/platform/result_marks'

/*
| The printable report, laid out as B appendix A (表 A.1): hospital title;
| exam no., name, sex, age; department, clinical diagnosis; exam name and
| time; technique; findings (影像描述); impression (诊断结论); reporting
| doctor, reviewing doctor, report time. Printed from the header frozen at
| signing, so a reprint years later shows what was signed.
*/

const SEX: Record<string, string> = { M: '男', F: '女', O: '其他', U: '未知' }

export async function reportPdf(
  version: ReportVersion,
  previousSignedAt?: string | null,
  mark?: ResultMark | null
): Promise<Buffer> {
  const header = version.header!
  const doc = createPdf({
    info: {
      Title: `${header.hospital}放射影像检查报告 ${header.accessionNumber}`,
      Author: header.signerName,
    },
  })
  const left = doc.page.margins.left
  const width = doc.page.width - left - doc.page.margins.right
  const rule = () => {
    doc.moveDown(0.3)
    doc
      .moveTo(left, doc.y)
      .lineTo(left + width, doc.y)
      .lineWidth(0.8)
      .stroke()
    doc.moveDown(0.5)
  }

  // R 6.4: the mutual-recognition mark of an eligible item, top-right; none for any other.
  if (mark) {
    const top = doc.y
    doc.fontSize(12).fillColor('#b91c1c').text(mark.code, left, top, { width, align: 'right' })
    doc.fillColor('#000000')
    doc.y = top
  }
  doc
    .fontSize(18)
    .text(`${header.hospital}放射影像检查报告`, left, doc.y, { width, align: 'center' })
  if (version.versionNo > 1)
    doc.fontSize(9).text(`修订版 · 第 ${version.versionNo} 版`, { width, align: 'right' })
  doc.moveDown(0.4)
  rule()

  /** One line of labelled cells at fixed columns (fractions of the width). */
  const cells = (pairs: Array<[string, string, number]>) => {
    const y = doc.y
    let x = left
    let lowest = y
    for (const [label, value, share] of pairs) {
      const cellWidth = width * share
      doc.fontSize(10.5).text(`${label}：${value || '—'}`, x, y, { width: cellWidth - 8 })
      lowest = Math.max(lowest, doc.y)
      x += cellWidth
    }
    doc.x = left
    doc.y = lowest + 4
  }
  cells([
    ['检查号', header.accessionNumber, 0.34],
    ['姓名', header.patientName, 0.26],
    ['性别', SEX[header.sex] ?? header.sex, 0.18],
    ['年龄', header.age, 0.22],
  ])
  cells([
    ['科别', header.department ?? '', 0.34],
    ['临床诊断', header.clinicalDiagnosis ?? '', 0.66],
  ])
  cells([['申请单位', header.clinic, 1]])
  cells([
    ['检查名称', header.examName, 0.6],
    ['检查时间', header.examTime ?? '', 0.4],
  ])
  rule()

  const section = (title: string, body: string) => {
    doc.fontSize(11.5).text(title, left, doc.y, { width })
    doc.moveDown(0.2)
    doc.fontSize(10.5).text(body || '—', left + 12, doc.y, { width: width - 12, lineGap: 3 })
    doc.moveDown(0.7)
  }
  section('技术参数：', version.technique ?? '')
  const findings = [version.comparison ? `对比：${version.comparison}` : null, version.findings]
    .filter(Boolean)
    .join('\n')
  section('影像描述：', findings)
  section('诊断结论：', version.impression ?? '')
  if (version.versionNo > 1 && version.amendmentReason) {
    section(
      '修订说明：',
      `本报告为第 ${version.versionNo} 版，修订原因：${version.amendmentReason}${previousSignedAt ? `（原报告时间 ${previousSignedAt}）` : ''}`
    )
  }

  doc.moveDown(0.5)
  rule()
  const signedAt = version.signedAt
    ? version.signedAt.setZone(imaging.displayTimezone).toFormat('yyyy-MM-dd HH:mm')
    : ''
  cells([
    ['报告医师', header.authorName, 0.3],
    ['审核医师', header.signerName, 0.3],
    ['报告时间', signedAt, 0.4],
  ])
  doc.moveDown(0.6)
  doc.fontSize(8.5).fillColor('#555555').text('本报告仅供临床参考。', left, doc.y, { width })
  doc.fillColor('#000000')
  return pdfBuffer(doc)
}
