import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import { DateTime } from 'luxon'
import imaging from '#config/imaging'
import { examTarget } from '#app/access/exam_access'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { needingOrthanc } from '#app/orthanc/unavailable'
import { ExamImages } from '#app/images/services/exam_images'
import { DomainRefusal } from '#app/platform/domain_refusal'
import {
  HiddenRecord,
  recordById,
  useCase,
  done,
  type RecordLoader,
} from '#app/platform/http/use_case'
import ShareLink from '#app/consultation/models/share_link'
import {
  ShareLinks,
  DEFAULT_LINK_DAYS,
  MAX_LINK_DAYS,
} from '#app/consultation/services/share_links'

const createValidator = vine.compile(
  vine.object({
    // A calendar day in the hospital's time zone (the link works until its end) or nothing (7 days).
    expiresOn: vine
      .string()
      .trim()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
    accessCode: vine.string().trim().minLength(4).maxLength(32).optional(),
    deidentify: vine.boolean().optional(),
    note: vine.string().trim().maxLength(128).optional(),
  })
)

const codeValidator = vine.compile(
  vine.object({ accessCode: vine.string().trim().maxLength(32).optional() })
)

/** The link a public request names by its token; expired, revoked or unknown are the same 404. */
function linkTarget(links: ShareLinks): RecordLoader<ShareLink> {
  return {
    type: 'share_link',
    requested: () => null,
    find: (ctx) => links.valid(String(ctx.params.token ?? '')),
  }
}

const unlockedKey = (link: ShareLink) => `share-link-unlocked:${link.id}`

