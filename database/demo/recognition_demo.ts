/*
| The demo county's mutual recognition (R 5–6, R 7.1, H), made through the
| same services the app uses: M01 and M02 passed a QC-centre evaluation (so
| their evaluated items carry 川渝HR), M03's evaluation has expired, M04's chest
| DR failed; the upper-level hospital qualifies by its grade. Patients had a
| chest DR within the month at another member, so registering one again shows
| the reminder (clinic2 for 王建国, clinic1 for 李秀英, and for 钱国华 whose chest DR
| came from the upper hospital's consultation); a knee DR at M03 is
| not evaluated and reminds nobody. A month of decisions (accepted and
| re-examined with reasons) is taken through the registration itself, a
| refusal by the upper hospital is recorded, an outside result (the upper
| hospital's, by FHIR) is accepted for 何淑芬 at M02, the data-quality rows are rolled
| up for the last five weeks and last month's report for the bureau is kept.
*/
import { outsideRandomQc } from './quality_demo.js'
import { Readable } from 'node:stream'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import Institution from '#models/institution'
import User from '#models/user'
import ExamItem from '#models/exam_item'
import type Exam from '#models/exam'
import imaging from '#config/imaging'
import { ManualClock } from '#app/platform/clock'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { PatientRegistry } from '#app/intake/services/patient_registry'
import { ExamRegistration } from '#app/intake/services/exam_registration'
import { ImageIntake } from '#app/intake/services/image_intake'
import { SignOff } from '#app/reading/services/sign_off'
import { ReportContext, workingVersion } from '#app/reading/services/report_context'
import { RepeatExamCheck } from '#app/recognition/services/repeat_exam_check'
import { EligibilityRegister } from '#app/recognition/services/eligibility_register'
import { RecognitionRefusals } from '#app/recognition/services/refusals'
import { DataQuality } from '#app/recognition/services/data_quality'
import { generateMonthlyReport } from '#app/recognition/services/recognition_statistics'
import { activeCatalogues } from '#app/recognition/services/eligibility'
import { recordExternalResult } from '#app/recognition/services/external_results'
import { syntheticStudy } from './synthetic_dicom.js'
import { demoNationalId } from './demo_county.js'

const FEES: Record<string, number> = { DR: 90, CT: 320, MR: 680 }
const CHEST_REPORT = {
  technique: 'DR 胸部站立后前位摄影',
  findings: '两肺纹理清晰，未见明确实变影。心影大小形态正常。双侧膈面光滑，肋膈角锐利。',
  impression: '心肺膈未见明确异常。',
}

