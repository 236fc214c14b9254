import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Exam from '#models/exam'
import ExamStudy from '#models/exam_study'
import UnmatchedStudy, { type UnmatchedReason } from '#models/unmatched_study'
import DicomSender from '#models/dicom_sender'
import ClinicPatient from '#models/clinic_patient'
import { Clock } from '#app/platform/clock'
import { OrthancClient, type OrthancStudy } from '#app/orthanc/orthanc_client'
import { audit } from '#app/platform/audit/audit_log'
import { realtime } from '#app/realtime/realtime'
import imaging from '#config/imaging'
import { upsert } from '#app/platform/db_helpers'
import { linkWholeStudy, reconcileStudy, StudyOfAnotherExam } from './study_links.js'

/*
| Studies that modalities send by DICOM C-STORE land in Orthanc first. This
| reads Orthanc's /changes feed, and for each study that became stable matches
| it to its exam, or lists it as unmatched for the sending clinic to attach.
| The feed position is stored in the same database as the links, after each
| handled change: a restart resumes where it stopped, and handling a study
| twice changes nothing (unique Orthanc study id), so nothing is lost or doubled.
*/

export const FEED_NAME = 'orthanc-central'

export type ArrivalOutcome =
  | { kind: 'linked'; examId: number }
  | { kind: 'refreshed'; examId: number }
  | { kind: 'unmatched'; reason: UnmatchedReason }
  | { kind: 'gone' }

function dicomDate(value?: string) {
  if (!value) return null
  const date = DateTime.fromFormat(value.slice(0, 8), 'yyyyMMdd', { zone: 'utc' })
  return date.isValid ? date : null
}

@inject()
export class DicomArrivals {
  constructor(
    protected orthanc: OrthancClient,
    protected clock: Clock
  ) {}

  async position() {
    const row = await db.from('feed_cursors').where('name', FEED_NAME).first()
    return row ? Number(row.last_seq) : 0
  }

  protected async savePosition(seq: number) {
    const now = this.clock.now().toSQL({ includeOffset: false })
    await upsert('feed_cursors', { name: FEED_NAME, last_seq: seq, updated_at: now }, 'name')
  }

  /** Reads the feed to its end; returns how many stable studies were handled. */
  async readFeed({ maxPages = 50 } = {}) {
    let since = await this.position()
    let handled = 0
    for (let page = 0; page < maxPages; page++) {
      const changes = await this.orthanc.changes(since, 100)
      for (const change of changes.Changes) {
        if (change.ChangeType === 'StableStudy') {
          await this.handleStableStudy(change.ID)
          handled++
          await this.savePosition(change.Seq)
        }
      }
      if (changes.Last > since) await this.savePosition(changes.Last)
      since = Math.max(since, changes.Last)
      if (changes.Done) break
    }
    return handled
  }

  /** Links, refreshes or lists one stable study. Safe to call again for the same study. */
  async handleStableStudy(orthancStudyId: string): Promise<ArrivalOutcome> {
    const now = this.clock.now()
    const known = await ExamStudy.findBy('orthanc_study_id', orthancStudyId)
    if (known) {
      await reconcileStudy(known, this.orthanc, now)
      return { kind: 'refreshed', examId: known.examId }
    }

    let study: OrthancStudy
    try {
      study = await this.orthanc.study(orthancStudyId)
    } catch (error: any) {
      if (error?.isNotFound) return { kind: 'gone' }
      throw error
    }
    const tags = study.MainDicomTags
    const patientTags = study.PatientMainDicomTags
    const origin = await this.originOf(study)
    const senderInstitutionId = await this.sendingInstitution(orthancStudyId, origin)

    const identity = {
      studyInstanceUid: tags.StudyInstanceUID,
      orthancStudyId,
      receivedVia: origin.viaDicom ? ('dicom' as const) : ('upload' as const),
      sendingAe: origin.aet,
      studyDate: tags.StudyDate,
    }

    const listed = await UnmatchedStudy.findBy('orthanc_study_id', orthancStudyId)
    const match = await this.findExam(tags.AccessionNumber, patientTags.PatientID, tags.StudyDate, senderInstitutionId, origin.viaDicom)
    if (match.exam && !listed) {
      try {
        await linkWholeStudy(match.exam, identity, this.orthanc, now)
      } catch (error) {
        if (!(error instanceof StudyOfAnotherExam)) throw error
        return { kind: 'refreshed', examId: error.examId }
      }
      await audit.system({
        action: 'exam.images.received_dicom',
        targetType: 'exam',
        targetId: match.exam.id,
        details: { ae: origin.aet, orthancStudyId, matchedBy: match.by },
      })
      return { kind: 'linked', examId: match.exam.id }
    }

    const reason: UnmatchedReason = match.reason ?? 'no_exam'
    const instanceCount = (await this.orthanc.studyInstances(orthancStudyId)).length
    if (listed) {
      listed.instanceCount = instanceCount
      await listed.save()
      return { kind: 'unmatched', reason: listed.reason }
    }
    await UnmatchedStudy.updateOrCreate(
      { orthancStudyId },
      {
        institutionId: senderInstitutionId,
        studyInstanceUid: tags.StudyInstanceUID,
        sendingAe: origin.aet,
        dicomPatientId: patientTags.PatientID || null,
        dicomPatientName: patientTags.PatientName || null,
        dicomAccession: tags.AccessionNumber || null,
        dicomStudyDate: dicomDate(tags.StudyDate),
        modality: origin.modality,
        instanceCount,
        reason,
        status: 'open',
        receivedAt: now,
      }
    )
    await audit.system({
      action: 'exam.images.unmatched',
      outcome: 'refused',
      targetType: 'orthanc_study',
      targetId: orthancStudyId,
      details: { ae: origin.aet, reason, institutionId: senderInstitutionId },
    })
    if (senderInstitutionId) realtime.toInstitution(senderInstitutionId, 'unmatched:new', { orthancStudyId, reason })
    return { kind: 'unmatched', reason }
  }