/** Share links: made and revoked by signed-in users; opened by anyone holding the link (and its code). */
@inject()
export default class ShareLinksController {
  constructor(
    protected links: ShareLinks,
    protected images: ExamImages,
    protected orthanc: OrthancClient
  ) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'share_link.list',
      target: examTarget,
      run: async ({ target }) => ({ exam: target, links: await this.links.forExam(target) }),
      json: ({ links }) =>
        links.map((l) => ({
          id: l.id,
          expiresAt: l.expiresAt.toISO(),
          deidentify: l.deidentify,
          revokedAt: l.revokedAt?.toISO() ?? null,
          hasCode: !!l.accessCodeHash,
        })),
      page: ({ exam, links }) =>
        ctx.view.render('pages/consultation/share_links', {
          exam,
          links,
          defaultDays: DEFAULT_LINK_DAYS,
          maxDays: MAX_LINK_DAYS,
          created: ctx.session?.flashMessages.get('shareLinkUrl') ?? null,
        }),
    })
  }

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'share_link.create',
      target: examTarget,
      input: createValidator,
      run: ({ user, target, input }) =>
        this.links.create(user, target, {
          expiresAt: input.expiresOn
            ? DateTime.fromISO(input.expiresOn, { zone: imaging.displayTimezone })
                .endOf('day')
                .toUTC()
            : undefined,
          accessCode: input.accessCode,
          deidentify: input.deidentify,
          note: input.note,
        }),
      audit: {
        target: ({ link }) => ({ type: 'share_link', id: link.id }),
        details: ({ link }) => ({
          examId: link.examId,
          expiresAt: link.expiresAt.toISO(),
          deidentify: link.deidentify,
          accessCode: !!link.accessCodeHash,
        }),
      },
      json: ({ link, token }) =>
        ctx.response.status(201).json({
          id: link.id,
          url: `/s/${token}`,
          expiresAt: link.expiresAt.toISO(),
          deidentify: link.deidentify,
        }),
      page: ({ token }, { target }) => {
        ctx.session.flash('shareLinkUrl', `/s/${token}`)
        return done(ctx, 'consultation.links.created', {}, `/exams/${target.id}/share-links`)
      },
    })
  }

  revoke(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'share_link.revoke',
      target: {
        ...recordById('share_link', (id) =>
          ShareLink.query().where('id', id).preload('exam').first()
        ),
        visible: (c, link) => examTarget.visible!(c, link.exam),
      } as RecordLoader<ShareLink>,
      run: ({ user, target }) => this.links.revoke(user, target),
      json: (link) => ({ id: link.id, revokedAt: link.revokedAt?.toISO() }),
      page: (link) =>
        done(ctx, 'consultation.links.revoked', {}, `/exams/${link.examId}/share-links`),
    })
  }

  /** GET /s/:token: every opening is audited with its IP address. */
  open(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'share_link.open',
      target: linkTarget(this.links),
      run: async ({ target }) => {
        const unlocked = !target.accessCodeHash || ctx.session?.get(unlockedKey(target)) === true
        if (!unlocked) return { locked: true as const, link: target }
        return {
          locked: false as const,
          ...(await this.links.page(target)),
          series: await needingOrthanc(() => this.images.series(target.exam)),
        }
      },
      audit: { details: (result) => ({ locked: result.locked }) },
      page: (result) =>
        ctx.view.render('pages/consultation/link', { ...result, token: ctx.params.token }),
    })
  }

  /** POST /s/:token: the access code. */
  unlock(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'share_link.unlock',
      target: linkTarget(this.links),
      input: codeValidator,
      run: async ({ target, input }) => {
        if (!(await this.links.checkCode(target, input.accessCode)))
          throw new DomainRefusal('wrong_code', 'consultation.links.errors.wrong_code', {}, 422)
        ctx.session.put(unlockedKey(target), true)
        return target
      },
      page: () => ctx.response.redirect(`/s/${ctx.params.token}`),
    })
  }

  /** An image of the linked exam (PNG preview, or its DICOM file, de-identified when the link says so). */
  preview(ctx: HttpContext) {
    return this.image(ctx, 'preview')
  }

  file(ctx: HttpContext) {
    return this.image(ctx, 'file')
  }

  protected image(ctx: HttpContext, kind: 'preview' | 'file') {
    return useCase(ctx, {
      action: 'share_link.images',
      target: linkTarget(this.links),
      audit: { once: ({ target }) => `share-link:${target.id}` },
      run: ({ target }) =>
        needingOrthanc(async () => {
          if (target.accessCodeHash && ctx.session?.get(unlockedKey(target)) !== true)
            throw new HiddenRecord('share_link', target.id)
          const instanceId = String(ctx.params.instanceId)
          if (!(await this.images.holdsInstance(target.exam, instanceId)))
            throw new HiddenRecord('share_link', target.id)
          if (kind === 'preview') return { preview: await this.orthanc.instancePreview(instanceId) }
          return {
            file: target.deidentify
              ? await this.orthanc.anonymizedInstanceBytes(instanceId)
              : await this.orthanc.instanceBytes(instanceId),
          }
        }),
      page: (result) => {
        ctx.response.header('Cache-Control', 'private, no-store')
        if ('preview' in result && result.preview) {
          ctx.response.header('Content-Type', result.preview.contentType)
          return ctx.response.stream(result.preview.stream)
        }
        ctx.response.header('Content-Type', 'application/dicom')
        ctx.response.header('Content-Disposition', 'attachment; filename="image.dcm"')
        return ctx.response.send((result as { file: Buffer }).file)
      },
    })
  }

  /** GET /s/:token/report.pdf: the signed report's PDF, de-identified when the link is (C 8.5.2). */
  reportPdf(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'share_link.report_pdf',
      target: linkTarget(this.links),
      run: async ({ target }) => {
        if (target.accessCodeHash && ctx.session?.get(unlockedKey(target)) !== true)
          throw new HiddenRecord('share_link', target.id)
        return this.links.reportPdf(target)
      },
      page: (pdf) => {
        ctx.response.header('Cache-Control', 'private, no-store')
        ctx.response.header('Content-Type', 'application/pdf')
        ctx.response.header('Content-Disposition', 'inline; filename="report.pdf"')
        return ctx.response.send(pdf)
      },
    })
  }
}
