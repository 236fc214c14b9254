/*
| Exams as the workload counter sees them, made directly with the models (fast:
| a year of exams in a second) with the status and times a test needs.
*/
import { DateTime } from 'luxon'
import Exam, { type ExamStatus } from '#models/exam'
import ExamItem from '#models/exam_item'
import type Institution from '#models/institution'
import StaffMember, { type Profession } from '#models/staff_member'
import Equipment, { type EquipmentKind } from '#models/equipment'
import type { Title } from '#app/access/roles'
import * as make from '#tests/support/fixtures'

let accession = 0

/** Catalogue items by Table 1 category (from the imported 川渝 catalogue). */
export async function itemsByCategory() {
  const items = await ExamItem.query()
    .where('catalogue', 'chuanyu')
    .where('active', true)
    .orderBy('seq')
  const pick = (modality: string, contrast: boolean) =>
    items.filter((i) => i.modality === modality && i.isContrast === contrast)
  return {
    dr: pick('DR', false),
    ct_plain: pick('CT', false),
    ct_contrast: pick('CT', true),
    mri_plain: pick('MR', false),
    mri_contrast: pick('MR', true),
  }
}

/** One exam of the institution with these items, in the given status, registered and (unless null) imaged at these times. */
export async function examWith(
  institution: Institution,
  items: ExamItem[],
  options: { status: ExamStatus; registeredAt: DateTime; imagesReceivedAt?: DateTime | null }
) {
  const { patient } = await make.patientAt(institution)
  const exam = await Exam.create({
    accessionNumber: `S${Date.now().toString(36).slice(-8)}${(accession++).toString(36)}`.slice(
      0,
      16
    ),
    patientId: patient.id,
    institutionId: institution.id,
    modality: items[0].modality,
    priority: 'routine',
    status: options.status,
    clinicalHistory: '咳嗽一周',
    purpose: '排除肺炎',
    requestingDoctor: '刘医生',
    registeredAt: options.registeredAt,
    imagesReceivedAt:
      options.imagesReceivedAt === undefined
        ? options.status === 'registered'
          ? null
          : options.registeredAt.plus({ minutes: 20 })
        : options.imagesReceivedAt,
    instanceCount: options.status === 'registered' ? 0 : 1,
  })
  await exam.related('items').attach(items.map((i) => i.id))
  return exam
}

export function staff(
  institution: Institution,
  profession: Profession,
  title: Title,
  extra: { fte?: number; staffNo?: string; fullName?: string } = {}
) {
  return StaffMember.create({
    institutionId: institution.id,
    staffNo: extra.staffNo ?? make.unique('S'),
    fullName: extra.fullName ?? '测试人员',
    profession,
    title,
    fte: extra.fte ?? 1,
    userId: null,
    active: true,
  })
}

export function device(
  institution: Institution,
  kind: EquipmentKind,
  extra: { contrastCapable?: boolean; status?: 'in_service' | 'under_repair' | 'retired' } = {}
) {
  return Equipment.create({
    institutionId: institution.id,
    kind,
    assetNo: make.unique('A'),
    model: null,
    manufacturer: null,
    contrastCapable: extra.contrastCapable ?? false,
    status: extra.status ?? 'in_service',
    installedOn: null,
    lastQcOn: null,
    notes: null,
  })
}

/**
 * The lead hospital with an empty roster and register. Call inside a test's global
 * transaction: rows a browser test committed earlier are removed only for this test.
 */
export async function leadHospitalStartingEmpty() {
  const lead = await make.institution('lead_hospital')
  await StaffMember.query().where('institution_id', lead.id).delete()
  await Equipment.query().where('institution_id', lead.id).delete()
  return lead
}
