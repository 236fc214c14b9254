import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { mayReport } from '#app/quality/quality_access'
import { useCase, done } from '#app/platform/http/use_case'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { Clock } from '#app/platform/clock'
import { clinicIndicators } from '#app/platform/clinic_indicators'
import { QuarterlyAssessment } from '#app/assessments/services/quarterly_assessment'
import { CorrectiveActions } from '#app/assessments/services/corrective_actions'
import { indicatorRecords } from '#app/assessments/services/indicator_records'
import {
  lastClosedQuarter,
  parseQuarter,
  previousQuarter,
  quarterAt,
  type Quarter,
} from '#app/assessments/services/quarters'
import { rankingChartSvg, trendChartSvg } from '#app/assessments/services/assessment_charts'
import { presenter } from '#app/assessments/services/assessment_presenter'
import {
  mayManageAssessments,
  mayViewAssessments,
  memberClinicTarget,
  recordsClinicTarget,
  seesAllClinics,
} from '#app/assessments/assessments_access'
import {
  closeQuarterValidator,
  correctQuarterValidator,
  quarterQueryValidator,
  recordsQueryValidator,
} from '#app/assessments/validators/assessment_validators'

/** The quarterly assessment of the members (C 9.3): the ranking, one clinic's trend, the records behind a figure, closing and correcting. */
@inject()
export default class QuartersController {
  constructor(
    protected assessments: QuarterlyAssessment,
    protected actions: CorrectiveActions,
    protected clock: Clock
  ) {}

  protected quarter(key: string | undefined): Quarter {
    if (!key) return lastClosedQuarter(this.clock.now())
    const quarter = parseQuarter(key)
    if (!quarter) throw new DomainRefusal('bad_quarter', 'assessments.refusals.bad_quarter')
    return quarter
  }

  /** The quarters a person can pick: the current one and the seven before it. */
  protected choices() {
    const current = quarterAt(this.clock.now())
    return [0, 1, 2, 3, 4, 5, 6, 7].map((by) => previousQuarter(current, by).key)
  }

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.quarter.view',
      allow: mayViewAssessments,
      input: quarterQueryValidator,
      run: async ({ user, input }) => {
        const quarter = this.quarter(input.quarter)
        const full = await this.assessments.forQuarter(quarter)
        return {
          quarter,
          full,
          visible: QuarterlyAssessment.visibleTo(user, full),
          versions: await this.assessments.versions(quarter.key),
        }
      },
      json: ({ visible, full }) => ({ data: { ...visible, memberCount: full.clinics.length } }),
      page: async ({ quarter, full, visible, versions }, { user }) =>
        ctx.view.render('pages/assessments/quarter', {
          // A figure links to its records only where this person may open them (QC reports are the QC group's).
          mayOpen: await recordsOpenTo(ctx),
          quarter,
          assessment: visible,
          memberCount: full.clinics.length,
          choices: this.choices(),
          versions,
          ended: this.clock.now() >= quarter.to,
          manage: seesAllClinics(user),
          chart: seesAllClinics(user)
            ? rankingChartSvg(
                full.clinics.map((c) => ({ name: c.clinicName, total: c.total, rank: c.rank })),
                ctx.i18n.t('assessments.quarter.chart')
              )
            : null,
          p: presenter(ctx.i18n),
        }),
    })
  }

  clinic(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.clinic.view',
      allow: mayViewAssessments,
      target: memberClinicTarget,
      input: quarterQueryValidator,
      run: async ({ target, input }) => {
        const quarter = this.quarter(input.quarter)
        const trend = await this.assessments.trend(quarter)
        const rows = trend.map((q) => ({
          quarter: q.quarter,
          closed: q.closed,
          count: q.clinics.length,
          row: q.clinics.find((c) => c.clinicId === target.id) ?? null,
        }))
        return {
          quarter,
          clinic: target,
          indicators: trend[trend.length - 1].indicators,
          trend: rows,
          actions: await this.actions.list({ institutionId: target.id, quarter: quarter.key }),
          previousActions: await this.actions.list({
            institutionId: target.id,
            quarter: previousQuarter(quarter).key,
          }),
        }
      },
      json: (result) => ({
        data: {
          quarter: result.quarter.key,
          clinic: result.clinic,
          indicators: result.indicators,
          trend: result.trend,
          actions: result.actions,
          previousActions: result.previousActions,
        },
      }),
      page: async (result, { user }) =>
        ctx.view.render('pages/assessments/clinic', {
          ...result,
          mayOpen: await recordsOpenTo(ctx),
          choices: this.choices(),
          manage: seesAllClinics(user),
          chart: trendChartSvg(
            result.trend.map((t) => ({ quarter: t.quarter, total: t.row?.total ?? null })),
            ctx.i18n.t('assessments.quarter.trend')
          ),
          p: presenter(ctx.i18n),
        }),
    })
  }

  records(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.records.view',
      allow: mayViewAssessments,
      target: recordsClinicTarget,
      input: recordsQueryValidator,
      run: async ({ target, input }) => ({
        clinic: target,
        input,
        ...(await indicatorRecords(input.indicator, target.id, input.from, input.to)),
      }),
      json: ({ kind, rows }) => ({ data: { kind, rows } }),
      page: (result) =>
        ctx.view.render('pages/assessments/records', {
          ...result,
          label: ctx.i18n.t(
            clinicIndicators.get(result.input.indicator)?.labelKey ?? 'assessments.records.title'
          ),
          p: presenter(ctx.i18n),
        }),
    })
  }

  close(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.quarter.close',
      allow: mayManageAssessments,
      input: closeQuarterValidator,
      run: ({ user, input }) => this.assessments.close(user, this.quarter(input.quarter)),
      audit: {
        target: (closed) => ({ type: 'assessment_quarter', id: closed.quarter }),
        details: (closed) => ({ version: closed.closed?.version }),
      },
      json: (closed) => ({ data: closed }),
      page: (closed) =>
        done(
          ctx,
          'assessments.quarter.closed_done',
          { quarter: closed.quarter },
          `/assessments?quarter=${closed.quarter}`
        ),
    })
  }

  correct(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.quarter.correct',
      allow: mayManageAssessments,
      input: correctQuarterValidator,
      run: ({ user, input }) =>
        this.assessments.correct(user, this.quarter(input.quarter), input.reason),
      audit: {
        target: (closed) => ({ type: 'assessment_quarter', id: closed.quarter }),
        details: (closed, { input }) => ({ version: closed.closed?.version, reason: input.reason }),
      },
      json: (closed) => ({ data: closed }),
      page: (closed) =>
        done(
          ctx,
          'assessments.quarter.corrected_done',
          { quarter: closed.quarter, version: closed.closed?.version },
          `/assessments?quarter=${closed.quarter}`
        ),
    })
  }
}

/**
 * Which records links this person may follow: QC figures lead to quality control's reports, the sharing rate to
 * the signed-report list; each only for whom those pages are (an administrator sees the quarter, not them).
 */
async function recordsOpenTo(ctx: HttpContext) {
  const qualityReports = mayReport(ctx)
  const signedReports = await (ctx as any).bouncer.with('ReadingPolicy').allows('seeReports')
  return (path: string) =>
    path.startsWith('/quality/')
      ? qualityReports
      : path.startsWith('/reports')
        ? signedReports
        : true
}
