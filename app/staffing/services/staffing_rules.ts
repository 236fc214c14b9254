import { normaliseModality } from '#app/catalogue/catalogue_normaliser'
/*
| The staffing arithmetic of C 7, as plain functions a unit test calls without
| a database: Table 1 (C 7.1.1), the small-centre floor, the title mix (C 7.1.2),
| the member device rule (C 7.2.2, C 7.2.3), and the gap against the roster.
|
| FTE are computed in thousandths (integers) so that 15,000 × 0.6 / 15,000 is
| exactly 0.600 and the lines an administrator adds up by hand give the total.
*/
import type { Title } from '#app/access/roles'
import type { Profession } from '#models/staff_member'
import { CONTRAST_KINDS, type EquipmentKind, type EquipmentStatus } from '#models/equipment'

/** Table 1's work categories, in the table's order. */
export const WORKLOAD_CATEGORIES = [
  'ct_plain',
  'mri_plain',
  'dr',
  'ct_contrast',
  'mri_contrast',
] as const
export type WorkloadCategory = (typeof WORKLOAD_CATEGORIES)[number]
export type Workload = Record<WorkloadCategory, number>

export const emptyWorkload = (): Workload => ({
  ct_plain: 0,
  mri_plain: 0,
  dr: 0,
  ct_contrast: 0,
  mri_contrast: 0,
})

/**
 * The Table 1 category of one performed catalogue item (one body part, 部位):
 * DR → DR; CT or MR with a contrast method (增强, 平扫+增强, CTA…) → contrast; otherwise plain.
 */
export function categoryOfItem(item: { modality: string; isContrast: boolean }): WorkloadCategory {
  const modality = normaliseModality(item.modality)
  if (modality === 'DR') return 'dr'
  if (modality === 'CT') return item.isContrast ? 'ct_contrast' : 'ct_plain'
  if (modality === 'MR') return item.isContrast ? 'mri_contrast' : 'mri_plain'
  throw new Error(`no Table 1 category for modality ${item.modality}`)
}

/* ------------------------------------------------------------------ ratios */

export interface RatioRow {
  category: WorkloadCategory
  bodyPartsPerUnit: number
  initialReaders: number
  reviewers: number
  technologists: number
  nurses: number
}

/** The parameters a calculation used, copied into every saved plan. */
export interface RatioSnapshot {
  id: number | null
  version: number
  note: string
  createdAt: string | null
  rows: RatioRow[]
  /** C 7.1.1: a centre with little work still has at least 8 doctors, 5 technologists, 2 nurses. */
  floor: { doctors: number; technologists: number; nurses: number }
  /** C 7.1.2: at least 20% of doctors 中级, at least 10% 高级. */
  titleMix: { intermediatePct: number; seniorPct: number }
  /** C 7.2.2 / 7.2.3: 2 technologists for the first device, 1 per additional device, 1 nurse per contrast CT/MRI. */
  memberRule: {
    technologistsFirstDevice: number
    technologistsPerAdditionalDevice: number
    nursesPerContrastDevice: number
  }
}

/** Table 1 and the clauses' numbers as the draft standard has them (used by tests and as the seed's fallback check). */
export const STANDARD_DEFAULTS: Omit<
  RatioSnapshot,
  'rows' | 'id' | 'version' | 'note' | 'createdAt'
> = {
  floor: { doctors: 8, technologists: 5, nurses: 2 },
  titleMix: { intermediatePct: 20, seniorPct: 10 },
  memberRule: {
    technologistsFirstDevice: 2,
    technologistsPerAdditionalDevice: 1,
    nursesPerContrastDevice: 1,
  },
}

const ROLES_OF_TABLE = ['initialReaders', 'reviewers', 'technologists', 'nurses'] as const
type TableRole = (typeof ROLES_OF_TABLE)[number]

/** Ratios are kept to three decimals (Table 1 has at most one). */
const milli = (value: number) => Math.round(value * 1000)
export const fromMilli = (value: number) => value / 1000
/** Whole people for an FTE in thousandths: the next whole number (2.001 → 3, 3.000 → 3). */
export const wholeOfMilli = (value: number) => Math.ceil(value / 1000)

/** FTE (thousandths) for so many body parts a year at a ratio per unit of Table 1. */
export function fteMilli(bodyParts: number, bodyPartsPerUnit: number, ratio: number) {
  if (bodyPartsPerUnit <= 0) throw new Error('bodyPartsPerUnit must be positive')
  return Math.round((bodyParts * milli(ratio)) / bodyPartsPerUnit)
}

/* -------------------------------------------------------- the lead hospital */

