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
