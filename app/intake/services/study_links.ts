import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { DateTime } from 'luxon'
import { DateTime as LuxonDateTime } from 'luxon'
import Exam from '#models/exam'
import ExamStudy from '#models/exam_study'
import type { OrthancClient } from '#app/orthanc/orthanc_client'
import { realtime } from '#app/realtime/realtime'
import { insertIgnore } from '#app/platform/db_helpers'
import { enterReadingQueue } from '#app/reading/services/turnaround'

/*
| Linking DICOM studies to exams. Both ways in (browser upload, DICOM C-STORE
| picked up from the changes feed) end here, so an exam's state and counts
| follow the same rules whichever way its images came.
*/

export interface StudyIdentity {
  studyInstanceUid: string
  orthancStudyId: string
  receivedVia: 'upload' | 'dicom'
  sendingAe?: string | null
  studyDate?: string | null
}

function parseDicomDate(value?: string | null) {
  if (!value) return null
  const date = LuxonDateTime.fromFormat(value.slice(0, 8), 'yyyyMMdd', { zone: 'utc' })
  return date.isValid ? date : null
}

/** Moves the exam to "images received" the first time images arrive. */
async function markImagesReceived(trx: TransactionClientContract, examId: number, now: DateTime, newInstances: number) {
  const updated = await trx
    .from('exams')
    .where('id', examId)
    .where('status', 'registered')
    .update({ status: 'images_received', images_received_at: now.toSQL({ includeOffset: false }), updated_at: now.toSQL({ includeOffset: false }) })
  if (newInstances > 0) await trx.from('exams').where('id', examId).increment('instance_count', newInstances)
  // R 7.1.1: the reporting clock starts when the images arrive.
  if (Number(updated) > 0) await enterReadingQueue(trx, examId, now)
  return Number(updated) > 0
}

async function announce(examId: number, firstImages: boolean) {
  const exam = await Exam.find(examId)
  if (exam) realtime.examChanged(exam, firstImages ? 'images_received' : 'images_added')
}

/**
 * Records one instance stored in Orthanc for an exam. Idempotent: an instance
 * Orthanc already had (AlreadyStored) links the study but counts nothing.
 * Throws `StudyOfAnotherExam` when the study is already linked elsewhere.
 */
export async function linkStoredInstance(exam: Exam, study: StudyIdentity, newInstance: boolean, now: DateTime) {
  const firstImages = await db.transaction(async (trx) => {
    const existing = await ensureStudyRow(trx, exam.id, study, now)
    await trx
      .from('exam_studies')
      .where('id', existing.id)
      .update({ last_received_at: now.toSQL({ includeOffset: false }), updated_at: now.toSQL({ includeOffset: false }) })
    if (newInstance) await trx.from('exam_studies').where('id', existing.id).increment('instance_count', 1)
    return markImagesReceived(trx, exam.id, now, newInstance ? 1 : 0)
  })
  await announce(exam.id, firstImages)
}

export class StudyOfAnotherExam extends Error {
  constructor(public examId: number) {
    super('study already linked to another exam')
  }
}

/** Finds or creates the exam_studies row; the unique Study Instance UID settles races. */
async function ensureStudyRow(trx: TransactionClientContract, examId: number, study: StudyIdentity, now: DateTime) {
  const sqlNow = now.toSQL({ includeOffset: false })
  await insertIgnore(
    'exam_studies',
    {
      exam_id: examId,
      study_instance_uid: study.studyInstanceUid,
      orthanc_study_id: study.orthancStudyId,
      received_via: study.receivedVia,
      sending_ae: study.sendingAe ?? null,
      study_date: parseDicomDate(study.studyDate)?.toSQLDate() ?? null,
      series_count: 0,
      instance_count: 0,
      first_received_at: sqlNow,
      last_received_at: sqlNow,
      created_at: sqlNow,
      updated_at: sqlNow,
    },
    'study_instance_uid',
    trx
  )
  const row = await trx.from('exam_studies').where('study_instance_uid', study.studyInstanceUid).forUpdate().firstOrFail()
  if (Number(row.exam_id) !== examId) throw new StudyOfAnotherExam(Number(row.exam_id))
  return row as { id: number; exam_id: number }
}

/**
 * Links a whole study that is already in Orthanc (from the DICOM feed, or a
 * clinic attaching an unmatched study) and sets its counts from Orthanc.
 */
export async function linkWholeStudy(exam: Exam, study: StudyIdentity, orthanc: OrthancClient, now: DateTime) {
  const counts = await countStudy(orthanc, study.orthancStudyId)
  const firstImages = await db.transaction(async (trx) => {
    const row = await ensureStudyRow(trx, exam.id, study, now)
    const before = await trx.from('exam_studies').where('id', row.id).select('instance_count').firstOrFail()
    const added = Math.max(0, counts.instances - Number(before.instance_count))
    await trx
      .from('exam_studies')
      .where('id', row.id)
      .update({
        series_count: counts.series,
        instance_count: counts.instances,
        last_received_at: now.toSQL({ includeOffset: false }),
        updated_at: now.toSQL({ includeOffset: false }),
      })
    return markImagesReceived(trx, exam.id, now, added)
  })
  await announce(exam.id, firstImages)
}

export async function countStudy(orthanc: OrthancClient, orthancStudyId: string) {
  const series = await orthanc.studySeries(orthancStudyId)
  return { series: series.length, instances: series.reduce((total, s) => total + s.Instances.length, 0) }
}

/**
 * Orthanc is the authority on what it holds: once a study is stable, its
 * counts replace whatever the per-instance increments arrived at.
 */
export async function reconcileStudy(examStudy: ExamStudy, orthanc: OrthancClient, now: DateTime) {
  const counts = await countStudy(orthanc, examStudy.orthancStudyId)
  await db.transaction(async (trx) => {
    await trx
      .from('exam_studies')
      .where('id', examStudy.id)
      .update({ series_count: counts.series, instance_count: counts.instances, updated_at: now.toSQL({ includeOffset: false }) })
    const total = await trx.from('exam_studies').where('exam_id', examStudy.examId).sum('instance_count as total').firstOrFail()
    await trx.from('exams').where('id', examStudy.examId).update({ instance_count: Number(total.total ?? 0) })
  })
}
