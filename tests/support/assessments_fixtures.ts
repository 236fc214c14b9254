/*
| Rows the assessment indicators read, made directly (exams with their times,
| critical values, training sessions, assessment rounds) so each fixture states
| exactly the times a hand-computed answer depends on.
*/
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Exam from '#models/exam'
import type Institution from '#models/institution'
import type User from '#models/user'
import * as make from '#tests/support/fixtures'
import { sqlTime } from '#app/platform/db_helpers'

let serial = 0
const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' })

export async function imagedExam(
  clinic: Institution,
  options: {
    modality: 'DR' | 'CT' | 'MR'
    imagesAt: string | null
    dueAt?: string | null
    signedAt?: string | null
    priority?: 'emergency' | 'routine' | 'special'
  }
) {
  const { patient } = await make.patientAt(clinic)
  return Exam.create({
    accessionNumber: `Q${Date.now().toString(36).slice(-8)}${(serial++).toString(36)}`.slice(0, 16),
    patientId: patient.id,
    institutionId: clinic.id,
    modality: options.modality,
    priority: options.priority ?? 'routine',
    status: options.signedAt ? 'signed' : options.imagesAt ? 'images_received' : 'registered',
    clinicalHistory: '咳嗽一周',
    purpose: '排除肺炎',
    requestingDoctor: '刘医生',
    registeredAt: options.imagesAt
      ? utc(options.imagesAt).minus({ minutes: 20 })
      : utc('2016-07-01T00:00:00'),
    imagesReceivedAt: options.imagesAt ? utc(options.imagesAt) : null,
    dueAt: options.dueAt ? utc(options.dueAt) : null,
    reportSignedAt: options.signedAt ? utc(options.signedAt) : null,
    instanceCount: options.imagesAt ? 1 : 0,
  })
}

async function findingId() {
  const existing = await db.from('critical_findings').where('code', 'TESTQ').first()
  if (existing) return existing.id
  const now = sqlTime(DateTime.utc())
  const [id] = await db.table('critical_findings').insert({
    code: 'TESTQ',
    name: '测试危急值',
    category: 'other',
    ack_minutes: 10,
    seq: 0,
    active: true,
    created_at: now,
    updated_at: now,
  })
  return id
}

export async function criticalValue(
  exam: Exam,
  raisedBy: User,
  options: {
    raisedAt: string
    sentAt?: string | null
    acknowledgedAt?: string | null
    status?: 'open' | 'acknowledged' | 'withdrawn'
  }
) {
  const now = sqlTime(DateTime.utc())
  const [id] = await db.table('critical_values').insert({
    exam_id: exam.id,
    institution_id: exam.institutionId,
    finding_id: await findingId(),
    finding_name: '测试危急值',
    message: '测试',
    status: options.status ?? (options.acknowledgedAt ? 'acknowledged' : 'open'),
    request_key: make.unique('rk'),
    raised_by_id: raisedBy.id,
    raised_at: sqlTime(utc(options.raisedAt)),
    sent_at: options.sentAt ? sqlTime(utc(options.sentAt)) : null,
    acknowledged_at: options.acknowledgedAt ? sqlTime(utc(options.acknowledgedAt)) : null,
    created_at: now,
    updated_at: now,
  })
  return Number(id)
}

export async function trainingSession(
  clinic: Institution,
  heldOn: string,
  attendeeIds: number[],
  signedOff = true
) {
  const now = sqlTime(DateTime.utc())
  const [id] = await db.table('training_sessions').insert({
    topic: '胸部 DR 摆位规范',
    held_on: heldOn,
    trainer: '王主任',
    modality: 'DR',
    institution_id: clinic.id,
    signed_off_at: signedOff ? now : null,
    created_at: now,
    updated_at: now,
  })
  if (attendeeIds.length)
    await db
      .table('training_attendances')
      .multiInsert(attendeeIds.map((s) => ({ training_session_id: id, staff_member_id: s })))
  return Number(id)
}

export async function assessmentRound(
  heldOn: string,
  scores: Array<{ staffMemberId: number; institutionId: number; score: number }>,
  maxScore = 100,
  passMark = 60
) {
  const [id] = await db.table('assessment_rounds').insert({
    title: '季度理论考核',
    held_on: heldOn,
    kind: 'written',
    max_score: maxScore,
    pass_mark: passMark,
    created_at: sqlTime(DateTime.utc()),
  })
  for (const s of scores) {
    await db.table('assessment_scores').insert({
      assessment_round_id: id,
      staff_member_id: s.staffMemberId,
      institution_id: s.institutionId,
      score: s.score,
      passed: s.score >= passMark,
      created_at: sqlTime(DateTime.utc()),
    })
  }
  return Number(id)
}
