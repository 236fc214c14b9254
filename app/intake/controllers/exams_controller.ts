import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import ClinicPatient from '#models/clinic_patient'
import ExamItem from '#models/exam_item'
import ExamStudy from '#models/exam_study'
import Institution from '#models/institution'
import { PRIORITIES, EXAM_STATUSES } from '#models/exam'
import { examFilterValidator, examRequestValidator } from '#app/intake/validators/intake_validators'
import { ExamRegistration } from '#app/intake/services/exam_registration'
import { ExamDirectory } from '#app/intake/services/exam_directory'
import { examForRequest } from '#app/intake/exam_access'
import { audit } from '#app/audit/audit_log'
import { DomainRefusal } from '#app/platform/domain_refusal'
import imaging from '#config/imaging'

/** Exam requests: the list a user may see, registering one, opening one. */
@inject()
export default class ExamsController {
  constructor(
    protected registration: ExamRegistration,
    protected directory: ExamDirectory
  ) {}

  async index({ view, auth, request }: HttpContext) {
    const filters = await examFilterValidator.validate(request.qs())
    const exams = await this.directory.list(auth.user!, filters)
    exams.baseUrl('/exams').queryString({ ...filters, page: undefined })
    const institutions = auth.user!.role === 'clinic_staff' ? [] : await Institution.query().where('kind', 'member_clinic').orderBy('code')
    return view.render('pages/intake/exams/index', { exams, filters, institutions, statuses: EXAM_STATUSES, priorities: PRIORITIES })
  }

  async create({ view, auth, request, bouncer, session }: HttpContext) {
    await bouncer.with('ExamPolicy').authorize('register')
    // Back from a refused form: the redirect drops the query string, the form's own patient field is in the flashed input.
    const patientId = request.input('patient') ?? session.flashMessages.get('clinicPatientId')
    const clinicPatient = patientId
      ? await ClinicPatient.query().where('id', patientId).where('institution_id', auth.user!.institutionId).preload('patient').first()
      : null
    const items = await ExamItem.query().where('active', true).orderBy('modality').orderBy('catalogue').orderBy('seq')
    return view.render('pages/intake/exams/new', { clinicPatient, items, priorities: PRIORITIES })
  }

  async store(ctx: HttpContext) {
    const { request, response, auth, bouncer, session, i18n } = ctx
    await bouncer.with('ExamPolicy').authorize('register')
    const data = await request.validateUsing(examRequestValidator)
    try {
      const exams = await this.registration.register(auth.user!, { ...data, itemIds: data.itemIds ?? [] })
      for (const exam of exams) {
        await audit.fromContext(ctx, { action: 'exam.register', targetType: 'exam', targetId: exam.id, details: { accession: exam.accessionNumber } })
      }
      session.flash('success', i18n.t('intake.exam.registered', { accessions: exams.map((e) => e.accessionNumber).join(', ') }))
      return response.redirect(`/exams/${exams[0].id}`)
    } catch (error) {
      if (error instanceof DomainRefusal && error.status !== 404) {
        await audit.fromContext(ctx, { action: 'exam.register', outcome: 'refused', details: { code: error.code } })
        session.flashAll()
        session.flash('error', i18n.t(error.messageKey, error.messageData))
        return response.redirect().back()
      }
      throw error
    }
  }

  async show(ctx: HttpContext) {
    const exam = await examForRequest(ctx, { id: ctx.params.id })
    await exam.load((loader) => loader.load('patient').load('institution').load('items').load('registeredBy'))
    const clinicPatient = await ClinicPatient.query()
      .where('patient_id', exam.patientId)
      .where('institution_id', exam.institutionId)
      .first()
    const studies = await ExamStudy.query().where('exam_id', exam.id).orderBy('first_received_at')
    const canUpload = await ctx.bouncer.with('ExamPolicy').allows('upload', exam)
    await audit.fromContext(ctx, { action: 'exam.view', targetType: 'exam', targetId: exam.id })
    return ctx.view.render('pages/intake/exams/show', {
      exam,
      clinicPatient,
      studies,
      canUpload,
      maxFileMb: Math.round(imaging.upload.maxFileBytes / 1024 / 1024),
      viewerUrl: imaging.orthanc.viewerUrl,
    })
  }
}
