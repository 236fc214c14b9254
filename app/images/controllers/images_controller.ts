import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import type Exam from '#models/exam'
import { OrthancClient, type ImageStream } from '#app/orthanc/orthanc_client'
import { examTarget } from '#app/access/exam_access'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { HiddenRecord, useCase } from '#app/platform/http/use_case'
import { ExamImages, CT_WINDOWS } from '#app/images/services/exam_images'
import { needingOrthanc } from '#app/orthanc/unavailable'

const renderValidator = vine.compile(
  vine.object({
    preset: vine.enum(Object.keys(CT_WINDOWS) as Array<keyof typeof CT_WINDOWS>).optional(),
    width: vine.number().positive().withoutDecimals().optional(),
  })
)

// One audit line per exam and session, whichever of its images the viewer asks for first (not one per frame).
const imageViews = {
  action: 'exam.images.view',
  target: examTarget,
  audit: { once: ({ target }: { target: Exam }) => String(target.id) },
}

/**
 * Images reach a browser only through here: the exam is checked for the user's
 * role and clinic, the instance for belonging to that exam, and only then is
 * Orthanc's rendering streamed through.
 */
@inject()
export default class ImagesController {
  constructor(
    protected images: ExamImages,
    protected orthanc: OrthancClient
  ) {}

  /** GET /exams/:id/series — the series and their ordered instances, for the viewer. */
  series(ctx: HttpContext) {
    return useCase(ctx, {
      ...imageViews,
      // Orthanc unavailable or hung: 503 within its deadline, never 404 as if the images did not exist.
      run: async ({ target }) => ({
        series: await needingOrthanc(() => this.images.series(target)),
      }),
    })
  }

  /** GET /exams/:id/instances/:instanceId/preview */
  preview(ctx: HttpContext) {
    return useCase(ctx, {
      ...imageViews,
      run: ({ target }) =>
        needingOrthanc(async () => {
          await this.ensureHeld(target, ctx.params.instanceId)
          return this.orthanc.instancePreview(ctx.params.instanceId)
        }),
      json: (image) => this.pipe(ctx, image),
      page: (image) => this.pipe(ctx, image),
    })
  }

  /** GET /exams/:id/instances/:instanceId/frames/:frame/rendered?preset=lung */
  rendered(ctx: HttpContext) {
    return useCase(ctx, {
      ...imageViews,
      input: renderValidator,
      run: ({ target, input }) =>
        needingOrthanc(async () => {
          await this.ensureHeld(target, ctx.params.instanceId)
          const frame = Number(ctx.params.frame)
          if (!/^\d{1,5}$/.test(String(ctx.params.frame)) || frame > 10_000)
            throw DomainRefusal.notFound('frame')
          const window = input.preset ? CT_WINDOWS[input.preset] : null
          return this.orthanc.renderedFrame(ctx.params.instanceId, frame, {
            windowCenter: window?.center,
            windowWidth: window?.width,
            width: input.width ? Math.min(input.width, 2048) : undefined,
          })
        }),
      json: (image) => this.pipe(ctx, image),
      page: (image) => this.pipe(ctx, image),
    })
  }

  /** An instance of another exam is answered as missing; the audit keeps which exam was asked. */
  protected async ensureHeld(exam: Exam, instanceId: string) {
    if (!(await this.images.holdsInstance(exam, instanceId)))
      throw new HiddenRecord('exam', exam.id)
  }

  protected pipe(ctx: HttpContext, image: ImageStream) {
    ctx.response.header('Content-Type', image.contentType)
    // Patient images: never stored by shared caches.
    ctx.response.header('Cache-Control', 'private, max-age=300')
    ctx.response.stream(image.stream)
  }
}
