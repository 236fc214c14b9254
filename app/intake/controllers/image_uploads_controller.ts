import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import app from '@adonisjs/core/services/app'
import type { DateTime } from 'luxon'
import type Exam from '#models/exam'
import ExamStudy from '#models/exam_study'
import ExamModel from '#models/exam'
import imaging from '#config/imaging'
import { Clock } from '#app/platform/clock'
import {
  ImageIntake,
  UploadBatch,
  UploadTooLarge,
  type InstanceOutcome,
} from '#app/intake/services/image_intake'
import { studyDateWarning } from '#app/intake/services/intake_rules'
import {
  leadingFormField,
  pickedTechnologistId,
  recordTechnologist,
  technologistRefusal,
} from '#app/intake/services/exam_technologist'
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
  /** not refusals: e.g. a study dated far from its request */
  warnings: Array<{ code: string; message: string }>
  /** the exam as it stands after this request, so the page updates without a reload */
  exam?: ExamArrival
  /** the request stopped at a file over the size limit (answered 413 at once) */
  tooLarge?: boolean
}

/**
 * Receives the files of one request: a multipart form of many files (the
 * batch the browser's uploader and integrations send, and the no-JavaScript
 * form) or a single raw `application/dicom` body (one file). Files stream
 * through ImageIntake one by one; a multipart request is one UploadBatch
 * (what Orthanc holds is skipped, the links are written once at the end).
 * The summary says what was stored and what was refused and why.
 * A file over the size limit ends the request at once (413): the rest of the body is not read.
 */
export async function receiveUploadedFiles(
  ctx: HttpContext,
  exam: Exam,
  intake: ImageIntake
): Promise<UploadSummary> {
  const identity = await intake.examIdentity(exam)
  const files: FileResult[] = []
  const warnings = new Map<string, { code: string; message: string }>()
  let tooLarge = false
  // A batch of hundreds of files has a handful of distinct messages: each is formatted once.
  const messages = new Map<string, string>()
  const t = (key: string, data: Record<string, any> = {}) => {
    const cacheKey = `${key}|${JSON.stringify(data)}`
    let message = messages.get(cacheKey)
    if (message === undefined) messages.set(cacheKey, (message = ctx.i18n.t(key, data)))
    return message
  }
  const describe = (file: string, outcome: InstanceOutcome): FileResult => {
    if (outcome.status !== 'rejected' && outcome.warning) {
      warnings.set(outcome.warning.code, {
        code: outcome.warning.code,
        message: t(`intake.upload.warnings.${outcome.warning.code}`, outcome.warning),
      })
    }
    return {
      file,
      status: outcome.status,
      reason: outcome.status === 'rejected' ? outcome.reason : undefined,
      message:
        outcome.status === 'rejected'
          ? t(`intake.upload.reasons.${outcome.reason}`, outcome.detail ?? {})
          : t(`intake.upload.outcomes.${outcome.status}`),
      orthancInstanceId: outcome.status === 'rejected' ? undefined : outcome.orthancInstanceId,
    }
  }
  const overLimit = (file: string) => {
    tooLarge = true
    files.push(describe(file, { status: 'rejected', reason: 'too_large' }))
  }

  if (ctx.request.is(['multipart/form-data'])) {
    let stop!: () => void
    const stopped = new Promise<void>((resolve) => (stop = resolve))
    // A part's handler may still wait for Orthanc while the parser reads the next part.
    const inFlight = new Set<Promise<void>>()
    const batch = new UploadBatch()
    ctx.request.multipart.onFile('*', {}, async (part) => {
      const name = part.filename || 'file'
      if (tooLarge) return drainPart(part)
      // The answer lists the files in the order they were sent, whichever finishes first.
      const slot = files.length
      files.push(null as unknown as FileResult)
      const handled = (async () => {
        try {
          files[slot] = describe(name, await intake.receive(exam, part, identity, undefined, batch))
        } catch (error) {
          if (!(error instanceof UploadTooLarge)) throw error
          tooLarge = true
          files[slot] = describe(name, { status: 'rejected', reason: 'too_large' })
          stop()
        }
      })()
      inFlight.add(handled)
      try {
        await handled
      } finally {
        inFlight.delete(handled)
      }
    })
    const processed = ctx.request.multipart.process({ limit: Number.MAX_SAFE_INTEGER })
    processed.catch(() => {})
    try {
      await Promise.race([processed, stopped])
    } finally {
      // Files whose bytes all arrived finish storing before the answer; the rest of the body is never read.
      await Promise.allSettled([...inFlight])
      // What was stored is linked before anything is answered "stored" (also when the request failed).
      await intake.finishBatch(exam, batch)
    }
    // A part whose handler failed (not a refusal: e.g. the database) leaves no answer of its own.
    for (let i = 0; i < files.length; i++)
      if (!files[i]) files[i] = describe('file', { status: 'rejected', reason: 'store_failed' })
  } else {
    const rawName = ctx.request.header('x-file-name') || 'file'
    let name = rawName
    try {
      name = decodeURIComponent(rawName)
    } catch {}
    const length = ctx.request.header('content-length')
    try {
      const outcome = await intake.receive(
        exam,
        ctx.request.request,
        identity,
        length ? Number(length) : undefined
      )
      files.push(describe(name.slice(0, 255), outcome))
    } catch (error) {
      if (!(error instanceof UploadTooLarge)) throw error
      overLimit(name.slice(0, 255))
    }
  }
  if (tooLarge) {
    // Answer now and close: the client may still be sending what will never be read.
    ctx.response.header('Connection', 'close')
    ctx.response.response.once('finish', () => ctx.request.request.socket?.destroySoon?.())
  }

  const summary: UploadSummary = {
    stored: files.filter((f) => f.status === 'stored').length,
    alreadyStored: files.filter((f) => f.status === 'already_stored').length,
    rejected: files.filter((f) => f.status === 'rejected').length,
    files,
    warnings: [...warnings.values()],
    exam: await examArrival(exam, ctx),
    ...(tooLarge ? { tooLarge } : {}),
  }
  return summary
}

