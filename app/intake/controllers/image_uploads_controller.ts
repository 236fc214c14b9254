import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import type Exam from '#models/exam'
import { ImageIntake, type InstanceOutcome } from '#app/intake/services/image_intake'
import { examTarget } from '#app/access/exam_access'
import { mayUploadTo } from '#app/intake/intake_access'
import { useCase } from '#app/platform/http/use_case'

export interface FileResult {
  file: string
  status: InstanceOutcome['status']
  reason?: string
  message: string
  orthancInstanceId?: string
}

export interface UploadSummary {
  stored: number
  alreadyStored: number
  rejected: number
  files: FileResult[]
}

/**
 * Receives the files of one request: a single raw `application/dicom` body
 * (what the browser's uploader and integrations send, one request per file) or
 * a multipart form of many files (the no-JavaScript form). Files stream through
 * ImageIntake one by one; the summary says what was stored and what was refused and why.
 */
export async function receiveUploadedFiles(ctx: HttpContext, exam: Exam, intake: ImageIntake): Promise<UploadSummary> {
  const identity = await intake.examIdentity(exam)
  const files: FileResult[] = []
  const describe = (file: string, outcome: InstanceOutcome): FileResult => ({
    file,
    status: outcome.status,
    reason: outcome.status === 'rejected' ? outcome.reason : undefined,
    message: ctx.i18n.t(
      outcome.status === 'rejected' ? `intake.upload.reasons.${outcome.reason}` : `intake.upload.outcomes.${outcome.status}`
    ),
    orthancInstanceId: outcome.status === 'rejected' ? undefined : outcome.orthancInstanceId,
  })

  if (ctx.request.is(['multipart/form-data'])) {
    ctx.request.multipart.onFile('*', {}, async (part) => {
      const name = part.filename || 'file'
      files.push(describe(name, await intake.receive(exam, part, identity)))
    })
    await ctx.request.multipart.process({ limit: Number.MAX_SAFE_INTEGER })
  } else {
    const rawName = ctx.request.header('x-file-name') || 'file'
    let name = rawName
    try {
      name = decodeURIComponent(rawName)
    } catch {}
    const length = ctx.request.header('content-length')
    const outcome = await intake.receive(exam, ctx.request.request, identity, length ? Number(length) : undefined)
    files.push(describe(name.slice(0, 255), outcome))
  }

  return {
    stored: files.filter((f) => f.status === 'stored').length,
    alreadyStored: files.filter((f) => f.status === 'already_stored').length,
    rejected: files.filter((f) => f.status === 'rejected').length,
    files,
  }
}

/**
 * 200 when something was accepted; 503 when the store was unavailable (worth retrying);
 * 422 when every file was refused for what it is.
 */
export function uploadStatus(summary: UploadSummary) {
  if (summary.files.length === 0 || summary.stored + summary.alreadyStored > 0) return 200
  return summary.files.some((f) => f.reason === 'store_failed') ? 503 : 422
}

/** POST /exams/:id/images from the clinic's exam page, POST /api/v1/exams/:accession/images from integrations. */
@inject()
export default class ImageUploadsController {
  constructor(protected intake: ImageIntake) {}

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'exam.images.upload',
      target: examTarget,
      allowOn: mayUploadTo,
      run: ({ target }) => receiveUploadedFiles(ctx, target, this.intake),
      audit: {
        outcome: (summary) => (summary.rejected === summary.files.length && summary.files.length > 0 ? 'refused' : 'success'),
        details: (summary) => ({
          stored: summary.stored,
          alreadyStored: summary.alreadyStored,
          rejected: summary.rejected,
          reasons: [...new Set(summary.files.filter((f) => f.reason).map((f) => f.reason))],
        }),
      },
      json: (summary) => ctx.response.status(uploadStatus(summary)).send(summary),
      page: (summary, { target }) => {
        // Flash messages ride in the session cookie: keep them short.
        ctx.session.flash('uploadSummary', {
          stored: summary.stored,
          alreadyStored: summary.alreadyStored,
          rejected: summary.rejected,
          files: summary.files.filter((f) => f.status === 'rejected').slice(0, 10).map((f) => ({ file: f.file.slice(0, 60), message: f.message })),
        })
        return ctx.response.redirect(`/exams/${target.id}`)
      },
    })
  }
}
