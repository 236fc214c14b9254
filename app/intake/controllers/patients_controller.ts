import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import { DateTime } from 'luxon'
import type User from '#models/user'
import type ClinicPatient from '#models/clinic_patient'
import { patientValidator } from '#app/intake/validators/intake_validators'
import { PatientRegistry } from '#app/intake/services/patient_registry'
import { ExamDirectory } from '#app/intake/services/exam_directory'
import { clinicPatientTarget, mayRegister } from '#app/intake/intake_access'
import { useCase, done } from '#app/platform/http/use_case'
import { recognitionRecordOf } from '#app/recognition/patient_record'

const searchValidator = vine.compile(
  vine.object({
    search: vine.string().trim().maxLength(64).optional(),
    page: vine.number().positive().withoutDecimals().optional(),
  })
)
const pageValidator = vine.compile(
  vine.object({ page: vine.number().positive().withoutDecimals().optional() })
)

function patientJson(cp: ClinicPatient) {
  return {
    id: cp.id,
    clinicPatientNo: cp.clinicPatientNo,
    name: cp.patient.name,
    sex: cp.patient.sex,
    birthDate: cp.patient.birthDate.toISODate(),
    nationalIdMasked: cp.patient.nationalIdMasked,
  }
}

/** A clinic's patients: find, register, open; the same use cases serve the pages and /api/v1. */
@inject()
export default class PatientsController {
  constructor(
    protected registry: PatientRegistry,
    protected directory: ExamDirectory
  ) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'patient.search',
      allow: mayRegister,
      input: searchValidator,
      run: ({ user, input }) =>
        this.registry
          .clinicPatients(user.institutionId, input.search)
          .paginate(input.page ?? 1, 50),
      json: (page) => ({ data: page.all().map(patientJson), meta: page.getMeta() }),
      page: (patients, { input }) => {
        patients.baseUrl('/patients').queryString({ search: input.search })
        return ctx.view.render('pages/intake/patients/index', { patients, search: input.search })
      },
    })
  }

  create(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'patient.new',
      allow: mayRegister,
      audit: false,
      run: async () => null,
      page: () => ctx.view.render('pages/intake/patients/new'),
    })
  }

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'patient.register',
      allow: mayRegister,
      input: patientValidator,
      run: async ({ user, input }) => {
        await (user as User).load('institution')
        return this.registry.register(user.institution, {
          ...input,
          birthDate: DateTime.fromJSDate(input.birthDate, { zone: 'utc' }),
        })
      },
      audit: {
        target: (result) => ({ type: 'clinic_patient', id: result.clinicPatient.id }),
        details: (result) => ({ linkedExisting: result.linkedExisting }),
      },
      json: (result) =>
        ctx.response.created({
          id: result.clinicPatient.id,
          clinicPatientNo: result.clinicPatient.clinicPatientNo,
          linkedExisting: result.linkedExisting,
          name: result.patient.name,
          sex: result.patient.sex,
          birthDate: result.patient.birthDate.toISODate(),
          nationalIdMasked: result.patient.nationalIdMasked,
        }),
      page: (result) =>
        done(
          ctx,
          result.linkedExisting ? 'intake.patient.linked' : 'intake.patient.registered',
          {},
          `/exams/new?patient=${result.clinicPatient.id}`
        ),
    })
  }

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'patient.view',
      allow: mayRegister,
      target: clinicPatientTarget,
      input: pageValidator,
      run: ({ user, target, input }) =>
        this.directory
          .query(user, {})
          .where('exams.patient_id', target.patientId)
          .paginate(input.page ?? 1, 25),
      page: async (exams, { target }) =>
        ctx.view.render('pages/intake/patients/show', {
          clinicPatient: target,
          patient: target.patient,
          exams,
          recognition: await recognitionRecordOf(target.id),
        }),
    })
  }
}
