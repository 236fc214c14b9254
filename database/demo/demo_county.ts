/*
| The demo county: a lead hospital, five township clinics, an upper-level
| hospital, the chest-pain, stroke and trauma centres, users for every role,
| and about a hundred exams with generated images in Orthanc, made through the
| same services the app uses (registration, upload, DICOM C-STORE + feed).
| Each later capability adds its own demo data in `demoSteps` below.
*/
import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import Institution from '#models/institution'
import User from '#models/user'
import ExamItem from '#models/exam_item'
import type Exam from '#models/exam'
import { ManualClock } from '#app/platform/clock'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { importAllCatalogues } from '#app/catalogue/catalogue_import'
import { PatientRegistry } from '#app/intake/services/patient_registry'
import { ExamRegistration } from '#app/intake/services/exam_registration'
import { ImageIntake } from '#app/intake/services/image_intake'
import { DicomSenderDirectory } from '#app/administration/services/dicom_sender_directory'
import { encryptSecret } from '#app/access/services/second_factor'
import { syntheticStudy } from './synthetic_dicom.js'
import { planCounty, type DemoSize, type PlannedExam } from './timeline.js'
import { seedStaffingDemo } from './staffing_demo.js'
import { seedRecognitionDemo } from './recognition_demo.js'
import { seedCriticalValuesDemo } from './critical_values_demo.js'
import { seedStorageDemo } from './storage_demo.js'
import { seedApprovalsDemo } from './approvals_demo.js'
import { seedQualityDemo } from './quality_demo.js'
import { seedConsultationDemo } from './consultation_demo.js'
import { seedInteroperabilityDemo } from './interoperability_demo.js'
import { seedAssessmentsDemo } from './assessments_demo.js'
import imaging from '#config/imaging'

const run = promisify(execFile)

export const DEMO_LOGINS = JSON.parse(
  readFileSync(new URL('./logins.json', import.meta.url), 'utf8')
) as {
  password: string
  users: Array<{
    username: string
    fullName: string
    institution: string
    institutionName: string
    role: string
    title: string | null
    description: string
    totpSecret?: string
  }>
}

const INSTITUTIONS = [
  { code: 'LEAD', name: '清河县人民医院', kind: 'lead_hospital', level: '二级甲等' },
  { code: 'M01', name: '城关镇卫生院', kind: 'member_clinic', level: '一级甲等' },
  { code: 'M02', name: '青山镇卫生院', kind: 'member_clinic', level: '一级甲等' },
  { code: 'M03', name: '河口镇卫生院', kind: 'member_clinic', level: '一级' },
  { code: 'M04', name: '石桥镇卫生院', kind: 'member_clinic', level: '一级' },
  { code: 'M05', name: '东城社区卫生服务中心', kind: 'member_clinic', level: '一级' },
  { code: 'UPPER', name: '江州市中心医院', kind: 'upper_hospital', level: '三级甲等' },
  {
    code: 'CPC',
    name: '清河县胸痛中心',
    kind: 'specialty_centre',
    level: null,
    specialty: 'chest_pain',
  },
  {
    code: 'STROKE',
    name: '清河县卒中中心',
    kind: 'specialty_centre',
    level: null,
    specialty: 'stroke',
  },
  {
    code: 'TRAUMA',
    name: '清河县创伤中心',
    kind: 'specialty_centre',
    level: null,
    specialty: 'trauma',
  },
] as const

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢'
const GIVEN: Record<'M' | 'F', string[]> = {
  M: [
    '建国',
    '志强',
    '伟',
    '军',
    '勇',
    '杰',
    '涛',
    '明',
    '超',
    '刚',
    '国庆',
    '德华',
    '洋',
    '平',
    '文',
    '建华',
    '海波',
  ],
  F: [
    '秀英',
    '桂英',
    '丽',
    '敏',
    '静',
    '芳',
    '艳',
    '娟',
    '秀兰',
    '霞',
    '桂兰',
    '海燕',
    '玉兰',
    '春梅',
    '红梅',
    '丽华',
  ],
}

const DOCTORS = ['刘建军', '陈丽', '杨志强', '黄敏', '赵红梅', '吴德华']

