import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import type User from '#models/user'
import { useCase, HiddenRecord, numericParam } from '#app/platform/http/use_case'
import {
  RepeatExamCheck,
  type Reminder,
  latestSignedReports,
} from '#app/recognition/services/repeat_exam_check'
import { remindersQueryValidator } from '#app/recognition/validators/recognition_validators'
import { mayDecide } from '#app/recognition/recognition_access'
import { ExamImages } from '#app/images/services/exam_images'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { needingOrthanc } from '#app/orthanc/unavailable'
import Exam from '#models/exam'
import vine from '@vinejs/vine'

export function reminderJson(reminder: Reminder) {
  return {
    itemId: reminder.itemId,
    itemName: reminder.itemName,
    reminderId: reminder.reminderId ?? null,
    earlier: reminder.earlier.map((e) => ({
      kind: e.kind,
      id: e.id,
      institutionId: e.institutionId,
      institutionName: e.institutionName,
      performedAt: e.performedAt.toISO(),
      reference: e.reference,
      itemId: e.itemId,
      itemName: e.itemName,
      findings: e.findings,
      impression: e.impression,
      mark: e.mark,
      imagesPath: e.kind === 'exam' ? `/recognition/earlier/${e.id}` : null,
    })),
  }
}

const earlierValidator = vine.compile(
  vine.object({ clinicPatientId: vine.number().positive().withoutDecimals() })
)

/**
 * The earlier result a reminder names, for the clinic that registers the same patient: it may see it
 * (report and images) while it is a recognised result of its own patient within the window, nothing else.
 */
async function earlierTarget(ctx: HttpContext) {
  const id = numericParam(ctx)
  const exam = id ? await Exam.find(id) : null
  if (!exam) return null
  return exam
}

@inject()
export default class RemindersController {
  constructor(
    protected check: RepeatExamCheck,
    protected images: ExamImages,
    protected orthanc: OrthancClient
  ) {}

  /** GET /api/v1/recognition/reminders?clinicPatientId=&itemIds[]= — what the form shows before saving (R 6.6). */
  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.reminders',
      allow: mayDecide,
      input: remindersQueryValidator,
      run: ({ user, input }) => this.check.show(user, input.clinicPatientId, input.itemIds),
      json: (reminders) => ({ data: reminders.map(reminderJson) }),
    })
  }

  /** One earlier result offered by a reminder, with its report and images. */
  protected async offered(ctx: HttpContext, user: User, clinicPatientId: number) {
    const exam = await earlierTarget(ctx)
    if (!exam) throw new HiddenRecord('exam', ctx.params.id ?? null)
    const row = await db
      .from('clinic_patients')
      .where('id', clinicPatientId)
      .where('institution_id', user.institutionId)
      .first()
    if (!row || Number(row.patient_id) !== exam.patientId) throw new HiddenRecord('exam', exam.id)
    const items = await db.from('exam_exam_items').where('exam_id', exam.id).select('exam_item_id')
    const reminders = await this.check.remindersFor(
      user,
      clinicPatientId,
      items.map((i) => Number(i.exam_item_id))
    )
    const earlier = reminders
      .flatMap((r) => r.earlier)
      .find((e) => e.kind === 'exam' && e.id === exam.id)
    if (!earlier) throw new HiddenRecord('exam', exam.id)
    return { exam, earlier }
  }

  /** GET /recognition/earlier/:id?clinicPatientId= — the report and images of the earlier result. */
  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.earlier.view',
      allow: mayDecide,
      input: earlierValidator,
      run: async ({ user, input }) => {
        const offered = await this.offered(ctx, user, input.clinicPatientId)
        const report = (await latestSignedReports([offered.exam.id])).get(offered.exam.id) ?? null
        const series = await needingOrthanc(() => this.images.series(offered.exam)).catch(() => [])
        return { ...offered, report, series, clinicPatientId: input.clinicPatientId }
      },
      audit: { target: ({ exam }) => ({ type: 'exam', id: exam.id }) },
      json: ({ earlier, report, series }) => ({
        data: {
          ...reminderJson({
            itemId: earlier.itemId,
            itemName: earlier.itemName,
            modality: '',
            earlier: [earlier],
          }).earlier[0],
          report,
          series,
        },
      }),
      page: (state) => ctx.view.render('pages/recognition/earlier', state),
    })
  }

  /** GET /recognition/earlier/:id/instances/:instanceId/preview?clinicPatientId= */
  preview(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.earlier.images',
      allow: mayDecide,
      input: earlierValidator,
      audit: 'refusals',
      run: async ({ user, input }) => {
        const { exam } = await this.offered(ctx, user, input.clinicPatientId)
        return needingOrthanc(async () => {
          if (!(await this.images.holdsInstance(exam, ctx.params.instanceId)))
            throw new HiddenRecord('exam', exam.id)
          return this.orthanc.instancePreview(ctx.params.instanceId)
        })
      },
      page: (image) => {
        ctx.response.header('Content-Type', image.contentType)
        ctx.response.header('Cache-Control', 'private, max-age=300')
        ctx.response.stream(image.stream)
      },
      json: (image) => {
        ctx.response.header('Content-Type', image.contentType)
        ctx.response.stream(image.stream)
      },
    })
  }
}
