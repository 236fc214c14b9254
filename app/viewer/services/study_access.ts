import db from '@adonisjs/lucid/services/db'
import Exam from '#models/exam'
import ExamStudy from '#models/exam_study'
import type User from '#models/user'
import { canSeeExam, scopeExams } from '#app/access/visibility'

/*
| Which DICOM studies a person may open in the viewer: a study is theirs to see
| only when an exam they may see links it (exam → exam_studies), the same rule
| as the exam page and today's image routes. A study nobody linked (an
| unmatched arrival) is nobody's. Series another clinic sent into the study are
| held apart (intake) and are not part of it for anyone.
*/

export interface LinkedStudy {
  exam: Exam
  link: ExamStudy
}

export interface OpenStudy extends LinkedStudy {
  /** Series Instance UIDs held apart from this study (another clinic's series): never served. */
  heldSeries: Set<string>
}

/** The exam that links a Study Instance UID, whoever may see it (the pipeline asks `mayOpen` next). */
export async function linkedStudy(studyInstanceUid: string): Promise<LinkedStudy | null> {
  const link = await ExamStudy.query()
    .where('study_instance_uid', studyInstanceUid)
    .preload('exam')
    .first()
  return link ? { exam: link.exam, link } : null
}

export function mayOpen(user: User, linked: LinkedStudy) {
  return canSeeExam(user, linked.exam)
}

export async function withHeldSeries(linked: LinkedStudy): Promise<OpenStudy> {
  const rows = await db
    .from('held_series')
    .where('orthanc_study_id', linked.link.orthancStudyId)
    .whereIn('status', ['held', 'removed'])
    .select('series_instance_uid')
  return { ...linked, heldSeries: new Set(rows.map((row) => String(row.series_instance_uid))) }
}

/*
| The viewer asks for a study's frames one by one (300 requests for a CT): the
| study's link and held series are remembered for a few seconds, so each frame
| costs no database round trip. Only found links are remembered (a study
| linked a moment ago is never answered "missing" from memory), and who may see
| it is decided on every request from the exam's clinic.
*/
const REMEMBER_MS = 5_000
const REMEMBER_LIMIT = 5_000
const remembered = new Map<string, { study: OpenStudy; until: number }>()

/** The study a viewer request names, with its exam and held series; null when no exam links it. */
export async function openStudy(
  studyInstanceUid: string,
  now = Date.now()
): Promise<OpenStudy | null> {
  const known = remembered.get(studyInstanceUid)
  if (known && known.until > now) return known.study
  const linked = await linkedStudy(studyInstanceUid)
  if (!linked) {
    remembered.delete(studyInstanceUid)
    return null
  }
  const study = await withHeldSeries(linked)
  if (remembered.size >= REMEMBER_LIMIT) remembered.clear()
  remembered.set(studyInstanceUid, { study, until: now + REMEMBER_MS })
  return study
}

/** Forget what was remembered (tests that relink or hold a series in the same second). */
export function forgetOpenStudies() {
  remembered.clear()
}

/** Of these Study Instance UIDs, the ones this person may open (one query per 500 UIDs). */
export async function visibleStudyUids(user: User, uids: string[]): Promise<Set<string>> {
  const visible = new Set<string>()
  const unique = [...new Set(uids)]
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500)
    const rows = await scopeExams(Exam.query(), user)
      .join('exam_studies', 'exam_studies.exam_id', 'exams.id')
      .whereIn('exam_studies.study_instance_uid', chunk)
      .select('exam_studies.study_instance_uid as uid')
    for (const row of rows) visible.add(String(row.$extras.uid))
  }
  return visible
}
