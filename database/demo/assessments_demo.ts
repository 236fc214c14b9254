/*
| The demo county's member assessments (C 7.3, C 9.2.1, C 9.3): four quarters of
| history before the current one, so trends, rankings and the bulletin are real.
| Each township has its own story: 城关 is steady and good, 青山 improves, 河口 is
| middling, 石桥 (its DR under repair) has upload gaps and late reports, 东城 has
| no DR and little work. History exams are plain rows (signed, no images in
| Orthanc: they are only counted); training, rounds, weights, closed quarters,
| corrective actions, a spot check and the bulletins go through the services.
| Deterministic: a seeded generator, times relative to the seeding moment.
*/
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import { sqlTime } from '#app/platform/db_helpers'
import {
  lastClosedQuarter,
  previousQuarter,
  type Quarter,
} from '#app/assessments/services/quarters'
import { Training } from '#app/assessments/services/training'
import { StaffAssessments } from '#app/assessments/services/staff_assessments'
import { AssessmentWeights, DEFAULT_WEIGHTS } from '#app/assessments/services/assessment_weights'
import { QuarterlyAssessment } from '#app/assessments/services/quarterly_assessment'
import { CorrectiveActions } from '#app/assessments/services/corrective_actions'
import { SpotChecks } from '#app/assessments/services/spot_checks'
import { QcBulletins } from '#app/assessments/services/qc_bulletin'
import imaging from '#config/imaging'

