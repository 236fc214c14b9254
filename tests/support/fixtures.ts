/*
| Building blocks for tests: institutions, users, patients and exams made
| through the same services the app uses, against the real database.
*/
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import Institution, { type InstitutionKind } from '#models/institution'
import User from '#models/user'
import ExamItem from '#models/exam_item'
import type Exam from '#models/exam'
import type { Priority } from '#models/exam'
import type { Role, Title } from '#app/access/roles'
import { PatientRegistry, checkNationalId } from '#app/intake/services/patient_registry'
import { ExamRegistration } from '#app/intake/services/exam_registration'
import { importAllCatalogues } from '#app/catalogue/catalogue_import'
import { demoNationalId } from '#database/demo/demo_county'

export const PASSWORD = 'Secret123'
let counter = 0
export const unique = (prefix: string) =>
  `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`

export async function institution(
  kind: InstitutionKind = 'member_clinic',
  extra: Partial<Institution> = {}
) {
  if (kind === 'lead_hospital') {
    const existing = await Institution.findBy('kind', 'lead_hospital')
    if (existing) return existing
  }
  return Institution.create({
    code: unique('I'),
    name: unique(kind === 'member_clinic' ? '测试卫生院' : '测试机构'),
    kind,
    level: kind === 'lead_hospital' ? '二级甲等' : '一级',
    specialty: kind === 'specialty_centre' ? 'stroke' : null,
    active: true,
    ...extra,
  } as any)
}

export async function user(
  role: Role,
  at?: Institution,
  extra: {
    title?: Title | null
    status?: 'active' | 'locked' | 'disabled'
    expiresOn?: DateTime | null
  } = {}
) {
  const home =
    at ?? (await institution(role === 'clinic_staff' ? 'member_clinic' : 'lead_hospital'))
  const created = await User.create({
    username: unique('u'),
    fullName: '测试用户',
    password: PASSWORD,
    institutionId: home.id,
    role,
    title: extra.title ?? (role === 'radiologist' ? 'intermediate' : null),
    status: extra.status ?? 'active',
    expiresOn: extra.expiresOn ?? null,
    failedLoginCount: 0,
  })
  await created.load('institution')
  return created
}

/** The catalogues are imported once per run (they are reference data). */
export async function catalogue() {
  if ((await ExamItem.query().count('* as total').firstOrFail()).$extras.total === 0)
    await importAllCatalogues()
  return ExamItem.query().where('active', true)
}

export async function item(modality: 'DR' | 'CT' | 'MR') {
  const items = await catalogue()
  return items.find((i) => i.modality === modality)!
}

let idSerial = 100
export function nationalId(birth = DateTime.utc(1980, 5, 17), sex: 'M' | 'F' = 'M') {
  const id = demoNationalId('110101', birth, sex, idSerial++)
  if (!checkNationalId(id).valid) throw new Error('fixture national ID invalid')
  return id
}

export async function patientAt(
  clinic: Institution,
  extra: {
    nationalId?: string | null
    name?: string
    birth?: DateTime
    sex?: 'M' | 'F'
    no?: string
  } = {}
) {
  const registry = new PatientRegistry()
  return registry.register(clinic, {
    name: extra.name ?? '张三',
    sex: extra.sex ?? 'M',
    birthDate: extra.birth ?? DateTime.utc(1980, 5, 17),
    clinicPatientNo: extra.no ?? unique('P'),
    nationalId: extra.nationalId ?? null,
  })
}

/** A registered exam for a new patient of the clinic user's clinic. */
export async function exam(
  clinicUser: User,
  modality: 'DR' | 'CT' | 'MR' = 'CT',
  priority: Priority = 'routine'
) {
  await clinicUser.load('institution')
  const registered = await patientAt(clinicUser.institution)
  const registration = await app.container.make(ExamRegistration)
  const [created] = await registration.register(clinicUser, {
    clinicPatientId: registered.clinicPatient.id,
    itemIds: [(await item(modality)).id],
    priority,
    clinicalHistory: '咳嗽一周，发热两天',
    purpose: '排除肺炎',
    requestingDoctor: '刘医生',
  })
  return {
    exam: created as Exam,
    clinicPatient: registered.clinicPatient,
    patient: registered.patient,
  }
}
