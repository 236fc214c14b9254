import vine from '@vinejs/vine'

/**
 * The clinician's answer to a repeat-exam reminder, one per reminded item (R 6.6): sent with the exam request
 * by the registration form and the API (`recognition[]`), so both run the same check.
 */
export function repeatDecisionsSchema() {
  return vine
    .array(
      vine.object({
        itemId: vine.number().positive().withoutDecimals(),
        decision: vine.enum(['accept', 're_examine'] as const),
        earlierExamId: vine.number().positive().withoutDecimals().optional(),
        earlierExternalId: vine.number().positive().withoutDecimals().optional(),
        reasonCode: vine.string().trim().maxLength(40).optional(),
        reasonText: vine.string().trim().maxLength(500).optional(),
        patientInformed: vine.boolean().optional(),
      })
    )
    .maxLength(20)
    .optional()
}

export const remindersQueryValidator = vine.compile(
  vine.object({
    clinicPatientId: vine.number().positive().withoutDecimals(),
    itemIds: vine.array(vine.number().positive().withoutDecimals()).minLength(1).maxLength(20),
  })
)

const date = () => vine.date({ formats: ['YYYY-MM-DD'] })

export const institutionRecognitionValidator = vine.compile(
  vine.object({
    isPublic: vine.boolean().optional(),
    qcEvaluationPassedOn: date().optional(),
    qcEvaluationValidUntil: date().optional(),
  })
)

export const itemEvaluationValidator = vine.compile(
  vine.object({
    institutionId: vine.number().positive().withoutDecimals(),
    examItemId: vine.number().positive().withoutDecimals(),
    passed: vine.boolean().optional(),
    evaluatedOn: date(),
    validUntil: date().optional(),
  })
)

export const catalogueValidator = vine.compile(
  vine.object({
    code: vine
      .string()
      .trim()
      .minLength(2)
      .maxLength(16)
      .regex(/^[a-z][a-z0-9_]*$/),
    name: vine.string().trim().minLength(1).maxLength(64),
    mark: vine.string().trim().minLength(1).maxLength(16),
    scopeRank: vine.number().min(1).max(100).withoutDecimals(),
    minLevel: vine.string().trim().maxLength(32),
    requiresPublic: vine.boolean().optional(),
    active: vine.boolean().optional(),
  })
)

export const feeValidator = vine.compile(
  vine.object({
    examItemId: vine.number().positive().withoutDecimals(),
    // the service refuses a negative fee with its own message
    feeYuan: vine.number().max(1_000_000),
  })
)

export const settingsValidator = vine.compile(
  vine.object({
    window_days: vine.number().optional(),
    suspension_threshold: vine.number().optional(),
    dq_timeliness: vine.number().optional(),
    dq_consistency: vine.number().optional(),
    dq_completeness: vine.number().optional(),
    dq_accuracy: vine.number().optional(),
    dq_continuity_gap_days: vine.number().optional(),
  })
)

export const calendarYearValidator = vine.compile(
  vine.object({ year: vine.number().withoutDecimals().range([2000, 2100]).optional() })
)

/** The service judges the day, the kind and the name with its own messages. */
export const calendarDayValidator = vine.compile(
  vine.object({
    day: vine.string().trim().maxLength(10),
    kind: vine.string().trim().maxLength(16),
    name: vine.string().trim().maxLength(60),
  })
)

export const evaluationsQueryValidator = vine.compile(
  vine.object({ institutionId: vine.number().positive().withoutDecimals().optional() })
)

export const refusalValidator = vine.compile(
  vine.object({
    accessionNumber: vine.string().trim().minLength(1).maxLength(16),
    reasonCode: vine.string().trim().maxLength(40).optional(),
    reasonText: vine.string().trim().maxLength(500).optional(),
    refusingInstitutionId: vine.number().positive().withoutDecimals().optional(),
  })
)

export const monthValidator = vine.compile(
  vine.object({
    month: vine
      .string()
      .trim()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
      .optional(),
    institutionId: vine.number().positive().withoutDecimals().optional(),
  })
)

export const dataQualityValidator = vine.compile(
  vine.object({
    month: vine
      .string()
      .trim()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
      .optional(),
    institutionId: vine.number().positive().withoutDecimals().optional(),
  })
)

/** An outside result (R 6.5): the item by id, by catalogue code, or by the sender's name; or a FHIR resource. */
export const externalResultValidator = vine.compile(
  vine.object({
    clinicPatientId: vine.number().positive().withoutDecimals(),
    institutionId: vine.number().positive().withoutDecimals(),
    examItemId: vine.number().positive().withoutDecimals().optional(),
    modality: vine.string().trim().maxLength(16).optional(),
    itemName: vine.string().trim().maxLength(200).optional(),
    performedAt: vine.string().trim().maxLength(40).optional(),
    reference: vine.string().trim().maxLength(64).optional(),
    findings: vine.string().trim().maxLength(4000).optional(),
    impression: vine.string().trim().maxLength(2000).optional(),
    source: vine.enum(['consultation', 'fhir', 'manual']).optional(),
    resource: vine
      .object({ resourceType: vine.enum(['DiagnosticReport', 'ImagingStudy']) })
      .allowUnknownProperties()
      .optional(),
  })
)

export const externalResultsQueryValidator = vine.compile(
  vine.object({ clinicPatientId: vine.number().positive().withoutDecimals().optional() })
)
