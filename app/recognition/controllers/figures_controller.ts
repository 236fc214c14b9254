import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type User from '#models/user'
import imaging from '#config/imaging'
import { Clock } from '#app/platform/clock'
import { useCase, HiddenRecord, numericParam, done } from '#app/platform/http/use_case'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { nameDownload } from '#app/platform/documents'
import {
  monthlyStatistics,
  monthlyReports,
  statisticsWorkbook,
} from '#app/recognition/services/recognition_statistics'
import { dataQualityByClinic, dataQualityDays } from '#app/recognition/services/data_quality'
import { recognitionSettings } from '#app/recognition/services/recognition_settings'
import { RecognitionRefusals } from '#app/recognition/services/refusals'
import { repeatReasons } from '#app/recognition/services/repeat_reasons'
import { trafficLight } from '#app/recognition/services/traffic_light'
import { markNoticeRead } from '#app/recognition/services/notices'
import {
  maySeeFigures,
  mayRecordRefusal,
  seesAllClinicsFigures,
} from '#app/recognition/recognition_access'
import {
  dataQualityValidator,
  evaluationsQueryValidator,
  monthValidator,
  refusalValidator,
} from '#app/recognition/validators/recognition_validators'
import { statisticsChart } from '#app/recognition/services/statistics_chart'

/** The clinics a person's figures cover: every member clinic for the centre, their own for a clinic. */
async function clinicsFor(user: User, wanted?: number) {
  const clinics = await db
    .from('institutions')
    .where('kind', 'member_clinic')
    .where('active', true)
    .orderBy('code')
    .select('id', 'name')
  const visible = seesAllClinicsFigures(user)
    ? clinics
    : clinics.filter((c) => Number(c.id) === user.institutionId)
  if (wanted && !visible.some((c) => Number(c.id) === wanted))
    throw new HiddenRecord('institution', wanted)
  return wanted ? visible.filter((c) => Number(c.id) === wanted) : visible
}

/** Statistics (H 四(四)), data quality (R 7.1) and refusals, as pages, JSON and Excel. */
@inject()
export default class FiguresController {
  constructor(
    protected clock: Clock,
    protected refusals: RecognitionRefusals
  ) {}

  protected lastMonth() {
    return this.clock
      .now()
      .setZone(imaging.displayTimezone)
      .minus({ months: 1 })
      .toFormat('yyyy-MM')
  }

  protected thisMonth() {
    return this.clock.now().setZone(imaging.displayTimezone).toFormat('yyyy-MM')
  }