function drainPart(part: import('node:stream').Readable) {
  part.on('error', () => {})
  part.resume()
}

export interface ExamArrival {
  status: string
  statusLabel: string
  imagesReceivedAt: string | null
  instanceCount: number
  studyLines: string[]
  warnings: string[]
}

/** What the exam page shows of the images' arrival (also sent after each upload, so it is right at once). */
export async function examArrival(loaded: Exam, ctx: HttpContext): Promise<ExamArrival> {
  const exam = await ExamModel.findOrFail(loaded.id)
  const studies = await ExamStudy.query().where('exam_id', exam.id).orderBy('first_received_at')
  const format = (time: DateTime | null) =>
    time ? time.setZone(imaging.displayTimezone).toFormat('yyyy-MM-dd HH:mm') : null
  const clock = await app.container.make(Clock)
  return {
    status: exam.status,
    statusLabel: ctx.i18n.t(`common.status.${exam.status}`),
    imagesReceivedAt: format(exam.imagesReceivedAt),
    instanceCount: exam.instanceCount,
    studyLines: studies.map((study) =>
      ctx.i18n.t('intake.exam.study_line', {
        via: ctx.i18n.t(`intake.exam.via.${study.receivedVia}`),
        ae: study.sendingAe || '—',
        series: study.seriesCount,
        instances: study.instanceCount,
        time: format(study.firstReceivedAt),
      })
    ),
    warnings: studies
      .map((study) =>
        studyDateWarning(
          study.studyDate?.toFormat('yyyyMMdd'),
          exam.registeredAt,
          clock.now(),
          imaging.displayTimezone
        )
      )
      .filter((w) => w !== null)
      .map((w) => ctx.i18n.t(`intake.upload.warnings.${w!.code}`, w!)),
  }
}

/**
 * 200 when something was accepted; 413 when a file was over the size limit;
 * 503 when the store was unavailable (worth retrying); 422 when every file was refused for what it is.
 */
export function uploadStatus(summary: UploadSummary) {
  if (summary.tooLarge) return 413
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
      run: async ({ target }) => {
        // The technologist picked from the clinic's roster (optional): checked before any file is read.
        let picked: number | null = null
        try {
          picked = pickedTechnologistId(ctx.request.qs())
          // The no-JavaScript form sends it as the field before its files.
          if (picked === null && ctx.request.is(['multipart/form-data']))
            picked = pickedTechnologistId({
              technologistId: await leadingFormField(
                ctx.request.request,
                ctx.request.header('content-type'),
                'technologistId'
              ),
            })
          const refusal = picked ? await technologistRefusal(target, picked) : null
          if (refusal) throw refusal
        } catch (error) {
          // Nothing is stored: the body is read and dropped, so the client gets the answer.
          ctx.request.request.resume()
          throw error
        }
        const summary = await receiveUploadedFiles(ctx, target, this.intake)
        if (picked && summary.stored + summary.alreadyStored > 0)
          await recordTechnologist(target, picked)
        return { ...summary, picked }
      },
      audit: {
        outcome: (summary) =>
          summary.rejected === summary.files.length && summary.files.length > 0
            ? 'refused'
            : 'success',
        details: (summary) => ({
          stored: summary.stored,
          alreadyStored: summary.alreadyStored,
          rejected: summary.rejected,
          reasons: [...new Set(summary.files.filter((f) => f.reason).map((f) => f.reason))],
          ...(summary.picked ? { technologistId: summary.picked } : {}),
          ...(summary.warnings.length ? { warnings: summary.warnings.map((w) => w.code) } : {}),
        }),
      },
      json: ({ picked: _picked, ...summary }) =>
        ctx.response.status(uploadStatus(summary)).send(summary),
      page: (summary, { target }) => {
        // Flash messages ride in the session cookie: keep them short.
        ctx.session.flash('uploadSummary', {
          warnings: summary.warnings.map((w) => w.message),
          stored: summary.stored,
          alreadyStored: summary.alreadyStored,
          rejected: summary.rejected,
          files: summary.files
            .filter((f) => f.status === 'rejected')
            .slice(0, 10)
            .map((f) => ({ file: f.file.slice(0, 60), message: f.message })),
        })
        return ctx.response.redirect(`/exams/${target.id}`)
      },
    })
  }
}