export async function seedRecognitionDemo(log: (message: string) => void, now: DateTime) {
  const zone = imaging.displayTimezone
  const clock = new ManualClock(now)
  const orthanc = await app.container.make(OrthancClient)
  const registry = new PatientRegistry()
  const check = new RepeatExamCheck(clock)
  const registration = new ExamRegistration(clock, check)
  const intake = new ImageIntake(orthanc, clock)
  const signOff = new SignOff(clock, new ReportContext(orthanc))
  const register = new EligibilityRegister(clock)
  const code = async (c: string) => Institution.findByOrFail('code', c)
  const [lead, m01, m02, m03, m04, m05, upper] = await Promise.all(
    ['LEAD', 'M01', 'M02', 'M03', 'M04', 'M05', 'UPPER'].map(code)
  )
  const admin = await User.findByOrFail('username', 'admin')
  const [junior, mid] = await Promise.all(
    ['rad.junior', 'rad.mid'].map((u) => User.findByOrFail('username', u))
  )
  const staff = async (clinic: Institution) =>
    User.query().where('institution_id', clinic.id).where('role', 'clinic_staff').firstOrFail()
  await activeCatalogues()

  // R 6.2: two clinics passed the QC centre's evaluation; M03's has lapsed; the rest are first-level and not evaluated.
  const day = (t: DateTime) => t.setZone(zone).startOf('day')
  for (const clinic of [m01, m02])
    await register.setInstitution(admin.id, clinic.id, {
      isPublic: true,
      qcEvaluationPassedOn: day(now.minus({ months: 8 })),
      qcEvaluationValidUntil: day(now.plus({ months: 4 })),
    })
  await register.setInstitution(admin.id, m03.id, {
    isPublic: true,
    qcEvaluationPassedOn: day(now.minus({ months: 20 })),
    qcEvaluationValidUntil: day(now.minus({ months: 8 })),
  })

  // R 6.4: the items the county does, evaluated and passed at the lead hospital, M01, M02 and the upper hospital; M04's chest DR failed.
  const chest = await ExamItem.query().where('catalogue', 'chuanyu').where('seq', 1).firstOrFail()
  const used = await db
    .from('exam_exam_items')
    .join('exam_items', 'exam_items.id', 'exam_exam_items.exam_item_id')
    .where('exam_items.catalogue', 'chuanyu')
    .distinct('exam_items.id')
  const evaluated = [...new Set([chest.id, ...used.map((r) => Number(r.id))])]
  for (const institution of [lead, m01, m02, upper]) {
    for (const itemId of evaluated) {
      await register.setItemEvaluation(admin.id, {
        institutionId: institution.id,
        examItemId: itemId,
        passed: true,
        evaluatedOn: day(now.minus({ months: 7 })),
        validUntil: day(now.plus({ months: 17 })),
      })
    }
  }
  await register.setItemEvaluation(admin.id, {
    institutionId: m03.id,
    examItemId: chest.id,
    passed: true,
    evaluatedOn: day(now.minus({ months: 7 })),
    validUntil: day(now.plus({ months: 5 })),
  })
  await register.setItemEvaluation(admin.id, {
    institutionId: m04.id,
    examItemId: chest.id,
    passed: false,
    evaluatedOn: day(now.minus({ months: 2 })),
    validUntil: null,
  })

  // The fee table: every item of the catalogues in force.
  for (const item of await ExamItem.query()
    .whereIn('catalogue', ['chuanyu', 'hechi'])
    .where('active', true)) {
    await register.setFee(admin.id, item.id, FEES[item.modality] + (item.isContrast ? 150 : 0))
  }

  let serial = 9001
  const person = async (name: string, sex: 'M' | 'F', born: string, clinics: Institution[]) => {
    const birth = DateTime.fromISO(born, { zone: 'utc' })
    const nationalId = demoNationalId('511325', birth, sex, serial++)
    const numbers = []
    for (const clinic of clinics)
      numbers.push(
        (
          await registry.register(clinic, {
            name,
            sex,
            birthDate: birth,
            clinicPatientNo: `${clinic.code}-${serial}`,
            nationalId,
          })
        ).clinicPatient
      )
    return numbers
  }

  /** A chest DR (or another item) at `clinic`, registered, imaged and signed at `at`, as the pipeline does it. */
  const resultAt = async (
    clinic: Institution,
    clinicPatient: { id: number; clinicPatientNo: string },
    item: ExamItem,
    at: DateTime,
    name: string,
    sex: 'M' | 'F',
    born: string
  ): Promise<Exam> => {
    const clinicPatientId = clinicPatient.id
    clock.set(at)
    const [exam] = await registration.register(await staff(clinic), {
      clinicPatientId,
      itemIds: [item.id],
      priority: 'routine',
      clinicalHistory: '咳嗽、咳痰一周',
      purpose: '排除肺部感染',
      requestingDoctor: '刘医生',
      department: '内科',
    })
    clock.set(at.plus({ minutes: 20 }))
    const study = syntheticStudy(
      {
        modality: item.modality,
        patientName: name,
        patientId: clinicPatient.clinicPatientNo,
        patientSex: sex,
        patientBirthDate: born.replaceAll('-', ''),
        accessionNumber: exam.accessionNumber,
        studyDate: at.setZone(zone).toFormat('yyyyMMdd'),
        studyDescription: item.sourceName,
      },
      1,
      1
    )
    const identity = await intake.examIdentity(exam)
    for (const file of study.files) {
      const outcome = await intake.receive(
        exam,
        Readable.from([file.data]),
        identity,
        file.data.length
      )
      if (outcome.status === 'rejected')
        throw new Error(`recognition demo: image refused (${outcome.reason})`)
    }
    clock.set(at.plus({ minutes: 40 }))
    await signOff.claim(junior, exam)
    clock.set(at.plus({ minutes: 55 }))
    // Decided outside the random QC sample before the submission decides it (the sample is drawn at submission).
    await outsideRandomQc(exam.id, clock.now())
    await signOff.submit(junior, exam, CHEST_REPORT, (await workingVersion(exam.id))!.revision)
    clock.set(at.plus({ minutes: 70 }))
    await signOff.sign(mid, exam, null, (await workingVersion(exam.id))!.revision)
    return exam
  }

  // Patients with a chest DR within the month at another member: the reminder appears when it is ordered again.
  const [wangAtM01] = await person('王建国', 'M', '1961-04-12', [m01, m02])
  await resultAt(m01, wangAtM01, chest, now.minus({ days: 10 }), '王建国', 'M', '1961-04-12')
  const [liAtM02] = await person('李秀英', 'F', '1958-09-03', [m02, m01])
  await resultAt(m02, liAtM02, chest, now.minus({ days: 20 }), '李秀英', 'F', '1958-09-03')
  // Not recognised: a knee DR not evaluated at M03 (registered at M02 too, no reminder there).
  const knee = await ExamItem.query()
    .where('catalogue', 'chuanyu')
    .where('modality', 'DR')
    .where('body_part', 'like', '%膝%')
    .firstOrFail()
  const [zhaoAtM03] = await person('赵德明', 'M', '1970-02-21', [m03, m02])
  await resultAt(m03, zhaoAtM03, knee, now.minus({ days: 6 }), '赵德明', 'M', '1970-02-21')

  // A result received from outside: the upper hospital's chest DR (a consultation), reminded at M01 too.
  const [qianAtM01] = await person('钱国华', 'M', '1953-06-30', [m01])
  await recordExternalResult(
    {
      patientId: qianAtM01.patientId,
      institutionId: upper.id,
      examItemId: chest.id,
      performedAt: now.minus({ days: 5 }),
      reference: 'JZ-DR-20261',
      findings: '两肺纹理增多，未见实变。',
      impression: '慢性支气管炎改变。',
      source: 'consultation',
    },
    now
  )

  // An outside result already accepted (R 6.6): the upper hospital's chest DR of 何淑芬 came by a FHIR import 12 days
  // ago; M02 ordered a chest DR for her 4 days ago, was reminded and accepted it, so her record shows the outside
  // result linked to that visit and the statistics count it, while 钱国华's is still waiting for the reminder.
  const [heAtM02] = await person('何淑芬', 'F', '1964-10-09', [m02])
  const heResult = await recordExternalResult(
    {
      patientId: heAtM02.patientId,
      institutionId: upper.id,
      examItemId: chest.id,
      performedAt: now.minus({ days: 12 }),
      reference: 'JZ-DR-20188',
      findings: '两肺纹理清晰，心影不大，双侧膈面光整。',
      impression: '心肺未见明显异常。',
      source: 'fhir',
    },
    now.minus({ days: 12 })
  )
  clock.set(now.minus({ days: 4 }))
  const heReminders = await check.show(await staff(m02), heAtM02.id, [chest.id])
  const heEarlier = heReminders[0]?.earlier.find(
    (e) => e.kind === 'external' && e.id === heResult.id
  )
  if (!heEarlier) throw new Error('recognition demo: the outside result of 何淑芬 is not reminded')
  await registration.registerRequest(await staff(m02), {
    clinicPatientId: heAtM02.id,
    itemIds: [chest.id],
    priority: 'routine',
    clinicalHistory: '体检发现血压偏高，复查胸片',
    purpose: '了解心肺情况',
    requestingDoctor: '周医生',
    recognition: [{ itemId: chest.id, decision: 'accept', earlierExternalId: heResult.id }],
  })

  // A month of decisions, taken through the registration (R 6.6): most accepted, some re-examined with reasons.
  const NAMES: Array<[string, 'M' | 'F', string]> = [
    ['孙丽华', 'F', '1966-01-15'],
    ['周志刚', 'M', '1959-07-30'],
    ['吴桂兰', 'F', '1949-11-02'],
    ['郑国强', 'M', '1972-05-19'],
    ['冯淑珍', 'F', '1955-03-08'],
    ['陈永福', 'M', '1963-12-24'],
    ['褚秀梅', 'F', '1968-08-11'],
    ['卫建华', 'M', '1957-10-05'],
    ['蒋玉兰', 'F', '1951-06-27'],
    ['沈明亮', 'M', '1975-09-14'],
    ['韩春燕', 'F', '1980-02-03'],
    ['杨德胜', 'M', '1946-04-18'],
  ]
  const REEXAMINE = [
    { reasonCode: 'condition_changed' },
    { reasonCode: 'patient_request' },
    { reasonCode: 'other', reasonText: '外院片为床旁片，体位不标准' },
    { reasonCode: 'major_procedure' },
  ]
  const pairs: Array<[Institution, Institution]> = [
    [m01, m02],
    [m02, m01],
    [m02, m05],
    [m01, m04],
    [m02, m03],
    [m01, m05],
  ]
  let accepted = 0
  let reExamined = 0
  for (const [i, [name, sex, born]] of NAMES.entries()) {
    const [from, to] = pairs[i % pairs.length]
    const [atFrom, atTo] = await person(name, sex, born, [from, to])
    const performed = now.minus({ days: 34 - i * 2, hours: 3 })
    await resultAt(from, atFrom, chest, performed, name, sex, born)
    clock.set(performed.plus({ days: 1 + (i % 9), hours: 2 }))
    const user = await staff(to)
    const reminders = await check.show(user, atTo.id, [chest.id])
    if (!reminders.length) continue
    const reExamine = i % 3 === 2 ? REEXAMINE[Math.floor(i / 3) % REEXAMINE.length] : null
    await registration.registerRequest(user, {
      clinicPatientId: atTo.id,
      itemIds: [chest.id],
      priority: 'routine',
      clinicalHistory: '咳嗽两周，复诊',
      purpose: '了解肺部情况',
      requestingDoctor: '周医生',
      recognition: [
        reExamine
          ? { itemId: chest.id, decision: 're_examine', ...reExamine, patientInformed: true }
          : { itemId: chest.id, decision: 'accept', earlierExamId: reminders[0].earlier[0].id },
      ],
    })
    if (reExamine) reExamined++
    else accepted++
  }

  // The upper hospital refused one of M01's results (same codes).
  const refusals = new RecognitionRefusals(clock)
  clock.set(now.minus({ days: 3 }))
  const m01Exam = await db
    .from('exams')
    .where('institution_id', m01.id)
    .where('status', 'signed')
    .orderBy('report_signed_at', 'desc')
    .first()
  const qc = await User.findByOrFail('username', 'qc')
  if (m01Exam)
    await refusals.record(qc, {
      accessionNumber: m01Exam.accession_number,
      reasonCode: 'insufficient_quality',
      refusingInstitutionId: upper.id,
    })

  // R 7.1 rows for the last five weeks, then last month's report for the health bureau (H 四(四)).
  clock.set(now)
  const quality = new DataQuality(clock, orthanc)
  await quality.rollUp(35)
  await generateMonthlyReport(now.setZone(zone).minus({ months: 1 }).toFormat('yyyy-MM'), now)
  log(
    `recognition: ${evaluated.length} items evaluated at 4 institutions, reminders waiting for 王建国 (clinic2), 李秀英 and 钱国华 (clinic1, an upper hospital's result), an outside result accepted for 何淑芬 (clinic2), ${accepted} results accepted and ${reExamined} re-examined this month, 1 refusal`
  )
}
