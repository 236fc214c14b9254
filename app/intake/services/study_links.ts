import { createHash } from 'node:crypto'
import { publish } from '#app/platform/domain_events'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract, QueryClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'
import Exam from '#models/exam'
import type { OrthancClient, OrthancSeries } from '#app/orthanc/orthanc_client'
import { realtime } from '#app/realtime/realtime'
import { sqlTime, isDuplicateKey } from '#app/platform/db_helpers'
import { enterReadingQueue } from '#app/reading/services/turnaround'
import { DICOM_LIMITS } from './intake_rules.js'

/*
| Linking DICOM studies to exams. Every way in ends here, so an exam's state
| and counts follow the same rules whichever way its images came.
|
| Atomic: linking an instance (or a whole study), counting it and moving the
| exam to "images received" with its reading clock (R 7.1.1) happen in one
| transaction, so a crash leaves either nothing or all of it. What a crash can
| still leave is an instance Orthanc holds that no row counts yet (between
| Orthanc's answer and the commit); the reconciliation (reconcileExams) finds
| and mends those, at start-up and periodically.
|
| A study is claimed for its exam before the first byte goes to Orthanc (the
| unique Study Instance UID decides between two uploads racing for one study),
| so an instance is never stored for an exam that then cannot have it.
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

/** A UID longer than DICOM allows never reaches a unique column (MySQL would cut it and the next lookup fails). */
export class UidTooLong extends Error {}

const sql = (time: DateTime) => sqlTime(time, true)

function parseDicomDate(value?: string | null) {
  if (!value) return null
  const date = DateTime.fromFormat(value.slice(0, 8), 'yyyyMMdd', { zone: 'utc' })
  return date.isValid ? date : null
}

/** Orthanc's id of a study: SHA-1 of "PatientID|StudyInstanceUID" in five groups (its DicomInstanceHasher). */
export function orthancStudyIdOf(patientId: string | null, studyInstanceUid: string) {
  const hex = createHash('sha1')
    .update(`${patientId ?? ''}|${studyInstanceUid}`)
    .digest('hex')
  return hex.match(/.{8}/g)!.join('-')
}

/** Orthanc's id of an instance: SHA-1 of "PatientID|StudyInstanceUID|SeriesInstanceUID|SOPInstanceUID". */
export function orthancInstanceIdOf(
  patientId: string | null,
  studyInstanceUid: string,
  seriesInstanceUid: string,
  sopInstanceUid: string
) {
  const hex = createHash('sha1')
    .update(`${patientId ?? ''}|${studyInstanceUid}|${seriesInstanceUid}|${sopInstanceUid}`)
    .digest('hex')
  return hex.match(/.{8}/g)!.join('-')
}

/** InnoDB may pick a statement as a deadlock victim under concurrent uploads; it is safe to run again. */
export async function retryOnDeadlock<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work()
    } catch (error: any) {
      const transient = ['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_BUSY'].includes(
        error?.code
      )
      if (!transient || attempt >= attempts) throw error
      await new Promise((r) => setTimeout(r, 10 * attempt + Math.random() * 20))
    }
  }
}

/**
 * The exam_studies row of this study for this exam: created, or found when
 * this exam already has it. Throws StudyOfAnotherExam when another exam does.
 */
export async function claimStudy(
  examId: number,
  study: StudyIdentity,
  now: DateTime,
  client: QueryClientContract = db.connection()
) {
  if (Buffer.byteLength(study.studyInstanceUid, 'latin1') > DICOM_LIMITS.UI)
    throw new UidTooLong(study.studyInstanceUid)
  const find = () =>
    client
      .from('exam_studies')
      .where('study_instance_uid', study.studyInstanceUid)
      .select('id', 'exam_id', 'orthanc_study_id')
      .first()
  let row = await find()
  if (!row) {
    try {
      const [id] = await client.table('exam_studies').insert({
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
      })
      row = { id, exam_id: examId, orthanc_study_id: study.orthancStudyId }
    } catch (error) {
      // Another upload of the same study got there first: the unique key decided.
      if (!isDuplicateKey(error)) throw error
      row = await find()
      if (!row) throw error
    }
  }
  if (Number(row.exam_id) !== examId) throw new StudyOfAnotherExam(Number(row.exam_id))
  if (row.orthanc_study_id !== study.orthancStudyId) {
    await client
      .from('exam_studies')
      .where('id', row.id)
      .update({ orthanc_study_id: study.orthancStudyId })
  }
  return Number(row.id)
}

