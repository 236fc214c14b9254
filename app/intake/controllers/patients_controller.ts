import type User from '#models/user'
import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { DateTime } from 'luxon'
import ClinicPatient from '#models/clinic_patient'
import { patientValidator } from '#app/intake/validators/intake_validators'
import { PatientRegistry } from '#app/intake/services/patient_registry'
import { ExamDirectory } from '#app/intake/services/exam_directory'
import { audit } from '#app/audit/audit_log'
import { DomainRefusal } from '#app/platform/domain_refusal'

/** A clinic's patients: register, find, open. */
@inject()
export default class PatientsController {
  constructor(
    protected registry: PatientRegistry,
    protected directory: ExamDirectory
  ) {}

  async index({ view, auth, request, bouncer }: HttpContext) {
    await bouncer.with('ExamPolicy').authorize('register')
    const search = request.input('search')
    const patients = await this.registry.clinicPatients(auth.user!.institutionId, search).paginate(request.input('page', 1), 25)
    patients.baseUrl('/patients').queryString({ search })
    return view.render('pages/intake/patients/index', { patients, search })
  }

  async create({ view, bouncer }: HttpContext) {
    await bouncer.with('ExamPolicy').authorize('register')
    return view.render('pages/intake/patients/new')
  }

  async store(ctx: HttpContext) {
    const { request, response, auth, bouncer, session, i18n } = ctx
    await bouncer.with('ExamPolicy').authorize('register')
    const data = await request.validateUsing(patientValidator)
    const user = auth.user!
    await (user as User).load('institution')
    try {
      const result = await this.registry.register(user.institution, {
        ...data,
        birthDate: DateTime.fromJSDate(data.birthDate, { zone: 'utc' }),
      })
      await audit.fromContext(ctx, {
        action: 'patient.register',
        targetType: 'clinic_patient',
        targetId: result.clinicPatient.id,
        details: { linkedExisting: result.linkedExisting },
      })
      session.flash('success', i18n.t(result.linkedExisting ? 'intake.patient.linked' : 'intake.patient.registered'))
      return response.redirect(`/exams/new?patient=${result.clinicPatient.id}`)
    } catch (error) {
      if (error instanceof DomainRefusal) {
        await audit.fromContext(ctx, { action: 'patient.register', outcome: 'refused', details: { code: error.code } })
        session.flashAll()
        session.flash('error', i18n.t(error.messageKey, error.messageData))
        return response.redirect().back()
      }
      throw error
    }
  }

  async show(ctx: HttpContext) {
    const { params, auth, view, bouncer, request } = ctx
    await bouncer.with('ExamPolicy').authorize('register')
    const clinicPatient = /^\d+$/.test(params.id)
      ? await ClinicPatient.query().where('id', params.id).preload('patient').first()
      : null
    if (!clinicPatient || clinicPatient.institutionId !== auth.user!.institutionId) {
      if (clinicPatient) {
        await audit.fromContext(ctx, { action: 'patient.view', outcome: 'denied', targetType: 'clinic_patient', targetId: clinicPatient.id })
      }
      throw DomainRefusal.notFound('patient')
    }
    const exams = await this.directory
      .query(auth.user!, {})
      .where('exams.patient_id', clinicPatient.patientId)
      .paginate(request.input('page', 1), 25)
    await audit.fromContext(ctx, { action: 'patient.view', targetType: 'clinic_patient', targetId: clinicPatient.id })
    return view.render('pages/intake/patients/show', { clinicPatient, patient: clinicPatient.patient, exams })
  }
}
