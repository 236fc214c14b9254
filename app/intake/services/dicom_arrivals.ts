import { calendarDay, dicomDate } from '#app/platform/dates'
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
import { OrthancClient, type OrthancSeries, type OrthancStudy } from '#app/orthanc/orthanc_client'
import { CENTRAL_FEED, namedCursor, readChanges } from '#app/orthanc/change_feed'
import { audit } from '#app/platform/audit/audit_log'
import { realtime } from '#app/realtime/realtime'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { sqlTime } from '#app/platform/db_helpers'
import { countsOf, linkWholeStudy, StudyOfAnotherExam } from './study_links.js'
import {
  intakeRefusal,
  overLongValue,
  type ExamFacts,
  type IntakeFacts,
  type IntakeRefusal,
} from './intake_rules.js'
import { isLossy } from '#app/intake/dicom/dicom_header'

/*
| Studies that modalities send by DICOM C-STORE (and studies a clinic's own
| store forwards) land in Orthanc first. The change feed (app/orthanc) hands
| each stable study here: it is matched to its exam and checked with the same
| intake rules as an upload; a study that breaks a rule is not linked but
| listed for the sending clinic with the reason. A series another clinic
| sends into a study already linked to an exam is held apart, audited and
| shown to the centre.
*/

export const FEED_NAME = CENTRAL_FEED

export type ArrivalOutcome =
  | { kind: 'linked'; examId: number }
  | { kind: 'refreshed'; examId: number; held: number }
  | { kind: 'unmatched'; reason: UnmatchedReason }
  | { kind: 'gone' }

function studyDay(value?: string) {
  const day = dicomDate(value)
  return day ? calendarDay(day.toISODate()!) : null
}

/** A series as the rules see it, with who sent it. */
interface SeriesFacts {
  series: OrthancSeries
  sopInstanceUids: Array<string | null>
  transferSyntaxes: Array<string | null>
  lossyImageCompression: string | null
  viaDicom: boolean
  aet: string | null
  senderInstitutionId: number | null
}

export interface StudyFacts {
  study: OrthancStudy
  series: SeriesFacts[]
}

async function mapLimit<T, R>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<R>
): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++
        results[index] = await work(items[index])
      }
    })
  )
  return results
}

export function factsOf(study: StudyFacts, series: SeriesFacts[] = study.series): IntakeFacts {
  const tags = study.study.MainDicomTags
  const patient = study.study.PatientMainDicomTags
  return {
    studyInstanceUid: tags.StudyInstanceUID || null,
    seriesInstanceUids: series.map((s) => s.series.MainDicomTags.SeriesInstanceUID || null),
    sopInstanceUids: series.flatMap((s) => s.sopInstanceUids),
    accessionNumber: tags.AccessionNumber || null,
    patientId: patient.PatientID || null,
    patientName: patient.PatientName || null,
    modalities: series.map((s) => s.series.MainDicomTags.Modality || null),
    transferSyntaxes: series.flatMap((s) => s.transferSyntaxes),
    lossyImageCompression: series.map((s) => s.lossyImageCompression),
  }
}

@inject()
export class DicomArrivals {
  constructor(
    protected orthanc: OrthancClient,
    protected clock: Clock
  ) {}

  async position() {
    return namedCursor(FEED_NAME, () => this.clock.now()).load()
  }

  /**
   * Reads the central feed to its end for every subscriber (intake and
   * storage); returns how many changes were handled. What the scheduled job runs.
   */
  async readFeed({ maxPages = 50 } = {}) {
    const summary = await readChanges({
      feed: FEED_NAME,
      client: this.orthanc,
      cursor: namedCursor(FEED_NAME, () => this.clock.now()),
      now: () => this.clock.now(),
      maxPages,
    })
    return summary.handled
  }