/** Moves the exam to "images received" the first time images arrive, in the caller's transaction; true when this call did it. */
async function markImagesReceived(trx: TransactionClientContract, examId: number, now: DateTime) {
  const updated = await trx
    .from('exams')
    .where('id', examId)
    .where('status', 'registered')
    .update({ status: 'images_received', images_received_at: sql(now), updated_at: sql(now) })
  // R 7.1.1: the reporting clock starts when the images arrive.
  if (Number(updated) > 0) await enterReadingQueue(trx, examId, now)
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
  if (firstImages)
    publish('exam:images_received', { examId: exam.id, orthancStudyId: null, via: 'upload' })
}

/**
 * Records one instance Orthanc stored for an exam's claimed study: its
 * series, the counts and the exam's status, in one transaction. An instance
 * Orthanc already had (AlreadyStored) counts nothing.
 */
export async function linkStoredInstance(
  exam: Exam,
  study: StudyIdentity,
  stored: { newInstance: boolean; orthancSeriesId: string },
  now: DateTime
) {
  const firstImages = await retryOnDeadlock(() =>
    db.transaction(async (trx) => {
      const studyRowId = await claimStudy(exam.id, study, now, trx)
      if (stored.newInstance) {
        const series = await trx
          .from('exam_series')
          .where('orthanc_series_id', stored.orthancSeriesId)
          .select('id')
          .first()
        let newSeries = false
        if (!series) {
          try {
            await trx.table('exam_series').insert({
              exam_study_id: studyRowId,
              orthanc_series_id: stored.orthancSeriesId,
              instance_count: 1,
            })
            newSeries = true
          } catch (error) {
            if (!isDuplicateKey(error)) throw error
            await trx
              .from('exam_series')
              .where('orthanc_series_id', stored.orthancSeriesId)
              .increment('instance_count', 1)
          }
        } else {
          await trx.from('exam_series').where('id', series.id).increment('instance_count', 1)
        }
        await trx
          .from('exam_studies')
          .where('id', studyRowId)
          .update({
            instance_count: trx.knexRawQuery('instance_count + 1'),
            series_count: newSeries
              ? trx.knexRawQuery('series_count + 1')
              : trx.knexRawQuery('series_count'),
            last_received_at: sql(now),
            updated_at: sql(now),
          })
        await trx.from('exams').where('id', exam.id).increment('instance_count', 1)
      }
      return exam.status === 'registered' ? markImagesReceived(trx, exam.id, now) : false
    })
  )
  announce(exam, firstImages)
  return { firstImages }
}

export interface StudyCounts {
  series: Array<{ orthancSeriesId: string; instances: number }>
  instances: number
}

export function countsOf(
  series: OrthancSeries[],
  only?: (series: OrthancSeries) => boolean
): StudyCounts {
  const kept = series.filter((s) => (only ? only(s) : true))
  return {
    series: kept.map((s) => ({ orthancSeriesId: s.ID, instances: s.Instances.length })),
    instances: kept.reduce((total, s) => total + s.Instances.length, 0),
  }
}

export async function countStudy(orthanc: OrthancClient, orthancStudyId: string) {
  return countsOf(await orthanc.studySeries(orthancStudyId))
}

/**
 * Links a whole study Orthanc holds (C-STORE, a forwarded store, an attached
 * unmatched study) or brings a linked one's counts in line with Orthanc, the
 * authority on what it holds: link, series, counts, status and reading clock
 * in one transaction. `counts` excludes series held apart.
 */
export async function linkWholeStudy(
  exam: Exam,
  study: StudyIdentity,
  counts: StudyCounts,
  now: DateTime,
  alsoInTransaction?: (trx: TransactionClientContract) => Promise<unknown>
) {
  const firstImages = await retryOnDeadlock(() =>
    db.transaction(async (trx) => {
      const studyRowId = await claimStudy(exam.id, study, now, trx)
      await writeCounts(trx, exam.id, studyRowId, counts, now)
      if (alsoInTransaction) await alsoInTransaction(trx)
      return counts.instances > 0 ? markImagesReceived(trx, exam.id, now) : false
    })
  )
  announce(exam, firstImages)
  return { firstImages }
}

