import vine from '@vinejs/vine'
import { PRIORITIES } from '#models/exam'
import { MODALITIES } from '#models/exam_item'
import { PHRASE_SECTIONS } from '#models/phrase_template'
import { QUEUE_STATUSES } from '#app/reading/services/reading_queue'

/*
| Shapes of what readers send. The report's own rules (what must be written,
| MRI technique, comparison with a prior) are the services', which say why.
| The report time is never accepted from a client: it is the system's (B).
*/

const text = (max: number) => vine.string().trim().maxLength(max).optional()

export const queueFilterValidator = vine.compile(
  vine.object({
    modality: vine.enum(MODALITIES).optional(),
    institutionId: vine.number().positive().withoutDecimals().optional(),
    priority: vine.enum(PRIORITIES).optional(),
    status: vine.enum(QUEUE_STATUSES).optional(),
    mine: vine.boolean().optional(),
    after: vine
      .string()
      .regex(/^\d{1,15}\.\d{1,15}$/)
      .optional(),
    limit: vine.number().withoutDecimals().range([1, 200]).optional(),
  })
)

const content = {
  technique: text(4000),
  findings: text(20000),
  impression: text(8000),
  comparison: text(4000),
  priorExamId: vine.number().positive().withoutDecimals().optional(),
  noComparisonReason: text(255),
  templateId: vine.number().positive().withoutDecimals().optional(),
}

/** Autosave and submit: the editor's fields and the revision they were written against. */
export const reportContentValidator = vine.compile(
  vine.object({
    ...content,
    revision: vine.number().positive().withoutDecimals(),
    // Why the author submits despite the automatic QC warnings (app/quality, Q 4.2.5).
    qcOverrideReason: vine.string().trim().maxLength(500).optional(),
  })
)

/** Signing: optionally with the reviewer's edits; always the revision the signer read. */
export const signValidator = vine.compile(
  vine.object({
    ...content,
    revision: vine.number().positive().withoutDecimals(),
  })
)

export const returnValidator = vine.compile(
  vine.object({
    ...content,
    comment: vine.string().trim().minLength(1).maxLength(2000),
    revision: vine.number().positive().withoutDecimals(),
  })
)

export const amendValidator = vine.compile(
  vine.object({
    reason: vine.string().trim().minLength(1).maxLength(1000),
  })
)

export const reassignValidator = vine.compile(
  vine.object({
    userId: vine.number().positive().withoutDecimals(),
  })
)

export const templateValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(128),
    modality: vine.enum(MODALITIES).optional(),
    bodyPart: vine.string().trim().maxLength(64).optional(),
    diagnosis: vine.string().trim().minLength(1).maxLength(128),
    technique: text(4000),
    findings: vine.string().trim().minLength(2).maxLength(20000),
    impression: vine.string().trim().minLength(2).maxLength(8000),
  })
)

export const phraseValidator = vine.compile(
  vine.object({
    modality: vine.enum(MODALITIES).optional(),
    section: vine.enum(PHRASE_SECTIONS),
    category: vine.string().trim().minLength(1).maxLength(64),
    text: vine.string().trim().minLength(1).maxLength(1000),
    sort: vine.number().withoutDecimals().range([0, 9999]).optional(),
  })
)

export const settingsValidator = vine.compile(
  vine.object({
    limits: vine.record(vine.number().withoutDecimals()).optional(),
    singleSignature: vine.boolean().optional(),
  })
)
