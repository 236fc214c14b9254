/*
| What each level of the alliance must have (C 6): the lead hospital DR, mobile
| DR, digital GI, mammography, CT and MRI, and as needed QCT or a dual-energy
| bone densitometer (C 6.1); a member a DR, and as needed a CT (C 6.2).
| Plus the calibration/QC recency the lead hospital watches (C 4.2.4).
*/
import type { DateTime } from 'luxon'
import type { EquipmentKind, EquipmentStatus } from '#models/equipment'

export interface EquipmentStandard {
  /** 应配备: every one of these must be present */
  required: EquipmentKind[]
  /** 宜配备 (as needed): each group is satisfied by any one kind in it */
  recommended: EquipmentKind[][]
}

export const EQUIPMENT_STANDARDS: Record<'lead_hospital' | 'member_clinic', EquipmentStandard> = {
  lead_hospital: {
    required: ['dr', 'mobile_dr', 'digital_gi', 'mammography', 'ct', 'mri'],
    recommended: [['qct', 'dxa']],
  },
  member_clinic: { required: ['dr'], recommended: [['ct']] },
}

/** Institutions C 6 speaks of; upper-level hospitals and specialty centres are outside it. */
export function standardFor(kind: string): EquipmentStandard | null {
  return kind === 'lead_hospital' || kind === 'member_clinic' ? EQUIPMENT_STANDARDS[kind] : null
}

export interface DeviceOnRegister {
  kind: EquipmentKind
  status: EquipmentStatus
}

export interface EquipmentCheck {
  required: Array<{ kind: EquipmentKind; count: number }>
  missing: EquipmentKind[]
  recommended: Array<{ kinds: EquipmentKind[]; count: number }>
  recommendedMissing: EquipmentKind[][]
  met: boolean
}

/** A retired device no longer counts; one under repair still does (it is the institution's and comes back). */
export function equipmentCheck(
  standard: EquipmentStandard,
  devices: DeviceOnRegister[]
): EquipmentCheck {
  const present = devices.filter((d) => d.status !== 'retired')
  const count = (kind: EquipmentKind) => present.filter((d) => d.kind === kind).length
  const required = standard.required.map((kind) => ({ kind, count: count(kind) }))
  const recommended = standard.recommended.map((kinds) => ({
    kinds,
    count: kinds.reduce((n, k) => n + count(k), 0),
  }))
  const missing = required.filter((r) => r.count === 0).map((r) => r.kind)
  return {
    required,
    missing,
    recommended,
    recommendedMissing: recommended.filter((r) => r.count === 0).map((r) => r.kinds),
    met: missing.length === 0,
  }
}

/**
 * Calibration / QC recency (C 4.2.4 asks for regular calibration). X-ray and CT
 * equipment gets an annual status test (状态检测) in Chinese practice, so a
 * device whose last QC is more than 12 months old, or never recorded, is flagged.
 */
export const QC_INTERVAL_MONTHS = 12

export function qcState(
  device: { status: EquipmentStatus; lastQcOn: DateTime | null },
  today: DateTime
): 'ok' | 'overdue' | 'never' | 'retired' {
  if (device.status === 'retired') return 'retired'
  if (!device.lastQcOn) return 'never'
  return device.lastQcOn.plus({ months: QC_INTERVAL_MONTHS }) < today.startOf('day')
    ? 'overdue'
    : 'ok'
}
