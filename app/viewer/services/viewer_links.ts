import Exam from '#models/exam'
import ExamStudy from '#models/exam_study'
import type User from '#models/user'
import { scopeExams } from '#app/access/visibility'
import { VIEWER_BASE } from '#app/viewer/services/ohif_app'

/*
| Where "open in the viewer" goes for an exam: OHIF's viewer route with the
| exam's studies and, when the patient has one the person may see, the most
| recent earlier exam with images, hung beside it by OHIF's compare protocol
| (`@ohif/hpCompare`: the first study left, the second right). C 4.2.2: the
| report is read against the prior.
*/

export interface ViewerOpening {
  studyInstanceUids: string[]
  prior: { exam: Exam; studyInstanceUids: string[] } | null
}

async function studyUidsOf(examId: number) {
  const links = await ExamStudy.query().where('exam_id', examId).orderBy('first_received_at')
  return links.map((link) => link.studyInstanceUid)
}

/** The most recent earlier exam of the same patient with images, that this person may see; same modality first. */
export async function mostRecentPrior(user: User, exam: Exam) {
  const earlier = await scopeExams(Exam.query(), user)
    .where('exams.patient_id', exam.patientId)
    .whereNot('exams.id', exam.id)
    // Earlier: registered before, or in the same second and registered first.
    .where((query) => {
      const at = exam.registeredAt.toSQL({ includeOffset: false })!
      query
        .where('exams.registered_at', '<', at)
        .orWhere((same) => same.where('exams.registered_at', at).where('exams.id', '<', exam.id))
    })
    .whereExists((query) =>
      query.from('exam_studies').whereColumn('exam_studies.exam_id', 'exams.id')
    )
    .orderBy('exams.registered_at', 'desc')
    .limit(20)
  return earlier.find((prior) => prior.modality === exam.modality) ?? earlier[0] ?? null
}

export async function viewerOpening(user: User, exam: Exam): Promise<ViewerOpening> {
  const studyInstanceUids = await studyUidsOf(exam.id)
  const prior = await mostRecentPrior(user, exam)
  return {
    studyInstanceUids,
    prior: prior ? { exam: prior, studyInstanceUids: await studyUidsOf(prior.id) } : null,
  }
}

/** OHIF's URL for an opening, in the person's language (OHIF has zh; English otherwise). */
export function viewerUrl(opening: ViewerOpening, locale: string) {
  const params = new URLSearchParams()
  const priorUid = opening.prior?.studyInstanceUids[0]
  params.set(
    'StudyInstanceUIDs',
    [...opening.studyInstanceUids, ...(priorUid ? [priorUid] : [])].join(',')
  )
  if (priorUid && opening.studyInstanceUids.length === 1)
    params.set('hangingProtocolId', '@ohif/hpCompare')
  params.set('lng', locale.startsWith('zh') ? 'zh' : 'en-US')
  return `${VIEWER_BASE}/viewer?${params.toString()}`
}