export interface TableLine {
  category: WorkloadCategory
  /** body parts a year the centre reads (drives the doctors) */
  readBodyParts: number
  /** body parts a year performed at the lead hospital itself (drives technologists and nurses) */
  performedBodyParts: number
  bodyPartsPerUnit: number
  ratio: Record<TableRole, number>
  /** exact FTE, three decimals */
  fte: Record<TableRole, number>
}

export interface FteAndWhole {
  fte: number
  whole: number
}

export interface LeadRequirement {
  lines: TableLine[]
  totals: Record<TableRole, FteAndWhole> & { doctors: FteAndWhole }
  /** whole people after the small-centre floor: max(table, floor) */
  planned: { doctors: number; reviewers: number; technologists: number; nurses: number }
  floorRaised: { doctors: boolean; technologists: boolean; nurses: boolean }
  /** C 7.1.2 applied to the planned doctors */
  titleMix: { doctors: number; intermediate: number; senior: number }
}

/**
 * C 7.1.1 Table 1: per category, body parts ÷ the table's unit × each role's ratio.
 * Doctors (initial readers, reviewers) follow what the centre reads; technologists
 * and nurses follow what is performed on the lead hospital's own devices.
 */
export function tableLine(
  row: RatioRow,
  readBodyParts: number,
  performedBodyParts: number
): TableLine {
  const basis: Record<TableRole, number> = {
    initialReaders: readBodyParts,
    reviewers: readBodyParts,
    technologists: performedBodyParts,
    nurses: performedBodyParts,
  }
  const fte = {} as Record<TableRole, number>
  const ratio = {} as Record<TableRole, number>
  for (const role of ROLES_OF_TABLE) {
    ratio[role] = row[role]
    fte[role] = fromMilli(fteMilli(basis[role], row.bodyPartsPerUnit, row[role]))
  }
  return {
    category: row.category,
    readBodyParts,
    performedBodyParts,
    bodyPartsPerUnit: row.bodyPartsPerUnit,
    ratio,
    fte,
  }
}

/** Title mix for a number of doctors: at least pct% (rounded up to whole people). Integer arithmetic, no 0.1 × 30 = 3.0000000004. */
export function titleMixFor(doctors: number, mix: RatioSnapshot['titleMix']) {
  return {
    doctors,
    intermediate: Math.ceil((doctors * mix.intermediatePct) / 100),
    senior: Math.ceil((doctors * mix.seniorPct) / 100),
  }
}

export function leadRequirement(
  read: Workload,
  performed: Workload,
  ratios: RatioSnapshot
): LeadRequirement {
  const lines = WORKLOAD_CATEGORIES.map((category) => {
    const row = ratios.rows.find((r) => r.category === category)
    if (!row) throw new Error(`ratio set v${ratios.version} has no row for ${category}`)
    return tableLine(row, read[category] ?? 0, performed[category] ?? 0)
  })
  const sum = (role: TableRole) => lines.reduce((total, line) => total + milli(line.fte[role]), 0)
  const totalsMilli = {
    initialReaders: sum('initialReaders'),
    reviewers: sum('reviewers'),
    technologists: sum('technologists'),
    nurses: sum('nurses'),
  }
  const doctorsMilli = totalsMilli.initialReaders + totalsMilli.reviewers
  const both = (value: number): FteAndWhole => ({
    fte: fromMilli(value),
    whole: wholeOfMilli(value),
  })
  const totals = {
    initialReaders: both(totalsMilli.initialReaders),
    reviewers: both(totalsMilli.reviewers),
    technologists: both(totalsMilli.technologists),
    nurses: both(totalsMilli.nurses),
    // One doctor may write some reports and review others: the doctors' whole number rounds the sum, not each part.
    doctors: both(doctorsMilli),
  }
  const planned = {
    doctors: Math.max(totals.doctors.whole, ratios.floor.doctors),
    reviewers: totals.reviewers.whole,
    technologists: Math.max(totals.technologists.whole, ratios.floor.technologists),
    nurses: Math.max(totals.nurses.whole, ratios.floor.nurses),
  }
  return {
    lines,
    totals,
    planned,
    floorRaised: {
      doctors: ratios.floor.doctors > totals.doctors.whole,
      technologists: ratios.floor.technologists > totals.technologists.whole,
      nurses: ratios.floor.nurses > totals.nurses.whole,
    },
    titleMix: titleMixFor(planned.doctors, ratios.titleMix),
  }
}

/* ------------------------------------------------------------------ roster */

export interface RosterPerson {
  profession: Profession
  title: Title
  fte: number
}

export interface HeadsAndFte {
  headcount: number
  fte: number
}

