import ReportVersion from '#models/report_version'
import type Exam from '#models/exam'
import imaging from '#config/imaging'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { reportPdf } from '#app/reading/services/report_pdf'
import { resultMarks } from '#app/platform/result_marks'

/** The printable signed report (B appendix A): the latest signed version, or the one asked for. */
export async function signedReportPdf(exam: Exam, wanted: number | null) {
  const signed = await ReportVersion.query()
    .where('exam_id', exam.id)
    .where('status', 'signed')
    .if(wanted, (q) => q.where('version_no', wanted!))
    .orderBy('version_no', 'desc')
    .first()
  if (!signed)
    throw new DomainRefusal('no_signed_report', 'reading.refusals.no_signed_report', {}, 404)
  const previous =
    signed.versionNo > 1
      ? await ReportVersion.query()
          .where('exam_id', exam.id)
          .where('status', 'signed')
          .where('version_no', '<', signed.versionNo)
          .orderBy('version_no', 'desc')
          .first()
      : null
  const buffer = await reportPdf(
    signed,
    previous?.signedAt?.setZone(imaging.displayTimezone).toFormat('yyyy-MM-dd HH:mm') ?? null,
    await resultMarks.forExam(exam.id)
  )
  return { signed, buffer }
}