/** A deterministic pseudo-random sequence, so every newcomer gets the same county. */
function randomSource(seed: number) {
  let state = seed
  return () => {
    state = (state * 1664525 + 1013904223) % 4294967296
    return state / 4294967296
  }
}

/** A valid 18-digit national ID (GB 11643) for the given birth date and sex. */
export function demoNationalId(area: string, birth: DateTime, sex: 'M' | 'F', serial: number) {
  const order =
    String(serial % 100).padStart(2, '0') +
    String(sex === 'M' ? 1 + 2 * (serial % 4) : 2 * (serial % 4)).slice(-1)
  const body = `${area}${birth.toFormat('yyyyMMdd')}${order}`
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = weights.reduce((total, weight, i) => total + weight * Number(body[i]), 0)
  return body + '10X98765432'[sum % 11]
}

export interface DemoReport {
  institutions: number
  users: number
  patients: number
  exams: number
  withImages: number
  sentByDicom: number
}

export class DemoCounty {
  constructor(protected log: (message: string) => void = () => {}) {}

  /** When the demo county was seeded: its newest exam's registration (null when there is none). */
  async seededOn() {
    const newest = await db.from('exams').max('registered_at as at').first()
    if (!newest?.at) return null
    const at =
      newest.at instanceof Date
        ? DateTime.fromJSDate(newest.at, { zone: 'utc' })
        : DateTime.fromSQL(String(newest.at), { zone: 'utc' })
    return at.isValid ? at : null
  }

  async isSeeded() {
    return (await Institution.query().count('* as total').firstOrFail()).$extras.total > 0
  }

  async seed(options: { size?: DemoSize } = {}): Promise<DemoReport> {
    const size = options.size ?? (process.env.DEMO_SIZE === 'small' ? 'small' : 'full')
    const orthanc = await app.container.make(OrthancClient)
    const random = randomSource(20261122)
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]
    const zone = imaging.displayTimezone

    this.log('importing the exam-item catalogues (R 141 items, H 52 items)…')
    await importAllCatalogues()

    const institutions = new Map<string, Institution>()
    for (const spec of INSTITUTIONS) {
      institutions.set(
        spec.code,
        await Institution.create({
          ...spec,
          specialty: 'specialty' in spec ? spec.specialty : null,
          active: true,
        } as any)
      )
    }

    const users = new Map<string, User>()
    for (const spec of DEMO_LOGINS.users) {
      users.set(
        spec.username,
        await User.create({
          username: spec.username,
          fullName: spec.fullName,
          password: DEMO_LOGINS.password,
          institutionId: institutions.get(spec.institution)!.id,
          role: spec.role as any,
          title: spec.title as any,
          status: 'active',
          failedLoginCount: 0,
          // MLPS 8.1.4.1 d: administrators have a second factor; the demo's secrets are known (logins.json).
          ...(spec.totpSecret
            ? { totpSecret: encryptSecret(spec.totpSecret), totpEnabledAt: DateTime.utc() }
            : {}),
        })
      )
    }

    this.log('declaring each clinic DR as a DICOM sender…')
    const senders = await app.container.make(DicomSenderDirectory)
    const clinics = INSTITUTIONS.filter((i) => i.kind === 'member_clinic').map((i) =>
      institutions.get(i.code)!
    )
    for (const clinic of clinics) {
      await senders.create({
        institutionId: clinic.id,
        aeTitle: `${clinic.code}_DR`,
        host: '127.0.0.1',
        port: 104,
        description: `${clinic.name} DR`,
        active: true,
      })
    }

    const items = new Map(
      (await ExamItem.query().where('catalogue', 'chuanyu').where('active', true)).map((i) => [
        i.name,
        i,
      ])
    )
    const now = DateTime.utc().startOf('minute')
    const clock = new ManualClock(now)
    const registry = new PatientRegistry()
    const registration = new ExamRegistration(clock)
    const intake = new ImageIntake(orthanc, clock)