  /**
   * The clinic a study came from: for a DICOM C-STORE, the declared sender of the calling AE title
   * (Orthanc records it on each instance); for a study forwarded from a clinic's own store by the
   * storage capability (it arrives over REST), the clinic that store belongs to.
   */
  protected async sendingInstitution(orthancStudyId: string, origin: { aet: string | null; viaDicom: boolean }) {
    if (origin.viaDicom) {
      const sender = origin.aet ? await DicomSender.query().where('ae_title', origin.aet).first() : null
      return sender?.institutionId ?? null
    }
    const forwarded = await db
      .from('archived_studies')
      .join('storage_nodes', 'storage_nodes.id', 'archived_studies.origin_node_id')
      .where('archived_studies.orthanc_study_id', orthancStudyId)
      .where('storage_nodes.role', 'member')
      .select('storage_nodes.institution_id')
      .first()
    return forwarded?.institution_id ? Number(forwarded.institution_id) : null
  }

  /** Who sent the study: Orthanc records the calling AE title of a C-STORE on each instance. */
  protected async originOf(study: OrthancStudy) {
    const firstSeries = study.Series[0]
    if (!firstSeries) return { aet: null, viaDicom: false, modality: null }
    const series = await this.orthanc.series(firstSeries)
    const modality = series.MainDicomTags.Modality || null
    const instance = series.Instances[0]
    if (!instance) return { aet: null, viaDicom: false, modality }
    const metadata = await this.orthanc.instanceMetadata(instance)
    const viaDicom = metadata.Origin === 'DicomProtocol'
    return { aet: viaDicom ? (metadata.RemoteAET || '').trim() || null : null, viaDicom, modality }
  }

  /**
   * Accession number first (unique across the alliance); then the clinic's
   * patient number with the study date, among that clinic's exams still
   * waiting for images.
   */
  protected async findExam(
    accession: string | undefined,
    patientId: string | undefined,
    studyDate: string | undefined,
    senderInstitutionId: number | null,
    viaDicom: boolean
  ): Promise<{ exam: Exam | null; by?: string; reason?: UnmatchedReason }> {
    if (viaDicom && !senderInstitutionId) return { exam: null, reason: 'unknown_sender' }
    if (accession) {
      const exam = await Exam.findBy('accession_number', accession.trim())
      if (exam) {
        if (senderInstitutionId && exam.institutionId !== senderInstitutionId) return { exam: null, reason: 'wrong_clinic' }
        return { exam, by: 'accession' }
      }
    }
    if (!senderInstitutionId || !patientId) return { exam: null, reason: 'no_exam' }
    const clinicPatient = await ClinicPatient.query()
      .where('institution_id', senderInstitutionId)
      .where('clinic_patient_no', patientId.trim())
      .first()
    if (!clinicPatient) return { exam: null, reason: 'no_exam' }
    const day = dicomDate(studyDate)
    const candidates = await Exam.query()
      .where('institution_id', senderInstitutionId)
      .where('patient_id', clinicPatient.patientId)
      .where('status', 'registered')
      .if(day, (q) => {
        // Registered up to a day before the study (hospital time), in case the request was made the evening before.
        const start = day!.setZone(imaging.displayTimezone, { keepLocalTime: true }).minus({ days: 1 }).startOf('day').toUTC()
        const end = day!.setZone(imaging.displayTimezone, { keepLocalTime: true }).endOf('day').toUTC()
        q.whereBetween('registered_at', [start.toSQL({ includeOffset: false })!, end.toSQL({ includeOffset: false })!])
      })
    if (candidates.length === 1) return { exam: candidates[0], by: 'patient_and_date' }
    return { exam: null, reason: candidates.length > 1 ? 'ambiguous' : 'no_exam' }
  }

  /**
   * A clinic attaches one of its unmatched studies to one of its exams.
   * Both must be the clinic's own; the caller has checked the user's clinic.
   */
  async attach(unmatched: UnmatchedStudy, exam: Exam, userId: number) {
    const study = await this.orthanc.study(unmatched.orthancStudyId)
    await linkWholeStudy(
      exam,
      {
        studyInstanceUid: unmatched.studyInstanceUid,
        orthancStudyId: unmatched.orthancStudyId,
        receivedVia: 'dicom',
        sendingAe: unmatched.sendingAe,
        studyDate: study.MainDicomTags.StudyDate,
      },
      this.orthanc,
      this.clock.now()
    )
    unmatched.merge({ status: 'attached', attachedExamId: exam.id, resolvedById: userId, resolvedAt: this.clock.now() })
    await unmatched.save()
  }

  async dismiss(unmatched: UnmatchedStudy, userId: number) {
    unmatched.merge({ status: 'dismissed', resolvedById: userId, resolvedAt: this.clock.now() })
    await unmatched.save()
  }
}

export function logFeedError(error: unknown) {
  logger.error({ err: error }, 'reading the Orthanc changes feed failed; will retry')
}