export interface RosterSummary {
  doctors: HeadsAndFte
  /** 中级及以上: may review and sign (C 4.2.1) */
  reviewCapable: HeadsAndFte
  intermediate: HeadsAndFte
  senior: HeadsAndFte
  technologists: HeadsAndFte
  nurses: HeadsAndFte
}

const hundredths = (value: number) => Math.round(value * 100) / 100

export function rosterSummary(people: RosterPerson[]): RosterSummary {
  const tally = (filter: (p: RosterPerson) => boolean): HeadsAndFte => {
    const chosen = people.filter(filter)
    return {
      headcount: chosen.length,
      fte: hundredths(chosen.reduce((total, p) => total + p.fte, 0)),
    }
  }
  return {
    doctors: tally((p) => p.profession === 'doctor'),
    reviewCapable: tally(
      (p) => p.profession === 'doctor' && (p.title === 'intermediate' || p.title === 'senior')
    ),
    intermediate: tally((p) => p.profession === 'doctor' && p.title === 'intermediate'),
    senior: tally((p) => p.profession === 'doctor' && p.title === 'senior'),
    technologists: tally((p) => p.profession === 'technologist'),
    nurses: tally((p) => p.profession === 'nurse'),
  }
}

/**
 * C 7.1.2 read against the roster: "中级职称占比应不低于 20%，高级职称占比应不低于 10%".
 * 中级 here is the intermediate title itself, not "intermediate or above": the same
 * standard writes 中级及以上 when it means that (C 4.2.1), and the clause sets a
 * separate share for each tier of the title ladder. Shares are of doctors by head.
 */
export function rosterTitleMix(roster: RosterSummary, mix: RatioSnapshot['titleMix']) {
  const doctors = roster.doctors.headcount
  const share = (n: number) => (doctors === 0 ? 0 : Math.round((n * 1000) / doctors) / 10)
  return {
    doctors,
    intermediate: roster.intermediate.headcount,
    senior: roster.senior.headcount,
    intermediateSharePct: share(roster.intermediate.headcount),
    seniorSharePct: share(roster.senior.headcount),
    intermediateMet:
      doctors > 0 && roster.intermediate.headcount * 100 >= mix.intermediatePct * doctors,
    seniorMet: doctors > 0 && roster.senior.headcount * 100 >= mix.seniorPct * doctors,
  }
}

/* --------------------------------------------------------------------- gap */

export const GAP_ROLES = [
  'doctors',
  'reviewers',
  'intermediate',
  'senior',
  'technologists',
  'nurses',
] as const
export type GapRole = (typeof GAP_ROLES)[number]

export interface GapRow {
  role: GapRole
  /** exact FTE the workload needs (null for the title rows, which count people) */
  requiredFte: number | null
  /** C 7.1.1 floor for the role, if any */
  floor: number | null
  /** whole people planned: max(ceil(FTE), floor) */
  requiredWhole: number
  actualHeadcount: number
  actualFte: number
  /** positive: spare; negative: short. In FTE, except the title rows (people). */
  gap: number
  /** whole people to add to close the gap */
  toAdd: number
  met: boolean
}

function gapRow(
  role: GapRole,
  required: { fte: number | null; floor: number | null; whole: number },
  actual: HeadsAndFte,
  gap: number
): GapRow {
  const rounded = hundredths(gap)
  return {
    role,
    requiredFte: required.fte,
    floor: required.floor,
    requiredWhole: required.whole,
    actualHeadcount: actual.headcount,
    actualFte: actual.fte,
    gap: rounded,
    toAdd: rounded < 0 ? Math.ceil(-rounded - 1e-9) : 0,
    met: rounded >= 0,
  }
}

/**
 * The lead hospital's gap per role. The workload is met in FTE (part-timers count
 * by their share); the floor of C 7.1.1 asks for 专职 (full-time) doctors and
 * technologists, compared in FTE, but allows 专/兼职 (part-time) nurses, so for
 * nurses the floor is met by head count. Title rows compare people.
 */
