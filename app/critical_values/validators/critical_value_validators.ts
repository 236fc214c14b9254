import vine from '@vinejs/vine'
import { CRITICAL_VALUE_STATUSES } from '#models/critical_value'
import { DUTIES } from '#models/critical_value_contact'
import { FINDING_CATEGORIES } from '#app/critical_values/default_findings'

/*
| Shapes of what people send. The rules (a message too short, a read-back
| that does not repeat the message) are the services', which say why.
*/

export const raiseValidator = vine.compile(
  vine.object({
    findingId: vine.number().positive(),
    message: vine.string().trim().minLength(1).maxLength(2000),
    requestKey: vine
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]{8,64}$/),
  })
)

export const acknowledgeValidator = vine.compile(
  vine.object({
    readBack: vine.string().trim().minLength(1).maxLength(2000),
  })
)

export const callValidator = vine.compile(
  vine.object({
    outcome: vine.enum(['reached', 'not_reached'] as const),
    contactName: vine.string().trim().maxLength(64).optional(),
    readBack: vine.string().trim().maxLength(2000).optional(),
    note: vine.string().trim().maxLength(500).optional(),
  })
)

export const withdrawValidator = vine.compile(
  vine.object({
    reason: vine.string().trim().minLength(2).maxLength(255),
  })
)

const day = () =>
  vine
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()

export const registryFilterValidator = vine.compile(
  vine.object({
    status: vine.enum(CRITICAL_VALUE_STATUSES).optional(),
    institutionId: vine.number().positive().optional(),
    findingId: vine.number().positive().optional(),
    from: day(),
    to: day(),
    escalated: vine.boolean().optional(),
    search: vine.string().trim().maxLength(64).optional(),
    page: vine.number().positive().optional(),
  })
)

/** An administrator's request for a registry export (two-person rule): the filters and the format. */
export const exportRequestValidator = vine.compile(
  vine.object({
    format: vine.enum(['csv', 'xlsx'] as const),
    status: vine.enum(CRITICAL_VALUE_STATUSES).optional(),
    institutionId: vine.number().positive().optional(),
    findingId: vine.number().positive().optional(),
    from: day(),
    to: day(),
    escalated: vine.boolean().optional(),
    search: vine.string().trim().maxLength(64).optional(),
  })
)

export const findingValidator = vine.compile(
  vine.object({
    code: vine
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_]{2,32}$/)
      .optional(),
    name: vine.string().trim().minLength(2).maxLength(128),
    nameEn: vine.string().trim().maxLength(128).optional(),
    category: vine.enum(FINDING_CATEGORIES),
    ackMinutes: vine.number().withoutDecimals().range([1, 120]),
    active: vine.boolean().optional(),
  })
)

export const contactValidator = vine.compile(
  vine.object({
    userId: vine.number().positive(),
    duty: vine.enum(DUTIES),
    on: vine.boolean(),
  })
)

export const ownDutyValidator = vine.compile(
  vine.object({
    on: vine.boolean(),
  })
)

export const policyValidator = vine.compile(
  vine.object({
    twoPersonCheck: vine.boolean().optional(),
  })
)
