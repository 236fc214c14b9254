import { inject } from '@adonisjs/core'
import { DateTime } from 'luxon'
import logger from '@adonisjs/core/services/logger'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import Exam from '#models/exam'
import ExamStudy from '#models/exam_study'
import ReportVersion, { type ReportHeader } from '#models/report_version'
import User from '#models/user'
import imaging from '#config/imaging'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { ageLabel, type PriorExam, type ReportContent } from '#app/reading/services/report_rules'

/*
| What a report is written against: its versions, the patient's earlier exams
| across the alliance (C 4.2.2), and the header B appendix A prints.
*/

export function versionContent(version: ReportVersion): ReportContent {
  return {
    technique: version.technique,
    findings: version.findings,
    impression: version.impression,
    comparison: version.comparison,
    priorExamId: version.priorExamId,
    noComparisonReason: version.noComparisonReason,
  }
}

/** The version being written or reviewed, if any (at most one at a time). */
export function workingVersion(examId: number, client?: QueryClientContract) {
  return ReportVersion.query(client ? { client } : {})
    .where('exam_id', examId)
    .whereIn('status', ['draft', 'pending_review'])
    .orderBy('version_no', 'desc')
    .first()
}

/** The version the clinic reads: the latest signed one. */
export function latestSigned(examId: number) {
  return ReportVersion.query()
    .where('exam_id', examId)
    .where('status', 'signed')
    .orderBy('version_no', 'desc')
    .first()
}

export function allVersions(examId: number) {
  return ReportVersion.query()
    .where('exam_id', examId)
    .preload('author')
    .preload('signer')
    .preload('lastModifiedBy')
    .preload('returnedBy')
    .orderBy('version_no', 'asc')
}

/** The exam's name as a report prints it: each item, e.g. "CT 头部平扫". */
export function examName(exam: Exam) {
  const items = exam.$preloaded.items ? exam.items : []
  const named = (name: string) =>
    /CT|MR|DR|X线|磁共振|摄/i.test(name) ? name : `${exam.modality} ${name}`
  return items.length ? items.map((item) => named(item.sourceName)).join('；') : exam.modality
}

function bodyParts(exam: Exam) {
  return (exam.$preloaded.items ? exam.items : []).map((item) =>
    item.bodyPart.replace(/[（(].*?[)）]/g, '')
  )
}

/** Same modality or a shared body part: a prior B would have the report compare with. */
export function isComparable(exam: Exam, prior: Exam) {
  if (exam.modality === prior.modality) return true
  const parts = bodyParts(exam)
  return bodyParts(prior).some((p) => parts.some((q) => p.includes(q) || q.includes(p)))
}

export interface PriorView {
  exam: Exam
  examDate: DateTime
  comparable: boolean
  report: ReportVersion | null
}

@inject()
export class ReportContext {
  constructor(protected orthanc: OrthancClient) {}

  /** The day an exam was done: its study date, else the images' arrival, in the hospital's zone. */
  examDate(exam: Exam, studies: ExamStudy[] = []) {
    const dated = studies.find((s) => s.studyDate)
    if (dated?.studyDate)
      return DateTime.fromObject(dated.studyDate.toObject(), { zone: imaging.displayTimezone })
    return (exam.imagesReceivedAt ?? exam.registeredAt).setZone(imaging.displayTimezone)
  }

  /**
   * The patient's earlier exams with images anywhere in the alliance (one
   * patient record across clinics), newest first, with their signed reports.
   */
  async priors(exam: Exam): Promise<PriorView[]> {
    if (!exam.$preloaded.items) await exam.load('items')
    const earlier = await Exam.query()
      .where('patient_id', exam.patientId)
      .whereNot('id', exam.id)
      .where('registered_at', '<', exam.registeredAt.toSQL({ includeOffset: false })!)
      .whereNotNull('images_received_at')
      .preload('items')
      .preload('institution')
      .preload('studies')
      .orderBy('registered_at', 'desc')
      .limit(20)
    const views: PriorView[] = []
    for (const prior of earlier) {
      views.push({
        exam: prior,
        examDate: this.examDate(prior, prior.studies),
        comparable: isComparable(exam, prior),
        report: (await latestSigned(prior.id)) ?? null,
      })
    }
    return views
  }

  /** The priors the comparison rule counts, as the rule wants them. */
  comparablePriors(priors: PriorView[]): PriorExam[] {
    return priors
      .filter((p) => p.comparable)
      .map((p) => ({
        id: p.exam.id,
        examDate: p.examDate,
        modality: p.exam.modality,
        name: examName(p.exam),
      }))
  }

  /**
   * B: exam date with year, month, day and time with hour and minute. Taken
   * from the study's DICOM StudyDate/StudyTime in Orthanc; when Orthanc cannot
   * say, the images' arrival (within the hour of the exam, R 7.1.1).
   */
  async examTime(exam: Exam): Promise<DateTime | null> {
    const study = await ExamStudy.query()
      .where('exam_id', exam.id)
      .orderBy('first_received_at')
      .first()
    if (study) {
      try {
        const tags = (await this.orthanc.study(study.orthancStudyId)).MainDicomTags
        if (tags.StudyDate) {
          const time = (tags.StudyTime ?? '000000').replace(/\..*$/, '').padEnd(6, '0').slice(0, 6)
          const parsed = DateTime.fromFormat(
            `${tags.StudyDate.slice(0, 8)}${time}`,
            'yyyyMMddHHmmss',
            { zone: imaging.displayTimezone }
          )
          if (parsed.isValid) return parsed
        }
      } catch (error) {
        logger.warn(
          { err: error, exam: exam.accessionNumber },
          'exam time not read from Orthanc; using the arrival time'
        )
      }
      return study.firstReceivedAt.setZone(imaging.displayTimezone)
    }
    return exam.imagesReceivedAt?.setZone(imaging.displayTimezone) ?? null
  }

  /** B appendix A header, frozen into the version when it is signed. */
  async header(exam: Exam, authorId: number, signer: User): Promise<ReportHeader> {
    await exam.load((l) => l.load('patient').load('institution').load('items'))
    if (!signer.$preloaded.institution) await signer.load('institution')
    const author = authorId === signer.id ? signer : await User.findOrFail(authorId)
    const examTime = await this.examTime(exam)
    return {
      hospital: signer.institution.name,
      accessionNumber: exam.accessionNumber,
      patientName: exam.patient.name,
      sex: exam.patient.sex,
      age: ageLabel(exam.patient.birthDate, examTime ?? exam.registeredAt),
      department: exam.department,
      clinicalDiagnosis: exam.clinicalDiagnosis,
      clinic: exam.institution.name,
      examName: examName(exam),
      examTime: examTime ? examTime.toFormat('yyyy-MM-dd HH:mm') : null,
      modality: exam.modality,
      authorName: author.fullName,
      signerName: signer.fullName,
    }
  }
}
