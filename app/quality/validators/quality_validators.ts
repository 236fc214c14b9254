import vine from '@vinejs/vine'
import { QC_ITEMS } from '#app/quality/services/scoring'
import { QC_MODES } from '#app/quality/services/qc_scoring'

/*
| Shapes of what people send. The rules (an entry of another checklist
| version, one's own work, a rate outside 0..100 %) are the services', which
| say why.
*/

const ids = () => vine.array(vine.number().positive()).maxLength(50).optional()
const day = () =>
  vine
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()

export const scoreValidator = vine.compile(
  vine.object({
    item: vine.enum(QC_ITEMS),
    checklistId: vine.number().positive(),
    findings: ids(),
    criteria: ids(),
    note: vine.string().trim().maxLength(2000).optional(),
    mode: vine.enum(QC_MODES.filter((m) => m !== 'gold' && m !== 'arbitration')).optional(),
    sessionId: vine.number().positive().optional(),
  })
)

export const samplingRuleValidator = vine.compile(
  vine.object({
    modality: vine.enum(['DR', 'CT', 'MR', 'MG', 'RF', 'US', 'XA', 'OT'] as const).optional(),
    institutionId: vine.number().positive().optional(),
    readerId: vine.number().positive().optional(),
    // 0..100 is the service's rule (it says why); here only that it is a number.
    ratePercent: vine.number(),
    seed: vine.string().trim().maxLength(64).optional(),
  })
)

export const checklistValidator = vine.compile(
  vine.object({
    entries: vine
      .array(
        vine.object({
          kind: vine.enum(['finding', 'severe', 'criterion'] as const),
          text: vine.string().trim().maxLength(500).optional(),
        })
      )
      .minLength(1)
      .maxLength(40),
  })
)

export const roleItemsValidator = vine.compile(
  vine.object({
    role: vine.enum(['clinic_staff', 'radiologist', 'qc_officer'] as const),
    items: vine.array(vine.enum(QC_ITEMS)).maxLength(6).optional(),
  })
)

export const sessionFilterValidator = vine.compile(
  vine.object({
    from: day(),
    to: day(),
    institutionId: vine.number().positive().optional(),
    modality: vine.enum(['DR', 'CT', 'MR'] as const).optional(),
    readerId: vine.number().positive().optional(),
    technologist: vine.string().trim().maxLength(64).optional(),
    item: vine.enum(QC_ITEMS).optional(),
    maxScore: vine.number().min(1).max(5).optional(),
    sample: vine.number().positive().max(500).optional(),
  })
)

export const openSessionValidator = vine.compile(
  vine.object({
    title: vine.string().trim().minLength(2).maxLength(128),
    purpose: vine.string().trim().maxLength(1000).optional(),
    examIds: vine.array(vine.number().positive()).minLength(1).maxLength(500).optional(),
    from: day(),
    to: day(),
    institutionId: vine.number().positive().optional(),
    modality: vine.enum(['DR', 'CT', 'MR'] as const).optional(),
    readerId: vine.number().positive().optional(),
    technologist: vine.string().trim().maxLength(64).optional(),
    item: vine.enum(QC_ITEMS).optional(),
    maxScore: vine.number().min(1).max(5).optional(),
    sample: vine.number().positive().max(500).optional(),
  })
)

export const goldOpenValidator = vine.compile(
  vine.object({
    item: vine.enum(QC_ITEMS),
    firstReviewerId: vine.number().positive(),
    secondReviewerId: vine.number().positive(),
    arbiterId: vine.number().positive().optional(),
  })
)

export const goldReviewValidator = vine.compile(
  vine.object({
    checklistId: vine.number().positive(),
    findings: ids(),
    criteria: ids(),
    note: vine.string().trim().maxLength(2000).optional(),
  })
)

export const followUpValidator = vine.compile(
  vine.object({
    source: vine.enum(['surgery', 'pathology', 'clinical'] as const),
    outcome: vine.string().trim().minLength(2).maxLength(2000),
    agreed: vine.boolean(),
  })
)

export const reportPeriodValidator = vine.compile(
  vine.object({
    month: vine
      .string()
      .trim()
      .regex(/^\d{4}-\d{2}$/)
      .optional(),
    from: day(),
    to: day(),
    institutionId: vine.number().positive().optional(),
    modality: vine.enum(['DR', 'CT', 'MR'] as const).optional(),
  })
)

export const sheetValidator = vine.compile(
  vine.object({
    quarter: vine
      .string()
      .trim()
      .regex(/^\d{4}Q[1-4]$/),
    rulePoints: vine.array(vine.number().min(0).max(2)).fixedLength(5),
    descriptionDeductions: vine.number().min(0).max(10),
    diagnosisDeductions: vine.number().min(0).max(10),
  })
)

export const overrideValidator = vine.compile(
  vine.object({
    reason: vine.string().trim().minLength(2).maxLength(500),
  })
)
