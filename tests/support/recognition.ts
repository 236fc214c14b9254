/*
| Building blocks for the mutual-recognition tests: signed results at a given
| time (rows written as intake and reading leave them, without images, so
| the rules are tested on exact dates), item evaluations, institutions' levels.
*/
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import type Institution from '#models/institution'
import type User from '#models/user'
import ExamItem from '#models/exam_item'
import Exam from '#models/exam'
import { ExamRegistration } from '#app/intake/services/exam_registration'
import { sqlTime } from '#app/platform/db_helpers'
import { Clock, ManualClock } from '#app/platform/clock'
import * as make from '#tests/support/fixtures'

/** 川渝 item 1: DR 胸部 摄影 站立后前位 (the chest DR every clinic orders). */
export async function chestDr() {
  await make.catalogue()
  return ExamItem.query().where('catalogue', 'chuanyu').where('seq', 1).firstOrFail()
}

export async function evaluate(
  institution: Pick<Institution, 'id'>,
  item: Pick<ExamItem, 'id'>,
  extra: { passed?: boolean; evaluatedOn?: string; validUntil?: string | null } = {}
) {
  const now = sqlTime(DateTime.utc())
  await db.table('recognition_item_evaluations').insert({
    institution_id: institution.id,
    exam_item_id: item.id,
    passed: extra.passed ?? true,
    evaluated_on: extra.evaluatedOn ?? '2026-01-01',
    valid_until: extra.validUntil === undefined ? '2027-12-31' : extra.validUntil,
    created_at: now,
    updated_at: now,
  })
}

/**
 * A signed result of `item` for the patient at the clinic of `clinicUser`, performed at `performedAt`
 * (registered, images and report at that time, as the pipeline leaves them).
 */
export async function signedResult(
  clinicUser: User,
  clinicPatientId: number,
  item: ExamItem,
  performedAt: DateTime,
  impression = '两肺纹理清晰，未见明确实变。'
) {
  // Registered at its own time, as it happened: results after it do not remind it.
  const clock = await app.container.make(Clock)
  const saved = clock.now()
  if (clock instanceof ManualClock) clock.set(performedAt)
  const registration = await app.container.make(ExamRegistration)
  const [exam] = await registration
    .register(clinicUser, {
      clinicPatientId,
      itemIds: [item.id],
      priority: 'routine',
      clinicalHistory: '咳嗽三天',
      purpose: '排除肺炎',
      requestingDoctor: '王医生',
    })
    .finally(() => clock instanceof ManualClock && clock.set(saved))
  const at = sqlTime(performedAt)
  await db.from('exams').where('id', exam.id).update({
    status: 'signed',
    registered_at: at,
    images_received_at: at,
    report_signed_at: at,
    instance_count: 1,
  })
  const author = await make.user('radiologist')
  await db.table('report_versions').insert({
    exam_id: exam.id,
    version_no: 1,
    status: 'signed',
    technique: '后前位',
    findings: '两肺纹理清晰。',
    impression,
    author_id: author.id,
    last_modified_by_id: author.id,
    signer_id: author.id,
    revision: 1,
    submitted_at: at,
    signed_at: at,
    created_at: at,
    updated_at: at,
  })
  return Exam.findOrFail(exam.id)
}

/** The same person registered at a second clinic (matched by national ID), as the alliance links them. */
export async function samePatientAt(first: Institution, second: Institution) {
  const nationalId = make.nationalId()
  const a = await make.patientAt(first, { nationalId })
  const b = await make.patientAt(second, { nationalId })
  if (a.patient.id !== b.patient.id)
    throw new Error('fixture: the two clinics did not link the patient')
  return { patientId: a.patient.id, atFirst: a.clinicPatient, atSecond: b.clinicPatient }
}