export function leadGap(
  requirement: LeadRequirement,
  roster: RosterSummary,
  ratios: RatioSnapshot
): GapRow[] {
  const t = requirement.totals
  const floor = ratios.floor
  return [
    gapRow(
      'doctors',
      { fte: t.doctors.fte, floor: floor.doctors, whole: requirement.planned.doctors },
      roster.doctors,
      roster.doctors.fte - Math.max(t.doctors.fte, floor.doctors)
    ),
    gapRow(
      'reviewers',
      { fte: t.reviewers.fte, floor: null, whole: requirement.planned.reviewers },
      roster.reviewCapable,
      roster.reviewCapable.fte - t.reviewers.fte
    ),
    gapRow(
      'intermediate',
      { fte: null, floor: null, whole: requirement.titleMix.intermediate },
      roster.intermediate,
      roster.intermediate.headcount - requirement.titleMix.intermediate
    ),
    gapRow(
      'senior',
      { fte: null, floor: null, whole: requirement.titleMix.senior },
      roster.senior,
      roster.senior.headcount - requirement.titleMix.senior
    ),
    gapRow(
      'technologists',
      {
        fte: t.technologists.fte,
        floor: floor.technologists,
        whole: requirement.planned.technologists,
      },
      roster.technologists,
      roster.technologists.fte - Math.max(t.technologists.fte, floor.technologists)
    ),
    gapRow(
      'nurses',
      { fte: t.nurses.fte, floor: floor.nurses, whole: requirement.planned.nurses },
      roster.nurses,
      Math.min(roster.nurses.fte - t.nurses.fte, roster.nurses.headcount - floor.nurses)
    ),
  ]
}

/* ----------------------------------------------------------------- members */

export interface DeviceLike {
  kind: EquipmentKind
  contrastCapable: boolean
  status: EquipmentStatus
}

/**
 * C 7.2.2: at least 2 technologists (专/兼职) for a radiology device, one more for
 * each additional device; C 7.2.3: one nurse per contrast CT or MRI. Retired devices
 * need nobody; a device under repair still does.
 */
export function memberDeviceRule(devices: DeviceLike[], rule: RatioSnapshot['memberRule']) {
  const counted = devices.filter((d) => d.status !== 'retired')
  const contrast = counted.filter((d) => d.contrastCapable && CONTRAST_KINDS.includes(d.kind))
  const n = counted.length
  return {
    devices: n,
    contrastDevices: contrast.length,
    technologists:
      n === 0 ? 0 : rule.technologistsFirstDevice + (n - 1) * rule.technologistsPerAdditionalDevice,
    nurses: contrast.length * rule.nursesPerContrastDevice,
  }
}

/** A member's gap: C 7.2 allows 专（兼）职 staff, so people are counted by head. */
export function memberGap(
  required: { technologists: number; nurses: number },
  roster: RosterSummary
) {
  const row = (needed: number, actual: HeadsAndFte) => ({
    required: needed,
    actualHeadcount: actual.headcount,
    actualFte: actual.fte,
    gap: actual.headcount - needed,
    met: actual.headcount >= needed,
  })
  return {
    technologists: row(required.technologists, roster.technologists),
    nurses: row(required.nurses, roster.nurses),
  }
}

/* --------------------------------------------------------------- workload */

/** Annualised count: counted × 12 ÷ months of the period, to a whole body part. */
export function annualise(counted: number, months: number) {
  if (months <= 0) throw new Error('months must be positive')
  return Math.round((counted * 12) / months)
}

/** A what-if change in percent ("CT +20% next year"): 15,000 at +20 → 18,000. */
export function adjust(annual: number, percent: number) {
  return Math.max(0, Math.round((annual * (100 + percent)) / 100))
}

/* ------------------------------------------------------------ the result */

export interface CalculationInput {
  source: 'recorded' | 'typed'
  /** recorded: the period, calendar dates in the hospital's zone, both inclusive */
  from?: string | null
  to?: string | null
  /** typed: annual body parts read by the centre and performed at the lead hospital */
  typed?: { read: Workload; performed: Workload } | null
  /** percent per category, applied to both */
  adjustments: Workload
}

export interface WorkloadLine {
  category: WorkloadCategory
  read: { counted: number | null; annual: number; planned: number }
  performed: { counted: number | null; annual: number; planned: number }
  adjustmentPct: number
}

export interface MemberPlan {
  institution: { id: number; code: string; name: string }
  devices: number
  contrastDevices: number
  required: { technologists: number; nurses: number }
  gap: ReturnType<typeof memberGap>
  doctors: HeadsAndFte
  /** annual body parts performed at the member (recorded mode), for its doctors "by demand" (C 7.2.1) */
  workload: Workload | null
  equipmentMissing: EquipmentKind[]
}

export interface StaffingResult {
  computedAt: string
  ratios: RatioSnapshot
  workload: {
    source: 'recorded' | 'typed'
    period: { from: string; to: string; months: number } | null
    lines: WorkloadLine[]
    read: Workload
    performed: Workload
  }
  lead: {
    institution: { id: number; code: string; name: string } | null
    requirement: LeadRequirement
    roster: RosterSummary
    titleMix: ReturnType<typeof rosterTitleMix>
    gap: GapRow[]
    equipmentMissing: EquipmentKind[]
  }
  members: MemberPlan[]
  memberTotals: {
    devices: number
    technologistsRequired: number
    technologistsActual: number
    nursesRequired: number
    nursesActual: number
  }
}
