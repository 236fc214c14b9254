import { inject } from '@adonisjs/core'
import Exam from '#models/exam'
import ClinicPatient from '#models/clinic_patient'
import ExamStudy from '#models/exam_study'
import type User from '#models/user'
import type ReportVersion from '#models/report_version'
import { Clock } from '#app/platform/clock'
import { doctorOf, readingDoctors } from '#app/reading/services/doctors'
import { singleSignatureAllowed } from '#app/reading/services/reading_settings'
import { timeLeft } from '#app/reading/services/turnaround'
import { ReportContext, allVersions, versionContent } from '#app/reading/services/report_context'
import { draftFor } from '#app/reading/services/sign_off'
import { templatesForExam, phrasesForModality } from '#app/reading/services/templates'
import {
  editRefusal,
  isIntermediateOrAbove,
  signRefusal,
  type ReportContent,
} from '#app/reading/services/report_rules'

/*
| Everything the reading page shows for one exam: the request, the images, the
| patient's earlier exams with their reports (C 4.2.2), the report being
| written or reviewed, and what this doctor may do with it now.
*/

export type WorkspaceMode = 'write' | 'review' | 'read'

@inject()
export class Workspace {
  constructor(
    protected clock: Clock,
    protected context: ReportContext
  ) {}

  async forExam(user: User, exam: Exam) {
    await exam.load((l) => l.load('patient').load('institution').load('items').load('claimedBy'))
    const doctor = await doctorOf(user)
    const [clinicPatient, studies, versions, priors, singleSignature] = await Promise.all([
      ClinicPatient.query()
        .where('patient_id', exam.patientId)
        .where('institution_id', exam.institutionId)
        .first(),
      ExamStudy.query().where('exam_id', exam.id).orderBy('first_received_at'),
      allVersions(exam.id),
      this.context.priors(exam),
      singleSignatureAllowed(),
    ])
    const working = versions.find((v) => v.status !== 'signed') ?? null
    const signed = versions.filter((v) => v.status === 'signed')
    const latestSigned = signed[signed.length - 1] ?? null

    // The text the editor opens with: the person's own draft when it continues the current revision.
    const draft = working ? await draftFor(exam.id, user.id) : null
    const draftCurrent = Boolean(
      draft &&
      working &&
      draft.versionNo === working.versionNo &&
      draft.baseRevision === working.revision
    )
    const content: ReportContent | null = working
      ? draftCurrent
        ? {
            technique: draft!.technique,
            findings: draft!.findings,
            impression: draft!.impression,
            comparison: draft!.comparison,
            priorExamId: draft!.priorExamId,
            noComparisonReason: draft!.noComparisonReason,
          }
        : versionContent(working)
      : null
    const staleDraft = draft && !draftCurrent && working ? draft : null

    const editable = !editRefusal(doctor, working, exam.claimedById)
    const mode: WorkspaceMode =
      !working || !editable ? 'read' : working.status === 'draft' ? 'write' : 'review'
    const canSign =
      Boolean(working) &&
      !signRefusal(doctor, working!, { singleSignature }, user.id) &&
      (working!.status !== 'draft' || exam.claimedById === user.id)
    const queued = exam.inReadingQueue && ['images_received', 'in_progress'].includes(exam.status)
    const now = this.clock.now()
    const left =
      exam.inReadingQueue && exam.dueAt && exam.imagesReceivedAt
        ? {
            ...timeLeft(
              exam.dueAt,
              now,
              Math.max(1, exam.dueAt.diff(exam.imagesReceivedAt, 'minutes').minutes)
            ),
            dueAt: exam.dueAt,
          }
        : null

    return {
      exam,
      clinicPatient,
      studies,
      versions,
      working,
      latestSigned,
      content,
      draftRestored: draftCurrent ? draft : null,
      staleDraft,
      priors,
      comparablePriors: priors.filter((p) => p.comparable),
      templates: mode === 'read' ? [] : await templatesForExam(exam),
      phrases: mode === 'read' ? null : await phrasesForModality(exam.modality),
      mode,
      left,
      singleSignature,
      can: {
        claim:
          doctor.isReader &&
          queued &&
          (!exam.claimedById || exam.claimedById === user.id) &&
          exam.claimedById !== user.id,
        release: exam.claimedById === user.id && exam.status === 'in_progress',
        reassign: doctor.isReader && isIntermediateOrAbove(doctor) && queued,
        submit: mode === 'write',
        sign: canSign,
        return: mode === 'review',
        amend: doctor.isReader && !working && Boolean(latestSigned),
      },
      doctors:
        doctor.isReader && isIntermediateOrAbove(doctor) && queued ? await readingDoctors() : [],
    }
  }
}

/** The report's differences from the previous signed version, field by field. */
export function previousSigned(versions: ReportVersion[], version: ReportVersion) {
  return (
    versions.filter((v) => v.status === 'signed' && v.versionNo < version.versionNo).pop() ?? null
  )
}

export type WorkspaceView = Awaited<ReturnType<Workspace['forExam']>>
