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
import Institution from '#models/institution'
import User from '#models/user'
import ExamItem, { type Modality } from '#models/exam_item'
import type { Priority } from '#models/exam'
import { ManualClock } from '#app/platform/clock'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { importAllCatalogues } from '#app/catalogue/catalogue_import'
import { PatientRegistry } from '#app/intake/services/patient_registry'
import { ExamRegistration } from '#app/intake/services/exam_registration'
import { ImageIntake } from '#app/intake/services/image_intake'
import { DicomSenderDirectory } from '#app/administration/services/dicom_sender_directory'
import { syntheticStudy } from './synthetic_dicom.js'
import { seedStaffingDemo } from './staffing_demo.js'
import { seedCriticalValuesDemo } from './critical_values_demo.js'
import { seedStorageDemo } from './storage_demo.js'
import imaging from '#config/imaging'

const run = promisify(execFile)

export const DEMO_LOGINS = JSON.parse(readFileSync(new URL('./logins.json', import.meta.url), 'utf8')) as {
  password: string
  users: Array<{ username: string; fullName: string; institution: string; role: string; title: string | null; description: string }>
}

const INSTITUTIONS = [
  { code: 'LEAD', name: '清河县人民医院', kind: 'lead_hospital', level: '二级甲等' },
  { code: 'M01', name: '城关镇卫生院', kind: 'member_clinic', level: '一级甲等' },
  { code: 'M02', name: '青山镇卫生院', kind: 'member_clinic', level: '一级甲等' },
  { code: 'M03', name: '河口镇卫生院', kind: 'member_clinic', level: '一级' },
  { code: 'M04', name: '石桥镇卫生院', kind: 'member_clinic', level: '一级' },
  { code: 'M05', name: '东城社区卫生服务中心', kind: 'member_clinic', level: '一级' },
  { code: 'UPPER', name: '江州市中心医院', kind: 'upper_hospital', level: '三级甲等' },
  { code: 'CPC', name: '清河县胸痛中心', kind: 'specialty_centre', level: null, specialty: 'chest_pain' },
  { code: 'STROKE', name: '清河县卒中中心', kind: 'specialty_centre', level: null, specialty: 'stroke' },
  { code: 'TRAUMA', name: '清河县创伤中心', kind: 'specialty_centre', level: null, specialty: 'trauma' },
] as const

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢'
const GIVEN = ['秀英', '桂英', '建国', '志强', '丽', '敏', '静', '伟', '芳', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀兰', '霞', '平', '刚', '桂兰', '文', '海燕', '玉兰', '春梅', '德华', '国庆', '红梅']

const HISTORIES: Record<Modality, Array<[string, string, string]>> = {
  DR: [
    ['咳嗽、咳痰 1 周，发热 2 天，最高 38.6℃。既往体健，无手术史。', '排除肺炎', '社区获得性肺炎？'],
    ['跌倒后右腕部肿痛 3 小时，活动受限。', '排除桡骨远端骨折', '右腕外伤'],
    ['反复腰痛 2 年，加重 1 月，无外伤史。', '评估腰椎退行性变', '腰椎间盘突出症？'],
    ['体检。高血压病史 5 年，规律服药。', '常规胸部检查', '高血压病'],
    ['左膝关节疼痛 3 月，上下楼加重。', '评估膝关节骨性关节炎', '膝骨关节炎？'],
  ],
  CT: [
    ['突发头痛伴呕吐 2 小时，既往高血压 10 年，未规律服药。', '排除脑出血', '脑出血？'],
    ['右上腹痛 1 天，伴恶心，墨菲征阳性。', '排除胆囊炎、胆石症', '急性胆囊炎？'],
    ['咳嗽 1 月，痰中带血 1 周，吸烟 30 年。', '排除肺部占位', '肺部占位？'],
    ['车祸伤后胸痛 1 小时，呼吸时加重。', '排除肋骨骨折、气胸', '胸部外伤'],
    ['左侧肢体无力 3 小时，言语含糊。', '排除脑梗死、脑出血', '急性脑卒中？'],
  ],
  MR: [
    ['反复头晕 2 月，伴右侧耳鸣。', '排除颅内占位及缺血灶', '后循环缺血？'],
    ['腰痛伴左下肢放射痛 3 月，保守治疗无效。', '评估椎间盘突出及神经根受压', '腰椎间盘突出症'],
    ['右膝扭伤后肿痛 2 周，交锁感。', '评估半月板及韧带损伤', '右膝半月板损伤？'],
    ['颈肩痛伴双手麻木 6 月。', '评估颈椎管狭窄及脊髓受压', '脊髓型颈椎病？'],
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
  const order = String(serial % 100).padStart(2, '0') + String(sex === 'M' ? 1 + 2 * (serial % 4) : 2 * (serial % 4)).slice(-1)
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

  async isSeeded() {
    return (await Institution.query().count('* as total').firstOrFail()).$extras.total > 0
  }

  async seed(): Promise<DemoReport> {
    const orthanc = await app.container.make(OrthancClient)
    const random = randomSource(20261122)
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]

    this.log('importing the exam-item catalogues (R 141 items, H 52 items)…')
    await importAllCatalogues()

    const institutions = new Map<string, Institution>()
    for (const spec of INSTITUTIONS) {
      institutions.set(spec.code, await Institution.create({ ...spec, specialty: 'specialty' in spec ? spec.specialty : null, active: true } as any))
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
        })
      )
    }

    this.log('declaring each clinic DR as a DICOM sender…')
    const senders = await app.container.make(DicomSenderDirectory)
    const clinics = INSTITUTIONS.filter((i) => i.kind === 'member_clinic').map((i) => institutions.get(i.code)!)
    for (const clinic of clinics) {
      await senders.create({ institutionId: clinic.id, aeTitle: `${clinic.code}_DR`, host: '127.0.0.1', port: 104, description: `${clinic.name} DR`, active: true })
    }

    const items = await ExamItem.query().where('catalogue', 'chuanyu').where('active', true)
    const itemsBy = (modality: Modality) => items.filter((i) => i.modality === modality)

    const clock = new ManualClock(DateTime.utc())
    const registry = new PatientRegistry()
    const registration = new ExamRegistration(clock)
    const intake = new ImageIntake(orthanc, clock)
    const now = DateTime.utc().startOf('minute')

    // Patients: 12 per clinic; two people are registered at two clinics (one patient, two numbers).
    this.log('registering patients and exams (about a hundred, some with images)…')
    const patientsByClinic = new Map<number, Array<{ id: number; patientId: number; no: string; name: string; sex: string; birth: DateTime }>>()
    let serial = 1
    const shared: Array<{ name: string; sex: 'M' | 'F'; birth: DateTime<boolean>; nationalId: string }> = []
    for (const clinic of clinics) {
      const list = []
      for (let n = 1; n <= 12; n++) {
        const sex = random() < 0.5 ? 'M' : 'F'
        const birth = DateTime.utc(1940 + Math.floor(random() * 70), 1 + Math.floor(random() * 12), 1 + Math.floor(random() * 28))
        let person: (typeof shared)[number] = { name: pick(SURNAMES.split('')) + pick(GIVEN), sex: sex as 'M' | 'F', birth, nationalId: demoNationalId('511325', birth, sex, serial++) }
        if (n === 12 && shared.length > 0 && clinic.code === 'M02') person = shared[0]
        const result = await registry.register(clinic, {
          name: person.name,
          sex: person.sex,
          birthDate: person.birth,
          clinicPatientNo: `${clinic.code}-${String(1000 + n)}`,
          nationalId: random() < 0.85 || n === 11 ? person.nationalId : null,
        })
        if (clinic.code === 'M01' && n === 11) shared.push(person)
        list.push({ id: result.clinicPatient.id, patientId: result.patient.id, no: result.clinicPatient.clinicPatientNo, name: person.name, sex: person.sex, birth: person.birth })
      }
      patientsByClinic.set(clinic.id, list)
    }

    const staffOf = (clinic: Institution) => [...users.values()].find((u) => u.institutionId === clinic.id && u.role === 'clinic_staff')!
    let exams = 0
    let withImages = 0
    const modalities: Modality[] = ['DR', 'DR', 'DR', 'DR', 'DR', 'CT', 'CT', 'CT', 'MR', 'MR']
    const priorities: Priority[] = ['routine', 'routine', 'routine', 'routine', 'emergency', 'emergency', 'special']
    for (let i = 0; i < 100; i++) {
      const clinic = clinics[i % clinics.length]
      const patient = pick(patientsByClinic.get(clinic.id)!)
      const modality = modalities[i % modalities.length]
      const [history, purpose, diagnosis] = pick(HISTORIES[modality])
      const registeredAt = now.minus({ minutes: Math.floor(random() * 14 * 24 * 60) + 30 })
      clock.set(registeredAt)
      const [exam] = await registration.register(staffOf(clinic), {
        clinicPatientId: patient.id,
        itemIds: [pick(itemsBy(modality)).id],
        priority: pick(priorities),
        clinicalHistory: history,
        purpose,
        clinicalDiagnosis: diagnosis,
        department: modality === 'DR' ? '全科' : '内科',
        requestingDoctor: pick(DOCTORS),
      })
      exams++
      // One in six still waits for its images; the rest were uploaded within the hour (R 7.1.1).
      if (i % 6 === 0) continue
      clock.set(registeredAt.plus({ minutes: 5 + Math.floor(random() * 40) }))
      const perSeries = modality === 'DR' ? 1 : modality === 'CT' ? 16 : 12
      const series = modality === 'DR' ? (random() < 0.5 ? 2 : 1) : modality === 'MR' ? 2 : 1
      const study = syntheticStudy(
        {
          modality,
          patientName: patient.name,
          patientId: patient.no,
          patientSex: patient.sex,
          patientBirthDate: patient.birth.toFormat('yyyyMMdd'),
          accessionNumber: exam.accessionNumber,
          studyDate: registeredAt.setZone(imaging.displayTimezone).toFormat('yyyyMMdd'),
          studyDescription: modality,
        },
        series,
        perSeries
      )
      const identity = await intake.examIdentity(exam)
      for (const file of study.files) await intake.receive(exam, Readable.from([file.data]), identity, file.data.length)
      withImages++
    }

    // One exam registered just now, whose DR images arrive by C-STORE without an accession number.
    clock.set(now)
    const waiting = patientsByClinic.get(clinics[0].id)![0]
    await registration.register(staffOf(clinics[0]), {
      clinicPatientId: waiting.id,
      itemIds: [itemsBy('DR')[0].id],
      priority: 'emergency',
      clinicalHistory: HISTORIES.DR[0][0],
      purpose: HISTORIES.DR[0][1],
      requestingDoctor: DOCTORS[0],
    })
    exams++
    const sentByDicom = await this.sendByDicom(clinics, patientsByClinic)
    await seedStaffingDemo(this.log)
    await seedCriticalValuesDemo(this.log)
    await seedStorageDemo(this.log)
    this.log(`${exams} exams registered, ${withImages} with images uploaded, ${sentByDicom} studies sent by C-STORE (picked up by the app's feed once it runs)`)
    await new (await import('./reading_demo.js')).ReadingDemo(this.log).seed()
    return {
      institutions: institutions.size,
      users: users.size,
      patients: [...patientsByClinic.values()].reduce((n, l) => n + l.length, 0),
      exams,
      withImages,
      sentByDicom,
    }
  }

  /**
   * Sends three studies the way a clinic DR does, by DICOM C-STORE with storescu:
   * one for a registered exam waiting for images (matched by patient number and
   * date), and two nobody registered (listed as unmatched for the clinic).
   */
  protected async sendByDicom(clinics: Institution[], patients: Map<number, Array<{ no: string; name: string; sex: string; birth: DateTime }>>) {
    const clinic = clinics[0]
    const patient = patients.get(clinic.id)![0]
    const dir = await mkdtemp(join(tmpdir(), 'demo-cstore-'))
    try {
      const today = DateTime.utc().setZone(imaging.displayTimezone).toFormat('yyyyMMdd')
      const studies = [
        syntheticStudy({ modality: 'DR', patientName: patient.name, patientId: patient.no, patientSex: patient.sex, studyDate: today }, 1, 2),
        syntheticStudy({ modality: 'DR', patientName: '未登记^患者', patientId: 'UNREG-001', studyDate: today }, 1, 1),
        syntheticStudy({ modality: 'DR', patientName: patient.name, patientId: 'WALKIN-77', studyDate: today }, 1, 2),
      ]
      let n = 0
      for (const study of studies) {
        for (const file of study.files) {
          const path = join(dir, `${n++}.dcm`)
          await mkdir(dirname(path), { recursive: true })
          await writeFile(path, file.data)
        }
      }
      await run('storescu', ['-aet', `${clinic.code}_DR`, '-aec', imaging.orthanc.aet, '127.0.0.1', String(imaging.orthanc.dicomPort), ...Array.from({ length: n }, (_, i) => join(dir, `${i}.dcm`))])
      return studies.length
    } catch (error) {
      this.log(`C-STORE demo skipped: ${(error as Error).message}`)
      return 0
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
}