/** mulberry32: a small seeded generator, so every newcomer gets the same four quarters. */
function seededRandom(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Per clinic: exams a quarter (DR, CT), share reported within the limit, days without uploads in a row now and then. */
const PROFILES: Record<
  string,
  { dr: number; ct: number; onTime: number[]; gapEvery: number | null }
> = {
  M01: { dr: 60, ct: 18, onTime: [0.93, 0.95, 0.96, 0.97], gapEvery: null },
  M02: { dr: 40, ct: 0, onTime: [0.7, 0.78, 0.86, 0.92], gapEvery: 30 },
  M03: { dr: 35, ct: 0, onTime: [0.85, 0.82, 0.84, 0.83], gapEvery: 20 },
  M04: { dr: 22, ct: 0, onTime: [0.75, 0.7, 0.62, 0.6], gapEvery: 6 },
  M05: { dr: 0, ct: 0, onTime: [0, 0, 0, 0], gapEvery: null },
}

const LIMITS = { DR: 24 * 60, CT: 24 * 60 }

export async function seedAssessmentsDemo(log: (line: string) => void) {
  const random = seededRandom(20261202)
  const now = DateTime.utc()
  const zone = imaging.displayTimezone
  const last = lastClosedQuarter(now)
  const quarters: Quarter[] = [3, 2, 1, 0].map((by) => previousQuarter(last, by))
  const clinics = await db
    .from('institutions')
    .where('kind', 'member_clinic')
    .orderBy('code')
    .select('id', 'code', 'name')
  const qc = await User.findByOrFail('username', 'qc')
  let exams = 0

  // History exams: spread over clinic days of each quarter.
  for (const [qi, quarter] of quarters.entries()) {
    for (const clinic of clinics) {
      const profile = PROFILES[clinic.code]
      if (!profile) continue
      const patient = await db
        .from('clinic_patients')
        .where('institution_id', clinic.id)
        .select('patient_id')
        .first()
      if (!patient) continue
      const days = Math.round(quarter.to.diff(quarter.from, 'days').days)
      const rows: Record<string, unknown>[] = []
      for (const modality of ['DR', 'CT'] as const) {
        const count = modality === 'DR' ? profile.dr : profile.ct
        for (let i = 0; i < count; i++) {
          let day = Math.floor((i / count) * days)
          // A clinic with gaps loses a stretch of days every `gapEvery` days (R 7.1.5).
          if (profile.gapEvery && day % profile.gapEvery < 2) day = Math.min(days - 1, day + 2)
          const local = quarter.from
            .setZone(zone)
            .plus({ days: day })
            .set({ hour: 9 + Math.floor(random() * 8), minute: Math.floor(random() * 60) })
          const images = local.toUTC()
          const due = images.plus({ minutes: LIMITS[modality] })
          const late = random() > profile.onTime[qi]
          const signed = late
            ? due.plus({ hours: 2 + Math.floor(random() * 30) })
            : images.plus({ minutes: 40 + Math.floor(random() * 600) })
          rows.push({
            accession_number: `H${quarter.year % 100}${quarter.q}${clinic.code}${modality[0]}${String(i).padStart(3, '0')}`,
            patient_id: patient.patient_id,
            institution_id: clinic.id,
            modality,
            priority: 'routine',
            status: 'signed',
            clinical_history: '体检复查',
            purpose: '常规检查',
            requesting_doctor: '门诊医生',
            registered_at: sqlTime(images.minus({ minutes: 25 })),
            images_received_at: sqlTime(images),
            instance_count: 1,
            due_at: sqlTime(due),
            in_reading_queue: false,
            report_signed_at: sqlTime(signed),
            created_at: sqlTime(images),
            updated_at: sqlTime(signed),
          })
        }
      }
      if (rows.length) await db.table('exams').multiInsert(rows)
      exams += rows.length
    }
  }

  // Training (C 7.3.1): each quarter the centre trains the members' technologists; 东城 missed two quarters.
  const training = await app.container.make(Training)
  const topics = [
    '胸部 DR 摆位与曝光条件',
    '头颅 CT 扫描规范与剂量控制',
    '申请单书写规范与临床病史',
    '伪影识别与废片分析',
  ]
  const trainers = ['王中', '张高', '赵质控', '张高']
  for (const [qi, quarter] of quarters.entries()) {
    for (const clinic of clinics) {
      if (clinic.code === 'M05' && qi < 2) continue
      if (clinic.code === 'M04' && qi === 3) continue
      const roster = await db
        .from('staff_members')
        .where('institution_id', clinic.id)
        .where('active', true)
        .orderBy('staff_no')
        .select('id')
      if (!roster.length) continue
      // Somebody misses each session, so coverage differs person by person.
      const attendees = roster.filter((_, i) => (i + qi) % 3 !== 2).map((r: any) => r.id)
      const heldOn = quarter.from
        .setZone(zone)
        .plus({ days: 20 + qi * 3 })
        .toISODate()!
      const id = await training.plan(qc, {
        topic: topics[qi],
        heldOn,
        trainer: trainers[qi],
        modality: qi === 1 ? 'CT' : 'DR',
        institutionId: clinic.id,
        attendeeIds: attendees,
      })
      await db
        .from('training_sessions')
        .where('id', id)
        .update({
          signed_off_at: sqlTime(quarter.from.plus({ days: 21 + qi * 3 })),
          signed_off_by_id: qc.id,
        })
    }
  }
  // A session planned for next month, attendance not signed off yet.
  const first = clinics.find((c: any) => c.code === 'M01')
  if (first) {
    const roster = await db
      .from('staff_members')
      .where('institution_id', first.id)
      .where('active', true)
      .select('id')
    await training.plan(qc, {
      topic: '乳腺摄影质量控制',
      heldOn: now.setZone(zone).plus({ days: 25 }).toISODate()!,
      trainer: '张高',
      modality: 'DR',
      institutionId: first.id,
      attendeeIds: roster.map((r: any) => r.id),
    })
  }

  // Staff assessments (C 9.3): two rounds, half a year apart; one technologist fails; one clinic was not assessed in the later round.
  const rounds = await app.container.make(StaffAssessments)
  const memberStaff = await db
    .from('staff_members as m')
    .join('institutions as i', 'i.id', 'm.institution_id')
    .where('i.kind', 'member_clinic')
    .where('m.active', true)
    .orderBy('m.id')
    .select('m.id', 'i.code')
  const early = await rounds.createRound(qc, {
    title: '上半年理论考核',
    heldOn: quarters[1].from.setZone(zone).plus({ days: 40 }).toISODate()!,
    kind: 'written',
    maxScore: 100,
    passMark: 60,
  })
  await rounds.recordScores(
    early,
    memberStaff.map((s: any, i: number) => ({
      staffMemberId: s.id,
      score: i === 1 ? 52 : 70 + ((i * 7) % 28),
    }))
  )
  const late = await rounds.createRound(qc, {
    title: '下半年实操考核',
    heldOn: quarters[3].from.setZone(zone).plus({ days: 35 }).toISODate()!,
    kind: 'practical',
    maxScore: 50,
    passMark: 30,
  })
  await rounds.recordScores(
    late,
    memberStaff
      .filter((s: any) => s.code !== 'M04')
      .map((s: any, i: number) => ({ staffMemberId: s.id, score: 28 + ((i * 5) % 22) }))
  )

  // Weights: version 1 from the defaults, version 2 gives report turnaround more weight.
  const weights = await app.container.make(AssessmentWeights)
  const v1 = await weights.current()
  const revised = {
    ...DEFAULT_WEIGHTS,
    'assessments.turnaround_within_limit': 15,
    'assessments.workload': 0,
  }
  await weights.revise(qc, v1.version, '提高报告时限权重（质控会议决议）', revised)

  // The three oldest quarters are closed; the oldest was corrected once.
  const assessment = await app.container.make(QuarterlyAssessment)
  for (const quarter of quarters.slice(0, 3)) await assessment.close(qc, quarter)
  await assessment.correct(qc, quarters[0], '补录石桥镇卫生院 DR 检修期间的外送检查')

  // Corrective actions (C 9.2.1 闭环): closed, overdue, and open within its date.
  const actions = await app.container.make(CorrectiveActions)
  const byCode = new Map(clinics.map((c: any) => [c.code, c]))
  const today = now.setZone(zone)
  if (byCode.get('M04')) {
    const closed = await actions.open(qc, {
      institutionId: byCode.get('M04')!.id,
      quarter: quarters[1].key,
      indicatorKey: 'assessments.upload_gaps_over_24h',
      problem: 'DR 检修期间上传中断超过 24 小时',
      owner: '吴医生',
      dueOn: quarters[2].from.setZone(zone).plus({ days: 30 }).toISODate()!,
    })
    await actions.followUp(qc, closed, '已协调县医院移动 DR 支援，恢复每日上传', true)
    await actions.open(qc, {
      institutionId: byCode.get('M04')!.id,
      quarter: quarters[3].key,
      indicatorKey: 'assessments.turnaround_within_limit',
      problem: '报告时限内完成率连续两个季度下降',
      owner: '吴医生',
      dueOn: today.minus({ days: 10 }).toISODate()!,
    })
  }
  if (byCode.get('M02')) {
    await actions.open(qc, {
      institutionId: byCode.get('M02')!.id,
      quarter: quarters[3].key,
      indicatorKey: 'assessments.training_coverage',
      problem: '部分技师近 12 个月培训不足 2 次',
      owner: '杨医生',
      dueOn: today.plus({ days: 30 }).toISODate()!,
    })
  }

  // A spot check of 城关's recent exams (no QC session yet: see spot_checks.ts).
  if (first) {
    try {
      await (
        await app.container.make(SpotChecks)
      ).draw(qc, { institutionId: first.id, days: 14, size: 5, seed: 7 })
    } catch {
      // no recent exams with images in a small demo
    }
  }

  // Bulletins: the two older closed quarters published, the last one drafted for the QC officer to review.
  const bulletins = await app.container.make(QcBulletins)
  for (const quarter of quarters.slice(1, 3)) {
    const { id } = await bulletins.draft(quarter)
    await bulletins.publish(qc, id)
  }
  await bulletins.draft(quarters[3])
  log(
    `assessments: ${exams} history exams over ${quarters.map((q) => q.key).join(', ')}, training, two assessment rounds, weights v2, 3 closed quarters, 3 corrective actions, bulletins`
  )
}
