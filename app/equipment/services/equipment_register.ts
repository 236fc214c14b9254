import { inject } from '@adonisjs/core'
import type { DateTime } from 'luxon'
import Institution from '#models/institution'
import Equipment, {
  CONTRAST_KINDS,
  type EquipmentKind,
  type EquipmentStatus,
} from '#models/equipment'
import imaging from '#config/imaging'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { isDuplicateKey } from '#app/platform/db_helpers'
import { calendarDay } from '#app/platform/dates'
import { equipmentCheck, qcState, standardFor } from './equipment_rules.js'

export interface EquipmentInput {
  institutionId: number
  kind: EquipmentKind
  assetNo: string
  model?: string | null
  manufacturer?: string | null
  contrastCapable?: boolean
  status: EquipmentStatus
  installedOn?: DateTime | null
  lastQcOn?: DateTime | null
  notes?: string | null
}

/** The equipment register of the lead hospital and the members, and the C 6 check of what each must have. */
@inject()
export class EquipmentRegister {
  constructor(protected clock: Clock) {}

  today() {
    return calendarDay(this.clock.now().setZone(imaging.displayTimezone).toISODate()!)
  }

  protected async check(input: EquipmentInput, existing?: Equipment) {
    const institution = await Institution.find(input.institutionId)
    if (!institution || !standardFor(institution.kind))
      throw new DomainRefusal('equipment_institution', 'equipment.errors.institution')
    const sameNo = await Equipment.query()
      .where('institution_id', input.institutionId)
      .where('asset_no', input.assetNo)
      .first()
    if (sameNo && sameNo.id !== existing?.id)
      throw new DomainRefusal('asset_no_taken', 'equipment.errors.asset_no_taken', {
        assetNo: input.assetNo,
      })
    // C 7.2.3 counts contrast CT and MRI; a DR is not a contrast device here.
    if (input.contrastCapable && !CONTRAST_KINDS.includes(input.kind))
      throw new DomainRefusal('contrast_kind', 'equipment.errors.contrast_kind')
    const today = this.today()
    if (input.installedOn && calendarDay(input.installedOn) > today)
      throw new DomainRefusal('installed_future', 'equipment.errors.installed_future')
    if (input.lastQcOn && calendarDay(input.lastQcOn) > today)
      throw new DomainRefusal('qc_future', 'equipment.errors.qc_future')
    if (
      input.lastQcOn &&
      input.installedOn &&
      calendarDay(input.lastQcOn) < calendarDay(input.installedOn)
    ) {
      throw new DomainRefusal('qc_before_install', 'equipment.errors.qc_before_install')
    }
    return institution
  }

  protected fields(input: EquipmentInput) {
    return {
      institutionId: input.institutionId,
      kind: input.kind,
      assetNo: input.assetNo.trim(),
      model: input.model?.trim() || null,
      manufacturer: input.manufacturer?.trim() || null,
      contrastCapable: Boolean(input.contrastCapable),
      status: input.status,
      installedOn: input.installedOn ?? null,
      lastQcOn: input.lastQcOn ?? null,
      notes: input.notes?.trim() || null,
    }
  }

  async add(input: EquipmentInput) {
    await this.check(input)
    try {
      return await Equipment.create(this.fields(input))
    } catch (error) {
      if (isDuplicateKey(error))
        throw new DomainRefusal('asset_no_taken', 'equipment.errors.asset_no_taken', {
          assetNo: input.assetNo,
        })
      throw error
    }
  }

  async update(device: Equipment, input: EquipmentInput) {
    await this.check(input, device)
    device.merge(this.fields(input))
    await device.save()
    return device
  }

  /** The lead hospital and every member, each with its devices and the C 6 check. */
  async overview() {
    const institutions = await Institution.query()
      .whereIn('kind', ['lead_hospital', 'member_clinic'])
      .orderByRaw("CASE kind WHEN 'lead_hospital' THEN 0 ELSE 1 END")
      .orderBy('code')
    const devices = institutions.length
      ? await Equipment.query().whereIn(
          'institution_id',
          institutions.map((i) => i.id)
        )
      : []
    const today = this.today()
    return institutions.map((institution) => {
      const own = devices.filter((d) => d.institutionId === institution.id)
      return {
        institution,
        devices: own.filter((d) => d.status !== 'retired').length,
        qcDue: own.filter((d) => ['overdue', 'never'].includes(qcState(d, today))).length,
        check: equipmentCheck(standardFor(institution.kind)!, own),
      }
    })
  }

  async ofInstitution(institution: Institution) {
    const devices = await Equipment.query()
      .where('institution_id', institution.id)
      .orderByRaw("CASE status WHEN 'retired' THEN 1 ELSE 0 END")
      .orderBy('kind')
      .orderBy('asset_no')
    const today = this.today()
    return {
      devices: devices.map((device) => ({ device, qc: qcState(device, today) })),
      check: equipmentCheck(standardFor(institution.kind)!, devices),
    }
  }
}
