import vine from '@vinejs/vine'

const day = () =>
  vine
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
const quarter = () =>
  vine
    .string()
    .trim()
    .regex(/^\d{4}-Q[1-4]$/)

export const quarterQueryValidator = vine.compile(vine.object({ quarter: quarter().optional() }))

export const recordsQueryValidator = vine.compile(
  vine.object({
    indicator: vine.string().trim().maxLength(64),
    clinicId: vine.number().positive(),
    from: day(),
    to: day(),
  })
)

export const closeQuarterValidator = vine.compile(vine.object({ quarter: quarter() }))
export const correctQuarterValidator = vine.compile(
  vine.object({ quarter: quarter(), reason: vine.string().trim().minLength(2).maxLength(500) })
)

export const weightsValidator = vine.compile(
  vine.object({
    baseVersion: vine.number().positive(),
    note: vine.string().trim().minLength(1).maxLength(255),
    weights: vine.record(vine.number().min(0).max(100)),
  })
)

export const trainingSessionValidator = vine.compile(
  vine.object({
    topic: vine.string().trim().minLength(2).maxLength(200),
    heldOn: day(),
    trainer: vine.string().trim().minLength(1).maxLength(64),
    modality: vine.enum(['DR', 'CT', 'MR']).optional(),
    institutionId: vine.number().positive(),
    attendeeIds: vine.array(vine.number().positive()).optional(),
  })
)

export const attendanceValidator = vine.compile(
  vine.object({ attendeeIds: vine.array(vine.number().positive()).optional() })
)

export const trainingFilterValidator = vine.compile(
  vine.object({
    institutionId: vine.number().positive().optional(),
    flagged: vine.boolean().optional(),
  })
)

export const roundValidator = vine.compile(
  vine.object({
    title: vine.string().trim().minLength(2).maxLength(200),
    heldOn: day(),
    kind: vine.enum(['written', 'practical']),
    maxScore: vine.number().positive().max(1000),
    passMark: vine.number().min(0).max(1000),
  })
)

/** scores[staffId] = score; an empty field is someone not assessed in this round. */
export const scoresValidator = vine.compile(
  vine.object({ scores: vine.record(vine.number().optional()) })
)

export const actionValidator = vine.compile(
  vine.object({
    institutionId: vine.number().positive(),
    quarter: quarter(),
    indicatorKey: vine.string().trim().maxLength(64).optional(),
    problem: vine.string().trim().minLength(2).maxLength(1000),
    owner: vine.string().trim().minLength(1).maxLength(64),
    dueOn: day(),
  })
)

export const followUpValidator = vine.compile(
  vine.object({
    followUp: vine.string().trim().minLength(1).maxLength(2000),
    close: vine.boolean().optional(),
  })
)

export const spotCheckValidator = vine.compile(
  vine.object({
    institutionId: vine.number().positive(),
    days: vine.number().withoutDecimals().min(1).max(365),
    size: vine.number().withoutDecimals().min(1).max(100),
    seed: vine.number().withoutDecimals().min(0).max(2147483647).optional(),
  })
)
