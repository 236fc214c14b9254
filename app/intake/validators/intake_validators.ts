import vine from '@vinejs/vine'
import { SEXES } from '#models/patient'
import { PRIORITIES } from '#models/exam'
import { repeatDecisionsSchema } from '#app/recognition/validators/recognition_validators'

/*
| Shapes of what clinics send. The domain's own rules (a blank request, an ID
| that does not match its birth date) are checked by the services, which say why.
*/

export const patientValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(64),
    sex: vine.enum(SEXES),
    birthDate: vine.date({ formats: ['YYYY-MM-DD'] }).beforeOrEqual('today'),
    clinicPatientNo: vine
      .string()
      .trim()
      .minLength(1)
      .maxLength(64)
      .regex(/^[A-Za-z0-9._-]+$/),
    nationalId: vine.string().trim().maxLength(32).optional(),
    phone: vine.string().trim().maxLength(32).optional(),
  })
)

export const examRequestValidator = vine.compile(
  vine.object({
    clinicPatientId: vine.number().positive(),
    itemIds: vine.array(vine.number().positive()).maxLength(20).optional(),
    priority: vine.enum(PRIORITIES),
    clinicalHistory: vine.string().trim().maxLength(4000).optional(),
    purpose: vine.string().trim().maxLength(1000).optional(),
    requestingDoctor: vine.string().trim().minLength(1).maxLength(64),
    department: vine.string().trim().maxLength(64).optional(),
    clinicalDiagnosis: vine.string().trim().maxLength(255).optional(),
    institutionId: vine.number().optional(),
    // answers to the repeat-exam reminders (R 6.6), checked by app/recognition
    recognition: repeatDecisionsSchema(),
  })
)

export const examFilterValidator = vine.compile(
  vine.object({
    status: vine.string().trim().maxLength(24).optional(),
    modality: vine.enum(['DR', 'CT', 'MR']).optional(),
    priority: vine.enum(PRIORITIES).optional(),
    institutionId: vine.number().positive().optional(),
    search: vine.string().trim().maxLength(64).optional(),
    page: vine.number().positive().optional(),
  })
)

export const attachStudyValidator = vine.compile(
  vine.object({
    examId: vine.number().positive(),
  })
)