  /** What Orthanc holds of a study: its series, each instance's transfer syntax, and who sent each series. */
  async studyFacts(orthancStudyId: string): Promise<StudyFacts | null> {
    let study: OrthancStudy
    try {
      study = await this.orthanc.study(orthancStudyId)
    } catch (error: any) {
      if (error?.isNotFound) return null
      throw error
    }
    const [seriesList, instances] = await Promise.all([
      this.orthanc.studySeries(orthancStudyId),
      this.orthanc.studyInstances(orthancStudyId),
    ])
    const metadata = await mapLimit(instances, 8, async (instance) => ({
      instance,
      metadata: await this.orthanc.instanceMetadata(instance.ID),
    }))
    const senders = new Map<string, number | null>()
    const series: SeriesFacts[] = []
    for (const one of seriesList) {
      const mine = metadata.filter((m) => m.instance.ParentSeries === one.ID)
      const fromDicom = mine.find((m) => m.metadata.Origin === 'DicomProtocol')
      const aet = fromDicom ? (fromDicom.metadata.RemoteAET || '').trim() || null : null
      let senderInstitutionId: number | null = null
      if (fromDicom) {
        if (aet && !senders.has(aet))
          senders.set(
            aet,
            (await DicomSender.query().where('ae_title', aet).first())?.institutionId ?? null
          )
        senderInstitutionId = aet ? (senders.get(aet) ?? null) : null
      } else {
        senderInstitutionId = await this.forwardingInstitution(orthancStudyId)
      }
      // (0028,2110) is an image-level attribute that devices set per series: the first instance of each is read.
      const lossyImageCompression = mine[0]
        ? await this.orthanc.instanceTag(mine[0].instance.ID, '0028-2110')
        : null
      series.push({
        series: one,
        sopInstanceUids: mine.map((m) => m.instance.MainDicomTags.SOPInstanceUID || null),
        transferSyntaxes: mine.map((m) => m.metadata.TransferSyntax || null),
        lossyImageCompression,
        viaDicom: !!fromDicom,
        aet,
        senderInstitutionId,
      })
    }
    return { study, series }
  }

  /** Links, refreshes or lists one stable study. Safe to call again for the same study. */
  async handleStableStudy(orthancStudyId: string): Promise<ArrivalOutcome> {
    const now = this.clock.now()
    const facts = await this.studyFacts(orthancStudyId)
    if (!facts) return { kind: 'gone' }
    const known = await ExamStudy.findBy('orthanc_study_id', orthancStudyId)
    if (known) return this.refreshKnown(known, facts, now)

    const tags = facts.study.MainDicomTags
    const patientTags = facts.study.PatientMainDicomTags
    const first = facts.series[0]
    const viaDicom = facts.series.some((s) => s.viaDicom)
    const aet = facts.series.find((s) => s.aet)?.aet ?? null
    const senderInstitutionId = first?.senderInstitutionId ?? null

    const listed = await UnmatchedStudy.findBy('orthanc_study_id', orthancStudyId)
    const match = listed
      ? { exam: null, reason: listed.reason }
      : await this.findExam(
          tags.AccessionNumber,
          patientTags.PatientID,
          tags.StudyDate,
          senderInstitutionId,
          viaDicom
        )
    let refusal: IntakeRefusal | null = null
    if (match.exam) {
      refusal = intakeRefusal(factsOf(facts), await examFacts(match.exam), senderInstitutionId)
      if (!refusal) {
        try {
          await linkWholeStudy(
            match.exam,
            {
              studyInstanceUid: tags.StudyInstanceUID,
              orthancStudyId,
              receivedVia: viaDicom ? 'dicom' : 'upload',
              sendingAe: aet,
              studyDate: tags.StudyDate,
            },
            countsOf(facts.series.map((s) => s.series)),
            now
          )
        } catch (error) {
          if (!(error instanceof StudyOfAnotherExam)) throw error
          return { kind: 'refreshed', examId: error.examId, held: 0 }
        }
        await audit.system({
          action: 'exam.images.received_dicom',
          targetType: 'exam',
          targetId: match.exam.id,
          details: { ae: aet, orthancStudyId, matchedBy: match.by },
        })
        return { kind: 'linked', examId: match.exam.id }
      }
    }

    // The clinic is told the true reason: a broken study is refused for what it is, whatever it matched.
    const intrinsic =
      overLongValue(factsOf(facts)) ??
      (facts.series.some((s) =>
        s.transferSyntaxes.some((ts) =>
          isLossy({ transferSyntaxUid: ts ?? '', lossyImageCompression: s.lossyImageCompression })
        )
      )
        ? { reason: 'lossy_compression' as const }
        : null)
    const why: { reason: string; detail?: Record<string, string | number> } = intrinsic ??
      refusal ?? { reason: match.reason ?? 'no_exam' }
    const reason = why.reason as UnmatchedReason
    const instanceCount = facts.series.reduce((n, s) => n + s.series.Instances.length, 0)
    const modality =
      facts.series
        .map((s) => s.series.MainDicomTags.Modality)
        .filter(Boolean)
        .join('\\') || null
    if (listed) {
      listed.merge({
        instanceCount,
        ...(listed.status === 'open' ? { reason, reasonDetail: why.detail ?? null } : {}),
      })
      await listed.save()
      return { kind: 'unmatched', reason: listed.reason }
    }
    await UnmatchedStudy.create({
      orthancStudyId,
      institutionId: senderInstitutionId,
      studyInstanceUid: tags.StudyInstanceUID ?? '',
      sendingAe: aet,
      dicomPatientId: patientTags.PatientID || null,
      dicomPatientName: patientTags.PatientName || null,
      dicomAccession: tags.AccessionNumber || null,
      // A DATE column holds the calendar day itself (stored as UTC midnight, as every date column here).
      dicomStudyDate: studyDay(tags.StudyDate),
      modality,
      instanceCount,
      reason,
      reasonDetail: why.detail ?? null,
      status: 'open',
      receivedAt: now,
    })
    await audit.system({
      action: 'exam.images.unmatched',
      outcome: 'refused',
      targetType: 'orthanc_study',
      targetId: orthancStudyId,
      details: {
        ae: aet,
        reason,
        detail: why.detail ?? null,
        institutionId: senderInstitutionId,
        examId: match.exam?.id ?? null,
      },
    })
    if (senderInstitutionId)
      realtime.toInstitution(senderInstitutionId, 'unmatched:new', { orthancStudyId, reason })
    return { kind: 'unmatched', reason }
  }

