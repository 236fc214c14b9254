import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { OrthancClient, type ImageStream } from '#app/orthanc/orthanc_client'
import { examForRequest } from '#app/intake/exam_access'
import { audit } from '#app/audit/audit_log'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { ExamImages, CT_WINDOWS, type WindowPreset } from '#app/images/services/exam_images'
import { needingOrthanc } from '#app/orthanc/unavailable'

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
  async series(ctx: HttpContext) {
    const exam = await examForRequest(ctx, { id: ctx.params.id })
    // Orthanc unavailable or hung: 503 within its deadline, never 404 as if the images did not exist.
    const series = await needingOrthanc(() => this.images.series(exam))
    await audit.fromContext(ctx, { action: 'exam.images.view', targetType: 'exam', targetId: exam.id })
    return { series }
  }

  /** GET /exams/:id/instances/:instanceId/preview */
  async preview(ctx: HttpContext) {
    const exam = await examForRequest(ctx, { id: ctx.params.id })
    await needingOrthanc(() => this.ensureHeld(ctx, exam, ctx.params.instanceId))
    return this.pipe(ctx, await needingOrthanc(() => this.orthanc.instancePreview(ctx.params.instanceId)))
  }

  /** GET /exams/:id/instances/:instanceId/frames/:frame/rendered?preset=lung */
  async rendered(ctx: HttpContext) {
    const exam = await examForRequest(ctx, { id: ctx.params.id })
    await needingOrthanc(() => this.ensureHeld(ctx, exam, ctx.params.instanceId))
    const frame = Number(ctx.params.frame)
    if (!Number.isInteger(frame) || frame < 0 || frame > 10_000) throw DomainRefusal.notFound('frame')
    const preset = ctx.request.input('preset') as WindowPreset | undefined
    const window = preset && preset in CT_WINDOWS ? CT_WINDOWS[preset] : null
    const width = Math.min(Number(ctx.request.input('width')) || 0, 2048) || undefined
    return this.pipe(
      ctx,
      await needingOrthanc(() =>
        this.orthanc.renderedFrame(ctx.params.instanceId, frame, {
          windowCenter: window?.center,
          windowWidth: window?.width,
          width,
        })
      )
    )
  }

  protected async ensureHeld(ctx: HttpContext, exam: { id: number }, instanceId: string) {
    if (!(await this.images.holdsInstance(exam as any, instanceId))) {
      await audit.fromContext(ctx, {
        action: 'exam.images.access',
        outcome: 'denied',
        targetType: 'exam',
        targetId: exam.id,
        details: { instanceId: String(instanceId).slice(0, 64) },
      })
      throw DomainRefusal.notFound('image')
    }
  }

  protected pipe(ctx: HttpContext, image: ImageStream) {
    ctx.response.header('Content-Type', image.contentType)
    // Patient images: never stored by shared caches.
    ctx.response.header('Cache-Control', 'private, max-age=300')
    ctx.response.stream(image.stream)
  }
}