    // Each exam is one clinical case (cases.ts) for a patient of the sex and age it needs, at a time of the timeline.
    const plan = planCounty(now, zone, size, random)
    this.log(`registering ${plan.length} exams of believable cases, most with images…`)
    type DemoPatient = {
      id: number
      patientId: number
      no: string
      name: string
      sex: 'M' | 'F'
      birth: DateTime<boolean>
    }
    const patientsByClinic = new Map<number, DemoPatient[]>()
    const byKey = new Map<string, DemoPatient>()
    let serial = 1
    let shared: {
      name: string
      sex: 'M' | 'F'
      birth: DateTime<boolean>
      nationalId: string
    } | null = null
    const newPatient = async (clinic: Institution, planned: PlannedExam) => {
      const list = patientsByClinic.get(clinic.id) ?? []
      patientsByClinic.set(clinic.id, list)
      const sex: 'M' | 'F' = planned.case.sex ?? (random() < 0.5 ? 'M' : 'F')
      const [minAge, maxAge] = planned.case.ages
      const age = minAge + Math.floor(random() * (maxAge - minAge + 1))
      const birth = planned.registeredAt
        .setZone(zone)
        .minus({ years: age, days: Math.floor(random() * 300) + 10 })
        .startOf('day')
        .setZone('utc', { keepLocalTime: true })
      let person: { name: string; sex: 'M' | 'F'; birth: DateTime<boolean>; nationalId: string } = {
        name: pick(SURNAMES.split('')) + pick(GIVEN[sex]),
        sex,
        birth,
        nationalId: demoNationalId('511325', birth, sex, serial++),
      }
      // One person registered at two clinics: the second clinic's patient is the first one's (matched by national ID).
      const sharedAge = shared
        ? Math.floor(planned.registeredAt.diff(shared.birth, 'years').years)
        : -1
      if (
        clinic.code === 'M02' &&
        shared &&
        !list.some((p) => p.name === shared!.name) &&
        shared.sex === sex &&
        sharedAge >= minAge &&
        sharedAge <= maxAge
      )
        person = shared
      const result = await registry.register(clinic, {
        name: person.name,
        sex: person.sex,
        birthDate: person.birth,
        clinicPatientNo: `${clinic.code}-${String(1001 + list.length)}`,
        nationalId:
          random() < 0.85 || (clinic.code === 'M01' && !shared) ? person.nationalId : null,
      })
      if (clinic.code === 'M01' && !shared) shared = person
      const patient: DemoPatient = {
        id: result.clinicPatient.id,
        patientId: result.patient.id,
        no: result.clinicPatient.clinicPatientNo,
        name: person.name,
        sex: person.sex,
        birth: person.birth,
      }
      list.push(patient)
      return patient
    }

    const staffOf = (clinic: Institution) =>
      [...users.values()].find((u) => u.institutionId === clinic.id && u.role === 'clinic_staff')!
    const registered: Array<{ exam: Exam; planned: PlannedExam; patient: DemoPatient }> = []
    for (const planned of plan) {
      const clinic = clinics[planned.clinic]
      const patient =
        (planned.patientKey && byKey.get(planned.patientKey)) || (await newPatient(clinic, planned))
      if (planned.patientKey) byKey.set(planned.patientKey, patient)
      const item = items.get(planned.case.item)
      if (!item)
        throw new Error(
          `demo case ${planned.case.key}: no catalogue item named ${planned.case.item}`
        )
      clock.set(planned.registeredAt)
      const [exam] = await registration.register(staffOf(clinic), {
        clinicPatientId: patient.id,
        itemIds: [item.id],
        priority: planned.priority,
        clinicalHistory: planned.case.history,
        purpose: planned.case.purpose,
        clinicalDiagnosis: planned.case.diagnosis,
        department: planned.case.department,
        requestingDoctor: pick(DOCTORS),
      })
      registered.push({ exam, planned, patient })
    }