  /**
   * A study already linked became stable again (more images arrived). Series
   * another clinic sent, or that break a rule, are held apart; the counts are
   * set from what Orthanc holds of the rest.
   */
  protected async refreshKnown(
    known: ExamStudy,
    facts: StudyFacts,
    now: DateTime
  ): Promise<ArrivalOutcome> {
    const exam = await Exam.findOrFail(known.examId)
    const examRules = await examFacts(exam)
    const alreadyHeld = new Set(
      (
        await db
          .from('held_series')
          .where('orthanc_study_id', known.orthancStudyId)
          .whereIn('status', ['held', 'removed'])
          .select('orthanc_series_id')
      ).map((r) => r.orthanc_series_id)
    )
    const kept: SeriesFacts[] = []
    let held = 0
    for (const series of facts.series) {
      if (alreadyHeld.has(series.series.ID)) {
        held++
        continue
      }
      // Series that came through the app (uploads) were checked file by file; DICOM series are checked here.
      const refusal = series.viaDicom
        ? intakeRefusal(factsOf(facts, [series]), examRules, series.senderInstitutionId)
        : null
      if (refusal) {
        await this.holdApart(exam, known, series, refusal, now)
        held++
      } else {
        kept.push(series)
      }
    }
    try {
      await linkWholeStudy(
        exam,
        {
          studyInstanceUid: known.studyInstanceUid,
          orthancStudyId: known.orthancStudyId,
          receivedVia: known.receivedVia,
          sendingAe: known.sendingAe,
        },
        countsOf(kept.map((s) => s.series)),
        now
      )
    } catch (error) {
      if (!(error instanceof StudyOfAnotherExam)) throw error
    }
    return { kind: 'refreshed', examId: exam.id, held }
  }

  protected async holdApart(
    exam: Exam,
    known: ExamStudy,
    series: SeriesFacts,
    refusal: IntakeRefusal,
    now: DateTime
  ) {
    const reason = refusal.reason === 'wrong_clinic' ? 'another_clinic' : refusal.reason
    const inserted = await db
      .knexQuery()
      .table('held_series')
      .insert({
        orthanc_series_id: series.series.ID,
        orthanc_study_id: known.orthancStudyId,
        series_instance_uid: series.series.MainDicomTags.SeriesInstanceUID ?? '',
        exam_id: exam.id,
        sender_institution_id: series.senderInstitutionId,
        sending_ae: series.aet,
        modality: series.series.MainDicomTags.Modality ?? null,
        instance_count: series.series.Instances.length,
        reason,
        status: 'held',
        received_at: sqlTime(now),
        created_at: sqlTime(now),
        updated_at: sqlTime(now),
      })
      .onConflict('orthanc_series_id')
      .ignore()
    if (!inserted || (Array.isArray(inserted) && Number(inserted[0]) === 0)) return
    await audit.system({
      action: 'exam.images.series_held',
      outcome: 'refused',
      targetType: 'exam',
      targetId: exam.id,
      details: {
        orthancSeriesId: series.series.ID,
        ae: series.aet,
        senderInstitutionId: series.senderInstitutionId,
        reason,
        detail: refusal.detail ?? null,
      },
    })
    logger.warn(
      { exam: exam.accessionNumber, series: series.series.ID, ae: series.aet, reason },
      'a series was held apart from its study'
    )
  }

