import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import Institution from '#models/institution'
import { useCase } from '#app/platform/http/use_case'
import { downloadStamp, nameDownload } from '#app/platform/documents'
import { Clock } from '#app/platform/clock'
import { QcReports, type QcReport } from '#app/quality/services/qc_reports'
import { qcReportPdf, qcReportXlsx } from '#app/quality/services/qc_report_files'
import { bandChartSvg } from '#app/quality/band_chart'
import { mayReport } from '#app/quality/quality_access'
import { reportPeriodValidator } from '#app/quality/validators/quality_validators'

function reportJson(report: QcReport) {
  return { data: { ...report, from: report.from.toISODate(), to: report.to.toISODate() } }
}

/** QC reports (Q 6): the page with its chart, Excel and PDF, and /api/v1. */
@inject()
export default class QcReportsController {
  constructor(
    protected reports: QcReports,
    protected clock: Clock
  ) {}

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.report',
      allow: mayReport,
      input: reportPeriodValidator,
      run: ({ input }) => this.reports.build(input),
      json: reportJson,
      page: async (report, { input }) => {
        const t = (key: string) => ctx.i18n.t(key)
        const chart = bandChartSvg(
          report.items
            .filter((i) => i.item !== 'application_form')
            .map((i) => ({
              label: t(`quality.items.${i.item}`),
              bands: i.bands as unknown as Record<string, number>,
            })),
          {
            excellent: t('quality.bands.excellent'),
            good: t('quality.bands.good'),
            pass: t('quality.bands.pass'),
            fail: t('quality.bands.fail'),
          },
          t('quality.reports.none')
        )
        const query = new URLSearchParams(
          Object.entries(input)
            .filter(([, v]) => v !== undefined && v !== null && v !== '')
            .map(([k, v]) => [k, String(v)])
        ).toString()
        return ctx.view.render('pages/quality/report', {
          report,
          chart,
          filters: input,
          query,
          month: report.from.toFormat('yyyy-LL'),
          institutions: await Institution.query().whereNot('kind', 'lead_hospital').orderBy('code'),
        })
      },
    })
  }

  xlsx(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.report_export',
      allow: mayReport,
      input: reportPeriodValidator,
      run: async ({ input }) =>
        qcReportXlsx(await this.reports.build(input), (k, d) => ctx.i18n.t(k, d)),
      audit: { details: () => ({ format: 'xlsx' }) },
      json: (buffer) => this.send(ctx, buffer, 'xlsx'),
      page: (buffer) => this.send(ctx, buffer, 'xlsx'),
    })
  }

  pdf(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.report_export',
      allow: mayReport,
      input: reportPeriodValidator,
      run: async ({ input }) =>
        qcReportPdf(
          await this.reports.build(input),
          (k, d) => ctx.i18n.t(k, d),
          ctx.i18n.t('quality.reports.title')
        ),
      audit: { details: () => ({ format: 'pdf' }) },
      json: (buffer) => this.send(ctx, buffer, 'pdf'),
      page: (buffer) => this.send(ctx, buffer, 'pdf'),
    })
  }

  protected send(ctx: HttpContext, buffer: Buffer, format: 'xlsx' | 'pdf') {
    ctx.response.header(
      'Content-Type',
      format === 'pdf'
        ? 'application/pdf'
        : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
    )
    nameDownload(ctx, `qc-report-${downloadStamp(this.clock.now())}.${format}`)
    return buffer
  }
}
