import vine from '@vinejs/vine'
import { INSTITUTION_KINDS, SPECIALTIES } from '#models/institution'
import { ROLES, TITLES } from '#app/access/roles'
import { MODALITIES } from '#models/exam_item'
import { passwordRule } from '#app/access/validators/access_validators'

export const institutionValidator = vine.compile(
  vine.object({
    code: vine
      .string()
      .trim()
      .minLength(2)
      .maxLength(32)
      .regex(/^[A-Za-z0-9_-]+$/),
    name: vine.string().trim().minLength(2).maxLength(128),
    kind: vine.enum(INSTITUTION_KINDS),
    level: vine.string().trim().maxLength(32).optional(),
    specialty: vine.enum(SPECIALTIES).optional(),
    address: vine.string().trim().maxLength(255).optional(),
    phone: vine.string().trim().maxLength(64).optional(),
    active: vine.boolean().optional(),
  })
)

const userFields = {
  institutionId: vine.number().positive(),
  fullName: vine.string().trim().minLength(1).maxLength(64),
  role: vine.enum(ROLES),
  title: vine.enum(TITLES).optional(),
  status: vine.enum(['active', 'locked', 'disabled'] as const).optional(),
  expiresOn: vine.date({ formats: ['YYYY-MM-DD'] }).optional(),
}

export const createUserValidator = vine.compile(
  vine.object({
    ...userFields,
    username: vine
      .string()
      .trim()
      .minLength(3)
      .maxLength(64)
      .regex(/^[A-Za-z0-9._-]+$/),
    password: passwordRule.clone(),
  })
)

export const updateUserValidator = vine.compile(
  vine.object({
    ...userFields,
    password: passwordRule.clone().optional(),
  })
)

export const dicomSenderValidator = vine.compile(
  vine.object({
    institutionId: vine.number().positive(),
    // DICOM AE title: up to 16 characters, no backslash or control characters; we keep it plain.
    aeTitle: vine
      .string()
      .trim()
      .toUpperCase()
      .minLength(1)
      .maxLength(16)
      .regex(/^[A-Z0-9_-]+$/),
    host: vine
      .string()
      .trim()
      .minLength(1)
      .maxLength(255)
      .regex(/^[A-Za-z0-9.:-]+$/),
    port: vine.number().min(1).max(65535).optional(),
    description: vine.string().trim().maxLength(255).optional(),
    active: vine.boolean().optional(),
    // The character set the device reads its modality worklist in (app/interoperability).
    worklistCharset: vine.enum(['ISO_IR 192', 'GB18030'] as const).optional(),
  })
)

export const examItemValidator = vine.compile(
  vine.object({
    modality: vine.enum(MODALITIES),
    bodyPart: vine.string().trim().minLength(1).maxLength(64),
    method: vine.string().trim().minLength(1).maxLength(32),
    position: vine.string().trim().maxLength(64).optional(),
    isContrast: vine.boolean().optional(),
  })
)
