import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import UnmatchedStudy from '#models/unmatched_study'
import Exam from '#models/exam'
import { attachStudyValidator } from '#app/intake/validators/intake_validators'
import { DicomArrivals } from '#app/intake/services/dicom_arrivals'
import { audit } from '#app/audit/audit_log'
import { DomainRefusal } from '#app/platform/domain_refusal'

/** Studies a clinic's modality sent that matched no exam: attach each to the right exam, or dismiss it. */
@inject()
export default class UnmatchedStudiesController {
  constructor(protected arrivals: DicomArrivals) {}

  async index({ view, auth, request, bouncer }: HttpContext) {
    await bouncer.with('ExamPolicy').authorize('register')
    const status = request.input('status', 'open')
    const studies = await UnmatchedStudy.query()
      .where('institution_id', auth.user!.institutionId)
      .where('status', ['open', 'attached', 'dismissed'].includes(status) ? status : 'open')
      .orderBy('received_at', 'desc')
      .paginate(request.input('page', 1), 25)
    const waitingExams = await Exam.query()
      .where('institution_id', auth.user!.institutionId)
      .where('status', 'registered')
      .preload('patient')
      .orderBy('registered_at', 'desc')
      .limit(200)
    return view.render('pages/intake/unmatched/index', { studies, waitingExams, status })
  }

  /** The clinic's own open unmatched study, or an audited 404. */
  protected async ownStudy(ctx: HttpContext) {
    await ctx.bouncer.with('ExamPolicy').authorize('register')
    const study = /^\d+$/.test(ctx.params.id) ? await UnmatchedStudy.find(ctx.params.id) : null
    if (!study || study.institutionId !== ctx.auth.user!.institutionId) {
      if (study) await audit.fromContext(ctx, { action: 'unmatched.access', outcome: 'denied', targetType: 'unmatched_study', targetId: study.id })
      throw DomainRefusal.notFound('study')
    }
    if (study.status !== 'open') throw new DomainRefusal('already_resolved', 'intake.unmatched.already_resolved', {}, 409)
    return study
  }

  async attach(ctx: HttpContext) {
    const study = await this.ownStudy(ctx)
    const { examId } = await ctx.request.validateUsing(attachStudyValidator)
    const exam = await Exam.find(examId)
    if (!exam || exam.institutionId !== ctx.auth.user!.institutionId) {
      if (exam) await audit.fromContext(ctx, { action: 'exam.access', outcome: 'denied', targetType: 'exam', targetId: exam.id })
      throw DomainRefusal.notFound('exam')
    }
    await this.arrivals.attach(study, exam, ctx.auth.user!.id)
    await audit.fromContext(ctx, { action: 'unmatched.attach', targetType: 'exam', targetId: exam.id, details: { unmatchedStudyId: study.id } })
    if (ctx.request.accepts(['html', 'json']) === 'json') return { attached: true, examId: exam.id }
    ctx.session.flash('success', ctx.i18n.t('intake.unmatched.attached', { accession: exam.accessionNumber }))
    return ctx.response.redirect(`/exams/${exam.id}`)
  }

  async dismiss(ctx: HttpContext) {
    const study = await this.ownStudy(ctx)
    await this.arrivals.dismiss(study, ctx.auth.user!.id)
    await audit.fromContext(ctx, { action: 'unmatched.dismiss', targetType: 'unmatched_study', targetId: study.id })
    if (ctx.request.accepts(['html', 'json']) === 'json') return { dismissed: true }
    ctx.session.flash('success', ctx.i18n.t('intake.unmatched.dismissed'))
    return ctx.response.redirect('/unmatched')
  }
}
