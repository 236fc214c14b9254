import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import Institution from '#models/institution'
import ReportVersion from '#models/report_version'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { needingOrthanc } from '#app/orthanc/unavailable'
import { ExamImages } from '#app/images/services/exam_images'
import { HiddenRecord, useCase, done } from '#app/platform/http/use_case'
import { mayListShares, mayManageSharing, shareTarget } from '#app/consultation/consultation_access'
import ExamShare from '#app/consultation/models/exam_share'
import ShareRule from '#app/consultation/models/share_rule'
import { SpecialtySharing } from '#app/consultation/services/specialty_sharing'

const words = vine
  .string()
  .trim()
  .maxLength(255)
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(/[,，、\s]+/)
      .map((s) => s.trim())
      .filter(Boolean)
  )

const ruleValidator = vine.compile(
  vine.object({
    centreId: vine.number().positive(),
    name: vine.string().trim().minLength(2).maxLength(128),
    modalities: words,
    bodyParts: words,
    requestKeywords: words,
    criticalCodes: words,
    onEmergency: vine.boolean().optional(),
  })
)

/** C 9.4: what a specialty centre sees (the exams shared with it, read-only) and the administrator's share rules. */
@inject()
export default class SharedExamsController {
  constructor(
    protected sharing: SpecialtySharing,
    protected images: ExamImages,
    protected orthanc: OrthancClient
  ) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'consultation.shares',
      allow: mayListShares,
      run: ({ user }) =>
        ExamShare.query()
          .where('centre_id', user.institutionId)
          .preload('exam', (q) => q.preload('patient').preload('items').preload('institution'))
          .orderBy('shared_at', 'desc')
          .paginate(Number(ctx.request.input('page', 1)) || 1, 30),
      json: (page) => ({
        data: page.all().map((s) => ({
          id: s.id,
          accessionNumber: s.exam.accessionNumber,
          reason: s.reason,
          sharedAt: s.sharedAt.toISO(),
          reportShared: !!s.reportVersionId,
        })),
        meta: page.getMeta(),
      }),
      page: (page) => {
        page.baseUrl('/shared-exams')
        return ctx.view.render('pages/consultation/shared_index', { shares: page })
      },
    })
  }

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'consultation.share_view',
      target: shareTarget,
      run: async ({ target }) => {
        await target.exam.load('patient')
        await target.exam.load('items')
        await target.exam.load('institution')
        const report = target.reportVersionId
          ? await ReportVersion.query()
              .where('id', target.reportVersionId)
              .preload('signer')
              .first()
          : null
        const series = await needingOrthanc(() => this.images.series(target.exam))
        return { share: target, report, series }
      },
      json: ({ share, report, series }) => ({
        id: share.id,
        accessionNumber: share.exam.accessionNumber,
        reason: share.reason,
        report: report
          ? {
              versionNo: report.versionNo,
              findings: report.findings,
              impression: report.impression,
              signedAt: report.signedAt?.toISO(),
            }
          : null,
        series: series.map((s) => ({ id: s.id, modality: s.modality, instances: s.instances })),
      }),
      page: (detail) => ctx.view.render('pages/consultation/shared_show', detail),
    })
  }

  /** GET /shared-exams/:id/instances/:instanceId/preview: only an instance of the shared exam. */
  preview(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'consultation.share_view',
      target: shareTarget,
      audit: { once: ({ target }) => `share:${target.id}` },
      run: ({ target }) =>
        needingOrthanc(async () => {
          if (!(await this.images.holdsInstance(target.exam, String(ctx.params.instanceId))))
            throw new HiddenRecord('exam_share', target.id)
          return this.orthanc.instancePreview(String(ctx.params.instanceId))
        }),
      page: (image) => {
        ctx.response.header('Content-Type', image.contentType)
        ctx.response.header('Cache-Control', 'private, max-age=300')
        ctx.response.stream(image.stream)
      },
    })
  }

  rules(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'consultation.share_rules',
      allow: mayManageSharing,
      audit: false,
      run: async () => ({
        rules: await ShareRule.query().preload('centre').orderBy('centre_id'),
        institutions: await Institution.query()
          .where('active', true)
          .whereNot('kind', 'lead_hospital')
          .orderBy('code'),
      }),
      json: ({ rules }) => rules.map((r) => r.serialize()),
      page: (data) => ctx.view.render('pages/consultation/share_rules', data),
    })
  }

  storeRule(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'consultation.share_rule',
      allow: mayManageSharing,
      input: ruleValidator,
      run: ({ user, input }) =>
        this.sharing.createRule(user, {
          centreId: input.centreId,
          name: input.name,
          modalities: (input.modalities ?? []).map((m) => m.toUpperCase()),
          bodyParts: input.bodyParts ?? [],
          requestKeywords: input.requestKeywords ?? [],
          criticalCodes: (input.criticalCodes ?? []).map((c) => c.toUpperCase()),
          onEmergency: !!input.onEmergency,
        }),
      audit: {
        target: (rule) => ({ type: 'share_rule', id: rule.id }),
        details: (rule) => ({ centreId: rule.centreId }),
      },
      json: (rule) => ctx.response.status(201).json(rule.serialize()),
      page: () => done(ctx, 'consultation.sharing.rule_saved', {}, '/admin/share-rules'),
    })
  }
}
