import type User from '#models/user'
import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { DateTime } from 'luxon'
import ExamItem from '#models/exam_item'
import ClinicPatient from '#models/clinic_patient'
import UnmatchedStudy from '#models/unmatched_study'
import { examFilterValidator, examRequestValidator, patientValidator } from '#app/intake/validators/intake_validators'
import { PatientRegistry } from '#app/intake/services/patient_registry'
import { ExamRegistration } from '#app/intake/services/exam_registration'
import { ExamDirectory, examJson } from '#app/intake/services/exam_directory'
import { ImageIntake } from '#app/intake/services/image_intake'
import { examForRequest } from '#app/intake/exam_access'
import { receiveUploadedFiles, uploadStatus } from './image_uploads_controller.js'
import { audit } from '#app/audit/audit_log'
import { DomainRefusal } from '#app/platform/domain_refusal'

/** /api/v1 intake for integrations (bearer tokens). Same services and rules as the pages. */
@inject()
export default class IntakeApiController {
  constructor(
    protected registry: PatientRegistry,
    protected registration: ExamRegistration,
    protected directory: ExamDirectory,
    protected intake: ImageIntake
  ) {}

  async items({ request }: HttpContext) {
    const modality = request.input('modality')
    const items = await ExamItem.query()
      .where('active', true)
      .if(modality, (q) => q.where('modality', String(modality).toUpperCase() === 'MRI' ? 'MR' : String(modality).toUpperCase()))
      .orderBy('modality')
      .orderBy('catalogue')
      .orderBy('seq')
    return {
      data: items.map((item) => ({
        id: item.id,
        catalogue: item.catalogue,
        seq: item.seq,
        modality: item.modality,
        bodyPart: item.bodyPart,
        method: item.method,
        position: item.position,
        name: item.name,
        sourceName: item.sourceName,
        isContrast: item.isContrast,
      })),
    }
  }

  async patients({ request, auth, bouncer }: HttpContext) {
    await bouncer.with('ExamPolicy').authorize('register')
    const page = await this.registry.clinicPatients(auth.user!.institutionId, request.input('search')).paginate(request.input('page', 1), 50)
    return {
      data: page.all().map((cp) => ({
        id: cp.id,
        clinicPatientNo: cp.clinicPatientNo,
        name: cp.patient.name,
        sex: cp.patient.sex,
        birthDate: cp.patient.birthDate.toISODate(),
        nationalIdMasked: cp.patient.nationalIdMasked,
      })),
      meta: page.getMeta(),
    }
  }

  async registerPatient(ctx: HttpContext) {
    await ctx.bouncer.with('ExamPolicy').authorize('register')
    const data = await ctx.request.validateUsing(patientValidator)
    const user = ctx.auth.user!
    await (user as User).load('institution')
    try {
      const result = await this.registry.register(user.institution, { ...data, birthDate: DateTime.fromJSDate(data.birthDate, { zone: 'utc' }) })
      await audit.fromContext(ctx, {
        action: 'patient.register',
        targetType: 'clinic_patient',
        targetId: result.clinicPatient.id,
        details: { linkedExisting: result.linkedExisting, via: 'api' },
      })
      return ctx.response.created({
        id: result.clinicPatient.id,
        clinicPatientNo: result.clinicPatient.clinicPatientNo,
        linkedExisting: result.linkedExisting,
        name: result.patient.name,
        sex: result.patient.sex,
        birthDate: result.patient.birthDate.toISODate(),
        nationalIdMasked: result.patient.nationalIdMasked,
      })
    } catch (error) {
      if (error instanceof DomainRefusal) await audit.fromContext(ctx, { action: 'patient.register', outcome: 'refused', details: { code: error.code, via: 'api' } })
      throw error
    }
  }

  async exams({ request, auth }: HttpContext) {
    const filters = await examFilterValidator.validate(request.qs())
    const page = await this.directory.list(auth.user!, filters, 50)
    return { data: page.all().map((exam) => examJson(exam)), meta: page.getMeta() }
  }

  async registerExam(ctx: HttpContext) {
    await ctx.bouncer.with('ExamPolicy').authorize('register')
    const data = await ctx.request.validateUsing(examRequestValidator)
    try {
      const exams = await this.registration.register(ctx.auth.user!, { ...data, itemIds: data.itemIds ?? [] })
      for (const exam of exams) {
        await audit.fromContext(ctx, { action: 'exam.register', targetType: 'exam', targetId: exam.id, details: { accession: exam.accessionNumber, via: 'api' } })
        await exam.load((l) => l.load('items').load('institution').load('patient'))
      }
      return ctx.response.created({ data: exams.map((exam) => examJson(exam)) })
    } catch (error) {
      if (error instanceof DomainRefusal) await audit.fromContext(ctx, { action: 'exam.register', outcome: 'refused', details: { code: error.code, via: 'api' } })
      throw error
    }
  }

  async exam(ctx: HttpContext) {
    const exam = await examForRequest(ctx, { accession: ctx.params.accession })
    await exam.load((l) => l.load('items').load('institution').load('patient'))
    const clinicPatient = await ClinicPatient.query().where('patient_id', exam.patientId).where('institution_id', exam.institutionId).first()
    await audit.fromContext(ctx, { action: 'exam.view', targetType: 'exam', targetId: exam.id, details: { via: 'api' } })
    return { data: examJson(exam, clinicPatient?.clinicPatientNo) }
  }

  async upload(ctx: HttpContext) {
    const exam = await examForRequest(ctx, { accession: ctx.params.accession }, 'upload')
    const summary = await receiveUploadedFiles(ctx, exam, this.intake)
    return ctx.response.status(uploadStatus(summary)).send(summary)
  }

  async unmatched({ auth, request, bouncer }: HttpContext) {
    await bouncer.with('ExamPolicy').authorize('register')
    const page = await UnmatchedStudy.query()
      .where('institution_id', auth.user!.institutionId)
      .where('status', 'open')
      .orderBy('received_at', 'desc')
      .paginate(request.input('page', 1), 50)
    return {
      data: page.all().map((s) => ({
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
      })),
      meta: page.getMeta(),
    }
  }
}
