import vine from '@vinejs/vine'
import { URGENCIES, CONSULTATION_STATUSES } from '#app/consultation/models/consultation'

/*
| Shapes of what people send. The rules (not assigned, answered already, no
| images yet) are the services', which say why.
*/

export const requestValidator = vine.compile(
  vine.object({
    question: vine.string().trim().minLength(2).maxLength(2000),
    clinicalSummary: vine.string().trim().minLength(2).maxLength(4000),
    urgency: vine.enum(URGENCIES),
    requestKey: vine
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]{8,64}$/),
  })
)

export const opinionValidator = vine.compile(
  vine.object({
    opinion: vine.string().trim().minLength(2).maxLength(8000),
    recommendation: vine.string().trim().maxLength(2000).optional(),
  })
)

export const amendValidator = vine.compile(
  vine.object({
    opinion: vine.string().trim().minLength(2).maxLength(8000),
    recommendation: vine.string().trim().maxLength(2000).optional(),
    reason: vine.string().trim().minLength(2).maxLength(255),
  })
)

export const messageValidator = vine.compile(
  vine.object({
    body: vine.string().trim().minLength(1).maxLength(2000),
  })
)

export const listValidator = vine.compile(
  vine.object({
    status: vine.enum(CONSULTATION_STATUSES).optional(),
    mine: vine.boolean().optional(),
    page: vine.number().positive().optional(),
  })
)

export const escalateUpperValidator = vine.compile(
  vine.object({
    note: vine.string().trim().minLength(2).maxLength(2000),
  })
)

export const cancelValidator = vine.compile(
  vine.object({
    reason: vine.string().trim().minLength(2).maxLength(500),
  })
)

export const pageValidator = vine.compile(
  vine.object({
    page: vine.number().positive().optional(),
  })
)
