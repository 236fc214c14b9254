import type { HttpContext } from '@adonisjs/core/http'
import ReportVersion from '#models/report_version'
import imaging from '#config/imaging'
import { examForRequest } from '#app/intake/exam_access'
import { audit } from '#app/audit/audit_log'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { signedReport, signedReportsFor } from '#app/reading/services/report_views'
import { reportPdf } from '#app/reading/services/report_pdf'
import { reportJson } from '#app/reading/controllers/report_json'
import { isApi } from '#app/reading/controllers/reading_access'
import { nameDownload } from '#app/platform/documents'

/*
| Signed reports for whoever may see the exam: the requesting clinic (another
| clinic's answers 404, audited), the readers, as a page, a printable PDF
| (B appendix A) and JSON. Drafts and reports in review are never shown here.
*/
export default class ReportsController {
  protected exam(ctx: HttpContext) {
    return isApi(ctx) ? examForRequest(ctx, { accession: ctx.params.accession }) : examForRequest(ctx, { id: ctx.params.id })
  }

  async index(ctx: HttpContext) {
    const page = Math.max(1, Number(ctx.request.input('page', 1)) || 1)
    const exams = await signedReportsFor(ctx.auth.user!, page)
    exams.baseUrl('/reports')
    return ctx.view.render('pages/reading/reports', { exams })
  }

  async show(ctx: HttpContext) {
    const exam = await this.exam(ctx)
    await exam.load((l) => l.load('patient').load('institution').load('items'))
    const report = await signedReport(exam)
    await audit.fromContext(ctx, { action: 'report.view', targetType: 'exam', targetId: exam.id, details: isApi(ctx) ? { via: 'api' } : {} })
    if (isApi(ctx)) {
      if (!report.latest) throw new DomainRefusal('no_signed_report', 'reading.refusals.no_signed_report', {}, 404)
      return {
        data: {
          accessionNumber: exam.accessionNumber,
          status: exam.status,
          amendmentInProgress: report.amendmentInProgress,
          report: reportJson(report.latest.version),
          versions: report.views.map((v) => ({ ...reportJson(v.version), changes: v.changes })),
        },
      }
    }
    return ctx.view.render('pages/reading/report', { exam, report, displayTimezone: imaging.displayTimezone })
  }

  async pdf(ctx: HttpContext) {
    const exam = await this.exam(ctx)
    const wanted = Number(ctx.request.input('version')) || null
    const signed = await ReportVersion.query()
      .where('exam_id', exam.id)
      .where('status', 'signed')
      .if(wanted, (q) => q.where('version_no', wanted!))
      .orderBy('version_no', 'desc')
      .first()
    if (!signed) throw new DomainRefusal('no_signed_report', 'reading.refusals.no_signed_report', {}, 404)
    const previous =
      signed.versionNo > 1
        ? await ReportVersion.query().where('exam_id', exam.id).where('status', 'signed').where('version_no', '<', signed.versionNo).orderBy('version_no', 'desc').first()
        : null
    const buffer = await reportPdf(signed, previous?.signedAt?.setZone(imaging.displayTimezone).toFormat('yyyy-MM-dd HH:mm') ?? null)
    await audit.fromContext(ctx, { action: 'report.print', targetType: 'exam', targetId: exam.id, details: { versionNo: signed.versionNo, ...(isApi(ctx) ? { via: 'api' } : {}) } })
    ctx.response.header('Content-Type', 'application/pdf')
    nameDownload(ctx, `report-${exam.accessionNumber}-v${signed.versionNo}.pdf`, 'inline')
    ctx.response.header('Cache-Control', 'private, no-store')
    return ctx.response.send(buffer)
  }
}