  /** For a study forwarded from a clinic's own store by the storage capability (over REST): that store's clinic. */
  protected async forwardingInstitution(orthancStudyId: string) {
    const forwarded = await db
      .from('archived_studies')
      .join('storage_nodes', 'storage_nodes.id', 'archived_studies.origin_node_id')
      .where('archived_studies.orthanc_study_id', orthancStudyId)
      .where('storage_nodes.role', 'member')
      .select('storage_nodes.institution_id')
      .first()
    return forwarded?.institution_id ? Number(forwarded.institution_id) : null
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
    if (accession?.trim()) {
      const exam = await Exam.findBy('accession_number', accession.trim().slice(0, 64))
      if (exam) {
        if (senderInstitutionId && exam.institutionId !== senderInstitutionId)
          return { exam: null, reason: 'wrong_clinic' }
        return { exam, by: 'accession' }
      }
    }
    if (!senderInstitutionId || !patientId) return { exam: null, reason: 'no_exam' }
    const clinicPatient = await ClinicPatient.query()
      .where('institution_id', senderInstitutionId)
      .where('clinic_patient_no', patientId.trim().slice(0, 64))
      .first()
    if (!clinicPatient) return { exam: null, reason: 'no_exam' }
    const day = dicomDate(studyDate)
    const candidates = await Exam.query()
      .where('institution_id', senderInstitutionId)
      .where('patient_id', clinicPatient.patientId)
      .where('status', 'registered')
      .if(day, (q) => {
        // Registered up to a day before the study (hospital time), in case the request was made the evening before.
        const start = day!.minus({ days: 1 }).startOf('day').toUTC()
        const end = day!.endOf('day').toUTC()
        q.whereBetween('registered_at', [
          start.toSQL({ includeOffset: false })!,
          end.toSQL({ includeOffset: false })!,
        ])
      })
    if (candidates.length === 1) return { exam: candidates[0], by: 'patient_and_date' }
    return { exam: null, reason: candidates.length > 1 ? 'ambiguous' : 'no_exam' }
  }

  /**
   * A clinic attaches one of its unmatched studies to one of its exams. Both
   * must be the clinic's own (the caller checked the user's clinic); the
   * study must pass the intake rules for that exam, or nothing changes.
   */
  async attach(unmatched: UnmatchedStudy, exam: Exam, userId: number) {
    const facts = await this.studyFacts(unmatched.orthancStudyId)
    if (!facts) throw DomainRefusal.notFound('study')
    const studyFacts = factsOf(facts)
    const rules = await examFacts(exam)
    const patientIdOfAnotherPatient =
      !!studyFacts.patientId &&
      studyFacts.patientId.trim() !== rules.clinicPatientNo &&
      !!(await ClinicPatient.query()
        .where('institution_id', exam.institutionId)
        .where('clinic_patient_no', studyFacts.patientId.trim().slice(0, 64))
        .first())
    const refusal = intakeRefusal(studyFacts, rules, unmatched.institutionId, {
      confirmedByClinic: true,
      patientIdOfAnotherPatient,
    })
    if (refusal) {
      throw new DomainRefusal(
        refusal.reason,
        `intake.upload.reasons.${refusal.reason}`,
        refusal.detail ?? {},
        422
      )
    }
    const now = this.clock.now()
    try {
      await linkWholeStudy(
        exam,
        {
          studyInstanceUid: unmatched.studyInstanceUid,
          orthancStudyId: unmatched.orthancStudyId,
          receivedVia: 'dicom',
          sendingAe: unmatched.sendingAe,
          studyDate: facts.study.MainDicomTags.StudyDate,
        },
        countsOf(facts.series.map((s) => s.series)),
        now,
        (trx) =>
          trx
            .from('unmatched_studies')
            .where('id', unmatched.id)
            .update({
              status: 'attached',
              attached_exam_id: exam.id,
              resolved_by_id: userId,
              resolved_at: sqlTime(now),
              updated_at: sqlTime(now),
            })
      )
    } catch (error) {
      if (error instanceof StudyOfAnotherExam)
        throw new DomainRefusal(
          'study_of_another_exam',
          'intake.upload.reasons.study_of_another_exam',
          {},
          409
        )
      throw error
    }
    await unmatched.refresh()
  }

  async dismiss(unmatched: UnmatchedStudy, userId: number) {
    unmatched.merge({ status: 'dismissed', resolvedById: userId, resolvedAt: this.clock.now() })
    await unmatched.save()
  }
}

/** The exam as the intake rules see it. */
export async function examFacts(exam: Exam): Promise<ExamFacts> {
  const clinicPatient = await ClinicPatient.query()
    .where('patient_id', exam.patientId)
    .where('institution_id', exam.institutionId)
    .first()
  return {
    accessionNumber: exam.accessionNumber,
    modality: exam.modality,
    clinicPatientNo: clinicPatient?.clinicPatientNo ?? null,
    institutionId: exam.institutionId,
  }
}

/** Series of these Orthanc studies held apart (not the exam's images). */
export async function heldSeriesIds(orthancStudyIds: string[]) {
  if (orthancStudyIds.length === 0) return new Set<string>()
  const rows = await db
    .from('held_series')
    .whereIn('orthanc_study_id', orthancStudyIds)
    .whereIn('status', ['held', 'removed'])
    .select('orthanc_series_id')
  return new Set(rows.map((r) => r.orthanc_series_id as string))
}

export function logFeedError(error: unknown) {
  logger.error({ err: error }, 'reading the Orthanc changes feed failed; will retry')
}
