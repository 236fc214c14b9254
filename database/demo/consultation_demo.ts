/*
| Demo step for consultation (C 4.2.3, C 9.4): consultations in every state —
| a fast track just asked (open), a fast track past its 30 minutes (escalated
| to the duty desk), a routine one 40 hours old (escalated to the head
| of department), and answered ones with a thread and a signed opinion (one
| amended), one escalated to the upper-level hospital (its transfer waits in the
| storage queue: the upper hospital's Orthanc is described, not running) — and the specialty centres' default rules, with every exam that
| matches them shared (the stroke centre gets the stroke CTs). Made through
| the same services the app uses, with a manual clock for the past.
*/
import { randomUUID } from 'node:crypto'
import type { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import Exam from '#models/exam'
import { ManualClock } from '#app/platform/clock'
import { DutyRoster } from '#app/critical_values/services/duty_roster'
import { ConsultantRoster } from '#app/consultation/services/consultant_roster'
import { Consultations } from '#app/consultation/services/consultations'
import { ConsultationEscalation } from '#app/consultation/services/consultation_escalation'
import { SpecialtySharing } from '#app/consultation/services/specialty_sharing'
import type { Urgency } from '#app/consultation/models/consultation'
import { ShareLinks } from '#app/consultation/services/share_links'
import app from '@adonisjs/core/services/app'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { StorageNodeRegistry } from '#app/storage/services/storage_node_registry'
import { StudyCatalogue } from '#app/storage/services/study_catalogue'
import { UpperEscalations } from '#app/consultation/services/upper_escalations'

interface DemoConsultation {
  /** C 4.2.3: the consultant sends it on to the upper-level hospital with this note. */
  upper?: string
  minutesAgo: number
  urgency: Urgency
  question: string
  thread?: Array<['consultant' | 'requester', string]>
  opinion?: { text: string; recommendation: string; amend?: { text: string; reason: string } }
}

const CASES: DemoConsultation[] = [
  {
    minutesAgo: 8,
    urgency: 'fast_track',
    question: '左侧基底节区低密度影，是否急性脑梗死？是否需转诊溶栓？',
  },
  { minutesAgo: 38, urgency: 'fast_track', question: '右肺门区软组织影，肿瘤还是血管影？' },
  { minutesAgo: 40 * 60, urgency: 'routine', question: '肝右叶低密度灶性质待定，请会诊。' },
  {
    minutesAgo: 3 * 24 * 60,
    urgency: 'routine',
    question: '右肺下叶结节，良恶性？随访间隔？',
    thread: [
      ['consultant', '患者有无吸烟史及肿瘤家族史？'],
      ['requester', '吸烟30年，每日一包，无肿瘤家族史。'],
    ],
    opinion: {
      text: '右肺下叶实性结节约 8 mm，边缘分叶，考虑肺癌可能性较大。',
      recommendation: '建议胸部增强 CT 或转上级医院进一步检查。',
    },
  },
  {
    minutesAgo: 6 * 24 * 60,
    urgency: 'fast_track',
    question: '外伤后左侧肋骨骨折？有无气胸？',
    opinion: {
      text: '左侧第 5、6 肋骨骨折，未见明确气胸。',
      recommendation: '建议对症处理，必要时复查。',
      amend: {
        text: '左侧第 5、6、7 肋骨骨折，左侧少量气胸（肺压缩约 10%）。',
        reason: '复阅薄层图像后补充第 7 肋骨折及少量气胸',
      },
    },
  },
  {
    minutesAgo: 5 * 60,
    urgency: 'routine',
    question: '鞍区占位，垂体瘤还是颅咽管瘤？',
    upper: '鞍区病变本院经验有限，请上级医院神经影像专家会诊。',
  },
]

export async function seedConsultationDemo(
  now: DateTime,
  log: (message: string) => void = () => {}
) {
  const clock = new ManualClock(now)
  const roster = new ConsultantRoster(clock, new DutyRoster(clock))
  const consultations = new Consultations(clock, roster)
  const escalation = new ConsultationEscalation(clock, roster)
  const catalogue = new StudyCatalogue(await app.container.make(StorageNodeRegistry), clock)
  const upperEscalations = new UpperEscalations(clock, catalogue, consultations)
  let escalatedUpper = 0

  // The clinics' CT exams whose images are in, oldest first, one per case.
  const exams = await Exam.query()
    .where('modality', 'CT')
    .whereNotNull('images_received_at')
    .preload('institution')
    .orderBy('images_received_at')
  const requesters = new Map<number, User>()
  for (const user of await User.query().where('role', 'clinic_staff').preload('institution'))
    if (!requesters.has(user.institutionId)) requesters.set(user.institutionId, user)
  let made = 0
  for (const [index, spec] of CASES.entries()) {
    const exam = exams[index]
    const requester = exam ? requesters.get(exam.institutionId) : undefined
    if (!exam || !requester) break
    const askedAt = now.minus({ minutes: spec.minutesAgo })
    clock.set(
      askedAt > exam.imagesReceivedAt! ? askedAt : exam.imagesReceivedAt!.plus({ minutes: 5 })
    )
    const consultation = await consultations.request(requester, exam, {
      question: spec.question,
      clinicalSummary: exam.clinicalHistory,
      urgency: spec.urgency,
      requestKey: randomUUID(),
    })
    const consultant = consultation.consultantId
      ? await User.query()
          .where('id', consultation.consultantId)
          .preload('institution')
          .firstOrFail()
      : null
    for (const [who, text] of spec.thread ?? []) {
      clock.set(clock.now().plus({ minutes: 6 }))
      await consultations.postMessage(
        who === 'consultant' && consultant ? consultant : requester,
        consultation,
        text
      )
    }
    if (spec.opinion && consultant) {
      clock.set(clock.now().plus({ minutes: 12 }))
      await consultations.answer(consultant, consultation, {
        opinion: spec.opinion.text,
        recommendation: spec.opinion.recommendation,
      })
      if (spec.opinion.amend) {
        clock.set(clock.now().plus({ hours: 2 }))
        await consultations.amend(consultant, consultation, {
          opinion: spec.opinion.amend.text,
          recommendation: spec.opinion.recommendation,
          reason: spec.opinion.amend.reason,
        })
      }
    }
    if (spec.upper && consultant) {
      clock.set(clock.now().plus({ minutes: 20 }))
      try {
        await upperEscalations.escalate(consultant, consultation, { note: spec.upper })
        escalatedUpper++
      } catch (error) {
        // No upper-hospital store registered (another service answers at its address): the case stays open.
        if (!(error instanceof DomainRefusal)) throw error
        log(`consultation not escalated to the upper hospital (${error.code})`)
      }
    }
    made++
  }
  // The overdue ones escalate as the job would have done, at their due times.
  clock.set(now)
  await escalation.escalateOverdue(now)

  // C 9.4: the specialty centres' default rules, and every matching exam shared (as the events would have done).
  const sharing = new SpecialtySharing(clock)
  await sharing.ensureDefaultRules()
  const withImages = await db
    .from('exams')
    .whereNotNull('images_received_at')
    .select('id', 'images_received_at')
  for (const row of withImages) await sharing.shareExam(Number(row.id), now)
  const shares = Number((await db.from('exam_shares').count('* as n'))[0].n)

  // A de-identified share link (code 2468) to the answered consultation's exam, for an outside doctor.
  let linkUrl: string | null = null
  const answered = await db.from('consultations').where('status', 'answered').orderBy('id').first()
  if (answered) {
    const exam = await Exam.findOrFail(answered.exam_id)
    const requester = await User.query()
      .where('id', answered.requested_by_id)
      .preload('institution')
      .firstOrFail()
    const { token } = await new ShareLinks(clock).create(requester, exam, {
      deidentify: true,
      accessCode: '2468',
      note: '上级医院会诊专家',
    })
    linkUrl = `/s/${token}`
  }
  log(
    `${made} consultations (open, overdue and escalated, answered, amended; ${escalatedUpper} escalated to the upper-level hospital, pending until its Orthanc at 127.0.0.1:8046 answers), ${shares} exams shared with the specialty centres${linkUrl ? `, a de-identified share link ${linkUrl} (access code 2468)` : ''}`
  )
}
