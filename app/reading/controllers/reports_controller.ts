import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import imaging from '#config/imaging'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { signedReport, signedReportsFor } from '#app/reading/services/report_views'
import { signedReportPdf } from '#app/reading/services/signed_report_pdf'
import { reportJson } from '#app/reading/controllers/report_json'
import { maySeeReports } from '#app/reading/reading_access'
import { examTarget } from '#app/access/exam_access'
import { nameDownload } from '#app/platform/documents'
import { useCase } from '#app/platform/http/use_case'
import { wantsJson } from '#app/platform/http/wants_json'

const pageValidator = vine.compile(
  vine.object({ page: vine.number().positive().withoutDecimals().optional() })
)
const versionValidator = vine.compile(
  vine.object({ version: vine.number().positive().withoutDecimals().optional() })
)

/*
| Signed reports for whoever may see the exam: the requesting clinic (another
| clinic's answers 404, audited), the readers, as a page, a printable PDF
| (B appendix A) and JSON. Drafts and reports in review are never shown here.
*/
export default class ReportsController {
  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'report.list',
      allow: maySeeReports,
      input: pageValidator,
      run: ({ user, input }) => signedReportsFor(user, input.page ?? 1),
      page: (exams) => {
        exams.baseUrl('/reports')
        return ctx.view.render('pages/reading/reports', { exams })
      },
    })
  }

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'report.view',
      target: examTarget,
      run: async ({ target: exam }) => {
        await exam.load((l) => l.load('patient').load('institution').load('items'))
        const report = await signedReport(exam)
        // The page says "not signed yet"; the API has nothing to return.
        if (wantsJson(ctx) && !report.latest)
          throw new DomainRefusal('no_signed_report', 'reading.refusals.no_signed_report', {}, 404)
        return report
      },
      json: (report, { target: exam }) => {
        if (!report.latest) return null
        return {
          data: {
            accessionNumber: exam.accessionNumber,
            status: exam.status,
            amendmentInProgress: report.amendmentInProgress,
            report: reportJson(report.latest.version),
            versions: report.views.map((v) => ({ ...reportJson(v.version), changes: v.changes })),
          },
        }
      },
      page: (report, { target: exam }) =>
        ctx.view.render('pages/reading/report', {
          exam,
          report,
          displayTimezone: imaging.displayTimezone,
        }),
    })
  }

  pdf(ctx: HttpContext) {
    const send = (
      { buffer, signed }: Awaited<ReturnType<typeof signedReportPdf>>,
      exam: { accessionNumber: string }
    ) => {
      ctx.response.header('Content-Type', 'application/pdf')
      nameDownload(ctx, `report-${exam.accessionNumber}-v${signed.versionNo}.pdf`, 'inline')
      ctx.response.header('Cache-Control', 'private, no-store')
      return ctx.response.send(buffer)
    }
    return useCase(ctx, {
      action: 'report.print',
      target: examTarget,
      input: versionValidator,
      run: ({ target, input }) => signedReportPdf(target, input.version ?? null),
      audit: { details: ({ signed }) => ({ versionNo: signed.versionNo }) },
      json: (pdf, { target }) => send(pdf, target),
      page: (pdf, { target }) => send(pdf, target),
    })
  }
}