/**
 * Links what one upload batch found in Orthanc for a study (its series and
 * counts as Orthanc holds them after the batch), in one transaction: one
 * statement for all its series, one for the study, one for the exam, and the
 * status and reading clock the first time. Counts are only ever raised here
 * (never lowered), so concurrent batches of one study may commit in any
 * order; a series or instance that went away is the reconciliation's to mend.
 */
export async function linkUploadedStudy(
  exam: Exam,
  study: StudyIdentity,
  counts: StudyCounts,
  now: DateTime
) {
  const firstImages = await retryOnDeadlock(() =>
    db.transaction(async (trx) => {
      const studyRowId = await claimStudy(exam.id, study, now, trx)
      const mysql = trx.dialect.name !== 'better-sqlite3' && trx.dialect.name !== 'sqlite3'
      if (counts.series.length) {
        // The larger of the two, in one statement for every series of the study.
        const larger = mysql
          ? 'GREATEST(instance_count, VALUES(instance_count))'
          : 'MAX(instance_count, excluded.instance_count)'
        await trx
          .knexQuery()
          .table('exam_series')
          .insert(
            counts.series.map((s) => ({
              exam_study_id: studyRowId,
              orthanc_series_id: s.orthancSeriesId,
              instance_count: s.instances,
            }))
          )
          .onConflict('orthanc_series_id')
          .merge({ exam_study_id: studyRowId, instance_count: trx.knexRawQuery(larger) } as any)
      }
      const raise = (column: string, value: number) =>
        trx.knexRawQuery(`CASE WHEN ${column} < ? THEN ? ELSE ${column} END`, [value, value])
      await trx
        .from('exam_studies')
        .where('id', studyRowId)
        .update({
          instance_count: raise('instance_count', counts.instances),
          series_count: raise('series_count', counts.series.length),
          last_received_at: sql(now),
          updated_at: sql(now),
        })
      await trx
        .from('exams')
        .where('id', exam.id)
        .update({
          instance_count: trx.knexRawQuery(
            '(SELECT COALESCE(SUM(instance_count), 0) FROM exam_studies WHERE exam_id = ?)',
            [exam.id]
          ),
          updated_at: sql(now),
        })
      return counts.instances > 0 && exam.status === 'registered'
        ? markImagesReceived(trx, exam.id, now)
        : false
    })
  )
  announce(exam, firstImages)
  return { firstImages }
}

/** Sets a study's series and counts to `counts` and the exam's total to the sum of its studies. */
async function writeCounts(
  trx: TransactionClientContract,
  examId: number,
  studyRowId: number,
  counts: StudyCounts,
  now: DateTime
) {
  const wanted = new Set(counts.series.map((s) => s.orthancSeriesId))
  const existing = await trx
    .from('exam_series')
    .where('exam_study_id', studyRowId)
    .select('id', 'orthanc_series_id')
  const gone = existing.filter((row) => !wanted.has(row.orthanc_series_id)).map((row) => row.id)
  if (gone.length) await trx.from('exam_series').whereIn('id', gone).delete()
  for (const series of counts.series) {
    const updated = await trx
      .from('exam_series')
      .where('orthanc_series_id', series.orthancSeriesId)
      .update({ exam_study_id: studyRowId, instance_count: series.instances })
    if (Number(updated) === 0)
      await trx.table('exam_series').insert({
        exam_study_id: studyRowId,
        orthanc_series_id: series.orthancSeriesId,
        instance_count: series.instances,
      })
  }
  await trx
    .from('exam_studies')
    .where('id', studyRowId)
    .update({
      series_count: counts.series.length,
      instance_count: counts.instances,
      last_received_at: sql(now),
      updated_at: sql(now),
    })
  const total = await trx
    .from('exam_studies')
    .where('exam_id', examId)
    .sum('instance_count as total')
    .firstOrFail()
  await trx
    .from('exams')
    .where('id', examId)
    .update({ instance_count: Number(total.total ?? 0) })
}
