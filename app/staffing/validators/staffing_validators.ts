import vine from '@vinejs/vine'
import { DateTime } from 'luxon'
import { TITLES } from '#app/access/roles'
import { PROFESSIONS } from '#models/staff_member'
import { CERTIFICATE_KINDS } from '#models/staff_certificate'
import {
  WORKLOAD_CATEGORIES,
  emptyWorkload,
  type CalculationInput,
  type Workload,
} from '#app/staffing/services/staffing_rules'

/*
| Shapes of what administrators send. The staffing rules themselves (a period
| in the future, a stale ratio form, a duplicate staff number) are the
| services' refusals, which say why.
*/

const date = () => vine.date({ formats: ['YYYY-MM-DD'] })

/** Annual body parts: a county centre does tens of thousands; ten million is a typo. */
const perCategory = (rule: () => any) =>
  vine.object(Object.fromEntries(WORKLOAD_CATEGORIES.map((c) => [c, rule()])))
const bodyParts = () => vine.number().min(0).max(10_000_000).withoutDecimals().optional()
const percent = () => vine.number().min(-100).max(1000).withoutDecimals().optional()

const calculationFields = {
  source: vine.enum(['recorded', 'typed'] as const).optional(),
  from: date().optional(),
  to: date().optional(),
  adjust: perCategory(percent).optional(),
  read: perCategory(bodyParts).optional(),
  performed: perCategory(bodyParts).optional(),
}

export const calculationValidator = vine.compile(vine.object(calculationFields))

export const planValidator = vine.compile(
  vine.object({
    ...calculationFields,
    name: vine.string().trim().minLength(2).maxLength(100),
    notes: vine.string().trim().maxLength(500).optional(),
  })
)

export const compareValidator = vine.compile(
  vine.object({
    ids: vine.array(vine.number().positive().withoutDecimals()).minLength(1).maxLength(10),
  })
)

type CalculationData = Awaited<ReturnType<typeof calculationValidator.validate>>

const isoDate = (value: Date | undefined) =>
  value ? DateTime.fromJSDate(value, { zone: 'utc' }).toISODate() : null
const workload = (value: Record<string, number | undefined> | undefined): Workload => {
  const out = emptyWorkload()
  for (const category of WORKLOAD_CATEGORIES) out[category] = value?.[category] ?? 0
  return out
}

/** The validated form or JSON body as the calculator's input. */
export function calculationInput(data: CalculationData): CalculationInput {
  const source = data.source ?? 'recorded'
  return {
    source,
    from: source === 'recorded' ? isoDate(data.from) : null,
    to: source === 'recorded' ? isoDate(data.to) : null,
    typed:
      source === 'typed'
        ? { read: workload(data.read), performed: workload(data.performed) }
        : null,
    adjustments: workload(data.adjust),
  }
}

const ratio = () => vine.number().min(0).max(20).decimal([0, 3])

export const ratiosValidator = vine.compile(
  vine.object({
    baseVersion: vine.number().positive().withoutDecimals(),
    note: vine.string().trim().minLength(4).maxLength(500),
    rows: perCategory(() =>
      vine.object({
        bodyPartsPerUnit: vine.number().min(1).max(1_000_000).withoutDecimals(),
        initialReaders: ratio(),
        reviewers: ratio(),
        technologists: ratio(),
        nurses: ratio(),
      })
    ),
    floorDoctors: vine.number().min(0).max(200).withoutDecimals(),
    floorTechnologists: vine.number().min(0).max(200).withoutDecimals(),
    floorNurses: vine.number().min(0).max(200).withoutDecimals(),
    minIntermediatePct: vine.number().min(0).max(100).withoutDecimals(),
    minSeniorPct: vine.number().min(0).max(100).withoutDecimals(),
    memberTechnologistsFirstDevice: vine.number().min(0).max(20).withoutDecimals(),
    memberTechnologistsPerAdditionalDevice: vine.number().min(0).max(20).withoutDecimals(),
    memberNursesPerContrastDevice: vine.number().min(0).max(20).withoutDecimals(),
  })
)

export const staffValidator = vine.compile(
  vine.object({
    institutionId: vine.number().positive().withoutDecimals(),
    staffNo: vine
      .string()
      .trim()
      .minLength(1)
      .maxLength(32)
      .regex(/^[A-Za-z0-9._-]+$/),
    fullName: vine.string().trim().minLength(1).maxLength(64),
    profession: vine.enum(PROFESSIONS),
    title: vine.enum(TITLES),
    // 0.05 … 1: a person works at most full time here
    fte: vine.number().min(0.05).max(1).decimal([0, 2]),
    userId: vine.number().positive().withoutDecimals().optional(),
    active: vine.boolean().optional(),
  })
)

export const certificateValidator = vine.compile(
  vine.object({
    kind: vine.enum(CERTIFICATE_KINDS),
    number: vine.string().trim().maxLength(64).optional(),
    imagingScope: vine.boolean().optional(),
    issuedOn: date().optional(),
    expiresOn: date().optional(),
  })
)