    let withImages = 0
    const sizes = size === 'full' ? { DR: 1, CT: 16, MR: 12 } : { DR: 1, CT: 3, MR: 2 }
    for (const { exam, planned, patient } of registered) {
      if (planned.arrivesAfter === null) continue
      // R 7.1.1: uploaded within the hour of the exam.
      clock.set(planned.registeredAt.plus({ minutes: planned.arrivesAfter }))
      const modality = planned.case.modality
      const series =
        modality === 'DR'
          ? planned.case.item.includes('+') || planned.case.item.includes('钼靶')
            ? 2
            : 1
          : modality === 'MR'
            ? 2
            : 1
      const study = syntheticStudy(
        {
          modality,
          patientName: patient.name,
          patientId: patient.no,
          patientSex: patient.sex,
          patientBirthDate: patient.birth.toFormat('yyyyMMdd'),
          accessionNumber: exam.accessionNumber,
          // The modality writes the hospital's date of the exam itself.
          studyDate: planned.registeredAt.setZone(zone).toFormat('yyyyMMdd'),
          studyDescription: planned.case.item,
        },
        series,
        sizes[modality as 'DR' | 'CT' | 'MR']
      )
      const identity = await intake.examIdentity(exam)
      for (const file of study.files)
        await intake.receive(exam, Readable.from([file.data]), identity, file.data.length)
      withImages++
    }

    const waiting = registered.find((r) => r.planned.viaDicom)
    const sentByDicom = waiting
      ? await this.sendByDicom(clinics[waiting.planned.clinic], waiting.patient)
      : 0
    await seedStaffingDemo(this.log)
    const { ReadingDemo } = await import('./reading_demo.js')
    const reading = await new ReadingDemo(this.log).seed(
      registered.map((r) => ({ exam: r.exam, planned: r.planned })),
      now
    )
    await seedCriticalValuesDemo(reading, now, this.log)
    await seedStorageDemo(this.log)
    await seedApprovalsDemo(users.get('admin')!, this.log)
    await seedQualityDemo(now, this.log)
    await seedRecognitionDemo(this.log, now)
    await seedConsultationDemo(now, this.log)
    await seedInteroperabilityDemo(now, this.log)
    await seedAssessmentsDemo(this.log)
    this.log(
      `${registered.length} exams registered, ${withImages} with images uploaded, ${sentByDicom} studies sent by C-STORE (picked up by the app's feed once it runs)`
    )
    return {
      institutions: institutions.size,
      users: users.size,
      patients: [...patientsByClinic.values()].reduce((n, l) => n + l.length, 0),
      exams: registered.length,
      withImages,
      sentByDicom,
    }
  }

  /**
   * Sends three studies the way a clinic DR does, by DICOM C-STORE with storescu:
   * one for a registered exam waiting for images (matched by patient number and
   * date), and two nobody registered (listed as unmatched for the clinic).
   */
  protected async sendByDicom(
    clinic: Institution,
    patient: { no: string; name: string; sex: string }
  ) {
    const dir = await mkdtemp(join(tmpdir(), 'demo-cstore-'))
    try {
      const today = DateTime.utc().setZone(imaging.displayTimezone).toFormat('yyyyMMdd')
      const studies = [
        syntheticStudy(
          {
            modality: 'DR',
            patientName: patient.name,
            patientId: patient.no,
            patientSex: patient.sex,
            studyDate: today,
          },
          1,
          2
        ),
        syntheticStudy(
          { modality: 'DR', patientName: '未登记^患者', patientId: 'UNREG-001', studyDate: today },
          1,
          1
        ),
        syntheticStudy(
          { modality: 'DR', patientName: patient.name, patientId: 'WALKIN-77', studyDate: today },
          1,
          2
        ),
      ]
      let n = 0
      for (const study of studies) {
        for (const file of study.files) {
          const path = join(dir, `${n++}.dcm`)
          await mkdir(dirname(path), { recursive: true })
          await writeFile(path, file.data)
        }
      }
      await run('storescu', [
        '-aet',
        `${clinic.code}_DR`,
        '-aec',
        imaging.orthanc.aet,
        '127.0.0.1',
        String(imaging.orthanc.dicomPort),
        ...Array.from({ length: n }, (_, i) => join(dir, `${i}.dcm`)),
      ])
      return studies.length
    } catch (error) {
      this.log(`C-STORE demo skipped: ${(error as Error).message}`)
      return 0
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
}