  statistics(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.statistics.view',
      allow: maySeeFigures,
      input: monthValidator,
      run: async ({ user, input }) => {
        const clinics = await clinicsFor(user, input.institutionId)
        const month = input.month ?? this.thisMonth()
        const stats = await monthlyStatistics(
          month,
          clinics.map((c) => Number(c.id))
        )
        return {
          stats,
          clinics,
          month,
          institutionId: input.institutionId ?? null,
          reports: seesAllClinicsFigures(user) ? await monthlyReports() : [],
        }
      },
      json: ({ stats }) => ({ data: stats }),
      page: (state) =>
        ctx.view.render('pages/recognition/statistics', {
          ...state,
          reasons: repeatReasons(),
          chart: statisticsChart(state.stats, ctx.i18n),
        }),
    })
  }

  statisticsXlsx(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.statistics.export',
      allow: maySeeFigures,
      input: monthValidator,
      run: async ({ user, input }) => {
        const clinics = await clinicsFor(user, input.institutionId)
        const month = input.month ?? this.thisMonth()
        return {
          month,
          buffer: await statisticsWorkbook(
            await monthlyStatistics(
              month,
              clinics.map((c) => Number(c.id))
            )
          ),
        }
      },
      json: (r) => this.xlsx(ctx, `recognition-${r.month}.xlsx`, r.buffer),
      page: (r) => this.xlsx(ctx, `recognition-${r.month}.xlsx`, r.buffer),
    })
  }

  /** GET /recognition/reports/:id.xlsx — a kept monthly report for the health bureau. */
  monthlyReport(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.report.download',
      allow: (c) => seesAllClinicsFigures(c.auth.user as User),
      run: async () => {
        const row = await db
          .from('recognition_monthly_reports')
          .where('id', numericParam(ctx) ?? 0)
          .first()
        if (!row) throw DomainRefusal.notFound('recognition_report')
        return row
      },
      audit: { target: (row) => ({ type: 'recognition_report', id: row.id }) },
      json: (row) => this.xlsx(ctx, `recognition-report-${row.month}.xlsx`, row.xlsx),
      page: (row) => this.xlsx(ctx, `recognition-report-${row.month}.xlsx`, row.xlsx),
    })
  }

  protected xlsx(ctx: HttpContext, name: string, buffer: Buffer) {
    ctx.response.header(
      'Content-Type',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
    )
    nameDownload(ctx, name)
    return ctx.response.send(buffer)
  }

  dataQuality(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.data_quality.view',
      allow: maySeeFigures,
      input: dataQualityValidator,
      run: async ({ user, input }) => {
        const clinics = await clinicsFor(user, input.institutionId)
        const month = input.month ?? this.thisMonth()
        const from = DateTime.fromFormat(month, 'yyyy-MM', { zone: imaging.displayTimezone })
        const to = from.plus({ months: 1 })
        const figures = await dataQualityByClinic(
          from,
          to,
          clinics.map((c) => Number(c.id))
        )
        const settings = await recognitionSettings()
        const rows = clinics.map((c) => {
          const f = figures.get(Number(c.id))!
          return {
            institutionId: Number(c.id),
            name: c.name,
            metrics: (
              [
                'timeliness',
                'consistency',
                'completeness',
                'accuracy',
                'continuity_gap_days',
              ] as const
            ).map((metric) => ({
              metric,
              ...f[metric],
              threshold: settings[`dq_${metric}`],
              light: trafficLight(metric, f[metric].value, settings[`dq_${metric}`]),
            })),
          }
        })
        const days = input.institutionId
          ? await dataQualityDays(input.institutionId, from.toISODate()!, to.toISODate()!)
          : []
        return { month, rows, days, institutionId: input.institutionId ?? null, clinics }
      },
      json: ({ month, rows, days }) => ({ data: { month, clinics: rows, days } }),
      page: (state) => ctx.view.render('pages/recognition/data_quality', state),
    })
  }

  /** POST /recognition/notices/:id/read — the person has seen a suspension or data-quality notice. */
  readNotice(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.notice.read',
      audit: 'refusals',
      run: async ({ user }) => {
        const updated = await markNoticeRead(user.id, numericParam(ctx) ?? 0, this.clock.now())
        if (!Number(updated)) throw DomainRefusal.notFound('notice')
        return { id: numericParam(ctx) }
      },
      json: (r) => ({ data: r }),
      page: () => ctx.response.redirect('/'),
    })
  }

  refusalsIndex(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.refusals.view',
      allow: maySeeFigures,
      input: evaluationsQueryValidator,
      run: async ({ user, input }) => ({
        refusals: await this.refusals.list(user, input.institutionId),
        institutions: seesAllClinicsFigures(user)
          ? await db
              .from('institutions')
              .where('active', true)
              .orderBy('kind')
              .orderBy('code')
              .select('id', 'name')
          : [],
      }),
      json: ({ refusals }) => ({ data: refusals }),
      page: (state) =>
        ctx.view.render('pages/recognition/refusals', { ...state, reasons: repeatReasons() }),
    })
  }

  storeRefusal(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.refusal.record',
      allow: mayRecordRefusal,
      input: refusalValidator,
      run: ({ user, input }) =>
        this.refusals.record(user, { ...input, reasonCode: input.reasonCode ?? '' }),
      audit: {
        target: (r) => ({ type: 'recognition_refusal', id: r.id }),
        details: (r, { input }) => ({ examId: r.examId, reasonCode: input.reasonCode }),
      },
      json: (r) => ctx.response.created({ data: r }),
      page: () => done(ctx, 'recognition.refusals_page.recorded', {}, '/recognition/refusals'),
    })
  }
}
