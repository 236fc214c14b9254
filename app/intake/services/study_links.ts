import { publish } from '#app/platform/domain_events'
import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import { DateTime as LuxonDateTime } from 'luxon'
import Exam from '#models/exam'
import type ExamStudy from '#models/exam_study'
import type { OrthancClient } from '#app/orthanc/orthanc_client'
import { realtime } from '#app/realtime/realtime'
import { insertIgnore, sqlTime } from '#app/platform/db_helpers'
import { enterReadingQueue } from '#app/reading/services/turnaround'

/*
| Linking DICOM studies to exams. Both ways in (browser upload, DICOM C-STORE
| picked up from the changes feed) end here, so an exam's state and counts
| follow the same rules whichever way its images came.
|
| Per uploaded instance this costs one single-row UPDATE (the exam's count;
| plus, for the first instances, the status change): a folder of a thousand CT
| slices must not cost a thousand transactions. The per-study counts are set
| from what Orthanc holds once it calls the study stable (reconcileStudy).
*/

export interface StudyIdentity {
  studyInstanceUid: string
  orthancStudyId: string
  receivedVia: 'upload' | 'dicom'
  sendingAe?: string | null
  studyDate?: string | null
}

export class StudyOfAnotherExam extends Error {
  constructor(public examId: number) {
    super('study already linked to another exam')
  }
}

const sql = (time: DateTime) => sqlTime(time, true)

function parseDicomDate(value?: string | null) {
  if (!value) return null
  const date = LuxonDateTime.fromFormat(value.slice(0, 8), 'yyyyMMdd', { zone: 'utc' })
  return date.isValid ? date : null
}

/** InnoDB may pick a statement as a deadlock victim under concurrent uploads; it is safe to run again. */
async function retryOnDeadlock<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work()
    } catch (error: any) {
      const transient = ['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_BUSY'].includes(error?.code)
      if (!transient || attempt >= attempts) throw error
      await new Promise((r) => setTimeout(r, 10 * attempt + Math.random() * 20))
    }
  }
}

/**
 * Finds or creates the exam_studies row; the unique Study Instance UID settles
 * races between concurrent uploads of one study. Returns the row's id.
 */
async function ensureStudyRow(examId: number, study: StudyIdentity, now: DateTime): Promise<number> {
  const existing = await db.from('exam_studies').where('study_instance_uid', study.studyInstanceUid).select('id', 'exam_id').first()
  if (!existing) {
    await insertIgnore('exam_studies', {
      exam_id: examId,
      study_instance_uid: study.studyInstanceUid,
      orthanc_study_id: study.orthancStudyId,
      received_via: study.receivedVia,
      sending_ae: study.sendingAe ?? null,
      study_date: parseDicomDate(study.studyDate)?.toSQLDate() ?? null,
      series_count: 0,
      instance_count: 0,
      first_received_at: sql(now),
      last_received_at: sql(now),
      created_at: sql(now),
      updated_at: sql(now),
    }, 'study_instance_uid')
  }
  const row = existing ?? (await db.from('exam_studies').where('study_instance_uid', study.studyInstanceUid).select('id', 'exam_id').firstOrFail())
  if (Number(row.exam_id) !== examId) throw new StudyOfAnotherExam(Number(row.exam_id))
  return Number(row.id)
}

/** Moves the exam to "images received" the first time images arrive; true when this call did it. */
async function markImagesReceived(examId: number, now: DateTime) {
  const updated = await db
    .from('exams')
    .where('id', examId)
    .where('status', 'registered')
    .update({ status: 'images_received', images_received_at: sql(now), updated_at: sql(now) })
  // R 7.1.1: the reporting clock starts when the images arrive.
  if (Number(updated) > 0) await enterReadingQueue(db.connection(), examId, now)
  return Number(updated) > 0
}

/** Tells the clinic and the readers; "more images" at most every few seconds per exam. */
const lastAnnounced = new Map<number, number>()
const ANNOUNCE_EVERY_MS = 5000
function announce(exam: Exam, firstImages: boolean) {
  const now = Date.now()
  if (!firstImages && now - (lastAnnounced.get(exam.id) ?? 0) < ANNOUNCE_EVERY_MS) return
  if (lastAnnounced.size > 10_000) lastAnnounced.clear()
  lastAnnounced.set(exam.id, now)
  if (firstImages) exam.status = 'images_received'
  realtime.examChanged(exam, firstImages ? 'images_received' : 'images_added')
  if (firstImages) publish('exam:images_received', { examId: exam.id, orthancStudyId: null, via: 'upload' })
}

/**
 * Records one instance stored in Orthanc for an exam. Idempotent: an instance
 * Orthanc already had (AlreadyStored) links the study but counts nothing.
 * Throws `StudyOfAnotherExam` when the study is already linked elsewhere.
 * @param studyRowId the exam_studies row when the caller already found it
 */
export async function linkStoredInstance(exam: Exam, study: StudyIdentity, newInstance: boolean, now: DateTime, studyIsLinked = false) {
  if (!studyIsLinked) await ensureStudyRow(exam.id, study, now)
  if (newInstance) await retryOnDeadlock(() => db.from('exams').where('id', exam.id).increment('instance_count', 1))
  const firstImages = exam.status === 'registered' ? await markImagesReceived(exam.id, now) : false
  announce(exam, firstImages)
}

/**
 * Links a whole study that is already in Orthanc (from the DICOM feed, or a
 * clinic attaching an unmatched study) and sets its counts from Orthanc.
 */
export async function linkWholeStudy(exam: Exam, study: StudyIdentity, orthanc: OrthancClient, now: DateTime) {
  const counts = await countStudy(orthanc, study.orthancStudyId)
  const rowId = await ensureStudyRow(exam.id, study, now)
  await retryOnDeadlock(() =>
    db.transaction(async (trx) => {
      const before = await trx.from('exam_studies').where('id', rowId).select('instance_count').firstOrFail()
      const added = Math.max(0, counts.instances - Number(before.instance_count))
      await trx
        .from('exam_studies')
        .where('id', rowId)
        .update({ series_count: counts.series, instance_count: counts.instances, last_received_at: sql(now), updated_at: sql(now) })
      if (added > 0) await trx.from('exams').where('id', exam.id).increment('instance_count', added)
    })
  )
  announce(exam, await markImagesReceived(exam.id, now))
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
  await retryOnDeadlock(() =>
    db.transaction(async (trx) => {
      await trx
        .from('exam_studies')
        .where('id', examStudy.id)
        .update({ series_count: counts.series, instance_count: counts.instances, last_received_at: sql(now), updated_at: sql(now) })
      const total = await trx.from('exam_studies').where('exam_id', examStudy.examId).sum('instance_count as total').firstOrFail()
      await trx.from('exams').where('id', examStudy.examId).update({ instance_count: Number(total.total ?? 0) })
    })
  )
}
