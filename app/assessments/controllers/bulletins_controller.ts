import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { useCase, done } from '#app/platform/http/use_case'
import { nameDownload } from '#app/platform/documents'
import { QcBulletins } from '#app/assessments/services/qc_bulletin'
import { presenter } from '#app/assessments/services/assessment_presenter'
import { rankingChartSvg } from '#app/assessments/services/assessment_charts'
import {
  bulletinTarget,
  mayManageAssessments,
  mayReadBulletins,
  seesAllClinics,
} from '#app/assessments/assessments_access'

/** The alliance QC bulletin (C 9.2.1, C 9.3): drafts for QC officers, published ones for everyone, who opened it. */
@inject()
export default class BulletinsController {
  constructor(protected bulletins: QcBulletins) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.bulletins.list',
      allow: mayReadBulletins,
      run: ({ user }) => this.bulletins.list(!seesAllClinics(user)),
      json: (list) => ({ data: list }),
      page: (list, { user }) =>
        ctx.view.render('pages/assessments/bulletins', { list, manage: seesAllClinics(user) }),
    })
  }

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.bulletins.view',
      allow: mayReadBulletins,
      target: bulletinTarget,
      run: async ({ user, target }) => {
        const figures = JSON.parse(target.figures)
        return {
          bulletin: target,
          figures,
          openings: seesAllClinics(user) ? await this.bulletins.openings(target.id) : [],
        }
      },
      json: ({ bulletin, figures }) => ({
        data: {
          id: bulletin.id,
          quarter: bulletin.quarter,
          status: bulletin.status,
          publishedAt: bulletin.published_at,
          figures,
        },
      }),
      page: ({ bulletin, figures, openings }, { user }) =>
        ctx.view.render('pages/assessments/bulletin', {
          bulletin,
          figures,
          openings,
          manage: seesAllClinics(user),
          chart: rankingChartSvg(
            figures.assessment.clinics.map((c: any) => ({
              name: c.clinicName,
              total: c.total,
              rank: c.rank,
            })),
            ctx.i18n.t('assessments.bulletin.ranking')
          ),
          p: presenter(ctx.i18n),
        }),
    })
  }

  pdf(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.bulletins.open',
      allow: mayReadBulletins,
      target: bulletinTarget,
      run: ({ user, target }) => this.bulletins.open(user, target.id),
      page: (row) => {
        ctx.response.header('Content-Type', 'application/pdf')
        nameDownload(ctx, `qc-bulletin-${row.quarter}.pdf`, 'inline')
        return ctx.response.send(row.pdf)
      },
    })
  }

  draft(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.bulletins.draft',
      allow: mayManageAssessments,
      run: () => this.bulletins.draftForLastQuarter(),
      audit: {
        target: (drafted) => ({ type: 'qc_bulletin', id: drafted.id }),
        details: (drafted) => ({ created: drafted.created }),
      },
      json: (drafted) => ({ data: drafted }),
      page: (drafted) => ctx.response.redirect(`/assessments/bulletins/${drafted.id}`),
    })
  }

  redraft(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.bulletins.redraft',
      allow: mayManageAssessments,
      target: bulletinTarget,
      run: ({ target }) => this.bulletins.redraft(target.id),
      json: (id) => ({ data: { id } }),
      page: (id) => done(ctx, 'assessments.bulletin.redrafted', {}, `/assessments/bulletins/${id}`),
    })
  }

  publish(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.bulletins.publish',
      allow: mayManageAssessments,
      target: bulletinTarget,
      run: ({ user, target }) => this.bulletins.publish(user, target.id),
      json: (bulletin) => ({
        data: {
          id: bulletin.id,
          quarter: bulletin.quarter,
          status: bulletin.status,
          publishedAt: bulletin.published_at,
        },
      }),
      page: (bulletin) =>
        done(
          ctx,
          'assessments.bulletin.published_done',
          {},
          `/assessments/bulletins/${bulletin.id}`
        ),
    })
  }
}
