import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import UnmatchedStudy from '#models/unmatched_study'
import Exam from '#models/exam'
import type User from '#models/user'
import { attachStudyValidator } from '#app/intake/validators/intake_validators'
import { DicomArrivals } from '#app/intake/services/dicom_arrivals'
import { mayRegister, unmatchedStudyTarget } from '#app/intake/intake_access'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { HiddenRecord, useCase, done } from '#app/platform/http/use_case'

const listValidator = vine.compile(
  vine.object({
    status: vine.enum(['open', 'attached', 'dismissed'] as const).optional(),
    page: vine.number().positive().withoutDecimals().optional(),
  })
)

function unmatchedJson(s: UnmatchedStudy) {
  return {
    id: s.id,
    sendingAe: s.sendingAe,
    patientId: s.dicomPatientId,
    patientName: s.dicomPatientName,
    accessionNumber: s.dicomAccession,
    studyDate: s.dicomStudyDate?.toISODate() ?? null,
    modality: s.modality,
    instanceCount: s.instanceCount,
    reason: s.reason,
    receivedAt: s.receivedAt.toISO(),
  }
}

/** An open study of the clinic's own; one already attached or dismissed cannot be again. */
function stillOpen(study: UnmatchedStudy) {
  if (study.status !== 'open')
    throw new DomainRefusal('already_resolved', 'intake.unmatched.already_resolved', {}, 409)
  return study
}

/** The clinic's own exam the study is attached to; another clinic's answers as missing, audited with its id. */
async function ownExam(user: User, examId: number) {
  const exam = await Exam.find(examId)
  if (!exam) throw DomainRefusal.notFound('exam')
  if (exam.institutionId !== user.institutionId) throw new HiddenRecord('exam', exam.id)
  return exam
}

/** Studies a clinic's modality sent that matched no exam: attach each to the right exam, or dismiss it. */
@inject()
export default class UnmatchedStudiesController {
  constructor(protected arrivals: DicomArrivals) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'unmatched.list',
      allow: mayRegister,
      input: listValidator,
      run: async ({ user, input }) => {
        const status = input.status ?? 'open'
        const studies = await UnmatchedStudy.query()
          .where('institution_id', user.institutionId)
          .where('status', status)
          .orderBy('received_at', 'desc')
          .paginate(input.page ?? 1, ctx.request.url().startsWith('/api/') ? 50 : 25)
        return { studies, status }
      },
      json: ({ studies }) => ({ data: studies.all().map(unmatchedJson), meta: studies.getMeta() }),
      page: async ({ studies, status }, { user }) => {
        const waitingExams = await Exam.query()
          .where('institution_id', user.institutionId)
          .where('status', 'registered')
          .preload('patient')
          .orderBy('registered_at', 'desc')
          .limit(200)
        return ctx.view.render('pages/intake/unmatched/index', { studies, waitingExams, status })
      },
    })
  }

  attach(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'unmatched.attach',
      allow: mayRegister,
      target: unmatchedStudyTarget,
      input: attachStudyValidator,
      run: async ({ user, target, input }) => {
        const exam = await ownExam(user, input.examId)
        await this.arrivals.attach(stillOpen(target), exam, user.id)
        return exam
      },
      audit: {
        target: (exam) => ({ type: 'exam', id: exam.id }),
        details: (_, { target }) => ({ unmatchedStudyId: target.id }),
      },
      json: (exam) => ({ attached: true, examId: exam.id }),
      page: (exam) =>
        done(
          ctx,
          'intake.unmatched.attached',
          { accession: exam.accessionNumber },
          `/exams/${exam.id}`
        ),
    })
  }

  dismiss(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'unmatched.dismiss',
      allow: mayRegister,
      target: unmatchedStudyTarget,
      run: ({ user, target }) => this.arrivals.dismiss(stillOpen(target), user.id),
      json: () => ({ dismissed: true }),
      page: () => done(ctx, 'intake.unmatched.dismissed', {}, '/unmatched'),
    })
  }
}
