import { Readable } from 'node:stream'
import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import Exam from '#models/exam'
import ExamStudy from '#models/exam_study'
import ClinicPatient from '#models/clinic_patient'
import imaging from '#config/imaging'
import { Clock } from '#app/platform/clock'
import { OrthancClient, OrthancError } from '#app/orthanc/orthanc_client'
import { parseDicomHeader, DicomStructure, type DicomHeader } from '#app/intake/dicom/dicom_header'
import {
  claimStudy,
  countsOf,
  linkStoredInstance,
  linkUploadedStudy,
  orthancInstanceIdOf,
  orthancStudyIdOf,
  StudyOfAnotherExam,
  UidTooLong,
  type StudyIdentity,
} from './study_links.js'
import { heldSeriesIds } from './dicom_arrivals.js'
import {
  intakeRefusal,
  studyDateWarning,
  type ExamFacts,
  type IntakeFacts,
} from './intake_rules.js'

/*
| Receiving one DICOM instance for an exam from a browser or an integration.
| The file streams through: its first bytes are read to check who and what it
| is, then those bytes and the rest go straight on to Orthanc. Nothing is held
| whole in memory and nothing is written to disk by the app.
*/

export const REJECT_REASONS = [
  'not_dicom',
  'malformed',
  'truncated',
  'unsupported_syntax',
  'lossy_compression',
  'missing_uids',
  'value_too_long',
  'wrong_clinic',
  'accession_mismatch',
  'patient_mismatch',
  'modality_mismatch',
  'study_of_another_exam',
  'too_large',
  'store_failed',
] as const
export type RejectReason = (typeof REJECT_REASONS)[number]

export interface DateWarning {
  code: 'study_date_before_request' | 'study_date_in_future'
  studyDate: string
  requestDate: string
}

export type InstanceOutcome =
  | {
      status: 'stored' | 'already_stored'
      sopInstanceUid: string
      orthancInstanceId: string
      warning?: DateWarning | null
    }
  | { status: 'rejected'; reason: RejectReason; detail?: Record<string, string | number> }

/** Bytes read before giving up on finding the header (large private tags, icons). */
const MAX_HEADER_BYTES = 16 * 1024 * 1024

export type ExamIdentity = ExamFacts

/** The facts of one instance, from its header. */
export function instanceFacts(header: DicomHeader): IntakeFacts {
  return {
    studyInstanceUid: header.studyInstanceUid,
    seriesInstanceUids: [header.seriesInstanceUid],
    sopInstanceUids: [header.sopInstanceUid],
    accessionNumber: header.accessionNumber,
    patientId: header.patientId,
    patientName: header.patientName,
    modalities: [header.modality],
    transferSyntaxes: [header.transferSyntaxUid],
    lossyImageCompression: [header.lossyImageCompression],
  }
}

/**
 * Does this instance belong to this exam? The intake rules, applied to one
 * file's header; the uploader's clinic is the exam's (checked before).
 */
export function instanceRefusal(header: DicomHeader, exam: ExamIdentity): RejectReason | null {
  return intakeRefusal(instanceFacts(header), exam, exam.institutionId)?.reason ?? null
}

/** The file went past the size limit while streaming: the request answers 413 at once. */
export class UploadTooLarge extends Error {
  constructor(public limit: number) {
    super('upload over the size limit')
  }
}

class TooLarge extends Error {}

/** Reads from a paused stream until `enough(prefix)` or the end, leaving the rest unread. */
function readPrefix(
  stream: Readable,
  enough: (prefix: Buffer) => boolean
): Promise<{ prefix: Buffer; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const cleanup = () => {
      stream.off('readable', onReadable)
      stream.off('end', onEnd)
      stream.off('error', onError)
    }
    const onReadable = () => {
      let chunk: Buffer | null
      while ((chunk = stream.read()) !== null) {
        chunks.push(chunk)
        size += chunk.length
        const prefix = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)
        chunks.length = 0
        chunks.push(prefix)
        if (enough(prefix) || size >= MAX_HEADER_BYTES) {
          cleanup()
          resolve({ prefix, ended: false })
          return
        }
      }
    }
    const onEnd = () => {
      cleanup()
      resolve({ prefix: Buffer.concat(chunks, size), ended: true })
    }
    const onError = (error: Error) => {
      cleanup()
      reject(error)
    }
    stream.on('readable', onReadable)
    stream.on('end', onEnd)
    stream.on('error', onError)
  })
}

class Truncated extends Error {}

/**
 * The prefix, then the rest of the source, as one stream for Orthanc. Fails
 * once more than `limit` bytes went by, and, when the file ends inside an
 * element, before its last bytes go out (so Orthanc never stores a cut file).
 * The source is read by hand, never destroyed: a multipart parser must be able
 * to move on to the next part.
 */
function continueStream(
  prefix: Buffer,
  rest: Readable | null,
  limit: number,
  structure: DicomStructure | null,
  failure: { error: Error | null }
) {
  let sent = 0
  let held: Buffer | null = null
  let finished = !rest
  const out = new Readable({
    read() {
      pump()
    },
  })
  const fail = (error: Error) => {
    // Kept for the caller: the HTTP client reports only that the body broke, not why.
    failure.error = error
    detach()
    if (!(error instanceof TooLarge) && rest && !rest.readableEnded) drain(rest)
    out.destroy(error)
  }
  const pass = (chunk: Buffer) => {
    sent += chunk.length
    if (sent > limit) {
      fail(new TooLarge())
      return false
    }
    structure?.feed(chunk)
    // One chunk is held back until the next arrives: the last one goes only if the file is whole.
    const previous = held
    held = chunk
    return previous ? out.push(previous) : true
  }
  const finish = () => {
    finished = true
    detach()
    if (structure && structure.verdict() === 'truncated') return fail(new Truncated())
    if (held) out.push(held)
    held = null
    out.push(null)
  }
  const onReadable = () => pump()
  const onEnd = () => finish()
  const onError = (error: Error) => fail(error)
  const detach = () => {
    rest?.off('readable', onReadable)
    rest?.off('end', onEnd)
    rest?.off('error', onError)
  }
  function pump() {
    if (finished || !rest) return
    let chunk: Buffer | null
    while ((chunk = rest.read()) !== null) {
      if (!pass(chunk)) return
    }
  }
  if (!pass(prefix)) return out
  if (rest) {
    rest.on('readable', onReadable)
    rest.on('end', onEnd)
    rest.on('error', onError)
    if (rest.readableEnded) finish()
  } else {
    finish()
  }
  // The failure reaches the caller through the Orthanc request's rejection; an 'error' event
  // without a listener would take the whole server down.
  out.on('error', () => {})
  return out
}

/*
| Facts that never change once true, remembered so that the thousandth slice of
| a folder costs no more lookups than the first: which exam a study belongs to,
| and which patient number an exam's clinic uses. Bounded, per process.
*/
const CACHE_LIMIT = 20_000
const studyOwner = new Map<string, number>()
const identities = new Map<number, ExamIdentity>()
function remember<K, V>(cache: Map<K, V>, key: K, value: V) {
  if (cache.size >= CACHE_LIMIT) cache.clear()
  cache.set(key, value)
}

/** Lets the rest of a refused file flow by, so the next file of a multipart request can be read. */
function drain(stream: Readable) {
  stream.on('error', () => {})
  if (!stream.readableEnded) stream.resume()
}

/**
 * The files of one multipart request, handled as one batch: the exam, token
 * and audit are paid once per request (by the controller), and here what
 * Orthanc already holds of a study is read once, so an instance it holds is
 * answered "already stored" without sending its bytes again (a re-run of an
 * interrupted batch stores nothing twice), and the instances stored are
 * linked to the exam at the end, in one transaction per study
 * (`ImageIntake.finishBatch`), instead of one per file.
 */
export class UploadBatch {
  /** Orthanc instance ids held per Orthanc study, read once per batch */
  readonly held = new Map<string, Promise<Set<string>>>()
  /** the studies this batch sent to or found in Orthanc, linked at the end */
  readonly studies = new Map<string, StudyIdentity>()
  /** the date warning per Study Date (one date parse per batch, not per file) */
  readonly dateWarnings = new Map<string, DateWarning | null>()
  finished = false
}

@inject()
export class ImageIntake {
  constructor(
    protected orthanc: OrthancClient,
    protected clock: Clock
  ) {}

  async examIdentity(exam: Exam): Promise<ExamIdentity> {
    const known = identities.get(exam.id)
    // An id the database handed out again (a restored or emptied database) must not lend another exam's facts.
    if (
      known &&
      known.accessionNumber === exam.accessionNumber &&
      known.institutionId === exam.institutionId
    )
      return known
    const clinicPatient = await ClinicPatient.query()
      .where('patient_id', exam.patientId)
      .where('institution_id', exam.institutionId)
      .first()
    const identity = {
      accessionNumber: exam.accessionNumber,
      modality: exam.modality,
      clinicPatientNo: clinicPatient?.clinicPatientNo ?? null,
      institutionId: exam.institutionId,
    }
    remember(identities, exam.id, identity)
    return identity
  }

  /**
   * Checks one file against its exam and streams it to Orthanc.
   * @param declaredSize the Content-Length when the client sent one
   * @throws UploadTooLarge when the file passes the size limit (the request answers 413 at once)
   */
  async receive(
    exam: Exam,
    source: Readable,
    identity: ExamIdentity,
    declaredSize?: number,
    batch?: UploadBatch
  ): Promise<InstanceOutcome> {
    const limit = imaging.upload.maxFileBytes
    if (declaredSize !== undefined && declaredSize > limit) throw new UploadTooLarge(limit)

    let parsed: ReturnType<typeof parseDicomHeader> = { state: 'need_more' }
    const { prefix, ended } = await readPrefix(source, (bytes) => {
      parsed = parseDicomHeader(bytes, false)
      return parsed.state !== 'need_more'
    })
    if (prefix.length > limit) throw new UploadTooLarge(limit)
    if (ended || parsed.state === 'need_more') parsed = parseDicomHeader(prefix, ended)
    if (parsed.state !== 'complete') {
      drain(source)
      return {
        status: 'rejected',
        reason: parsed.state === 'invalid' ? parsed.reason : 'malformed',
      }
    }
    const header = parsed.header
    const refusal = intakeRefusal(instanceFacts(header), identity, identity.institutionId)
    if (refusal) {
      drain(source)
      return {
        status: 'rejected',
        reason: refusal.reason,
        ...(refusal.detail ? { detail: refusal.detail } : {}),
      }
    }
    const owner =
      studyOwner.get(header.studyInstanceUid!) ??
      (await ExamStudy.findBy('study_instance_uid', header.studyInstanceUid))?.examId
    if (owner !== undefined && owner !== exam.id) {
      drain(source)
      return { status: 'rejected', reason: 'study_of_another_exam' }
    }
    const now = this.clock.now()
    const study = {
      studyInstanceUid: header.studyInstanceUid!,
      orthancStudyId: orthancStudyIdOf(header.patientId, header.studyInstanceUid!),
      receivedVia: 'upload' as const,
      studyDate: header.studyDate,
    }
    // The study is this exam's before a byte goes to Orthanc: two uploads racing for one study, one wins.
    if (owner === undefined) {
      try {
        await claimStudy(exam.id, study, now)
      } catch (error) {
        drain(source)
        if (error instanceof StudyOfAnotherExam)
          return { status: 'rejected', reason: 'study_of_another_exam' }
        if (error instanceof UidTooLong) return { status: 'rejected', reason: 'value_too_long' }
        throw error
      }
      remember(studyOwner, header.studyInstanceUid!, exam.id)
    }

    const dateKey = header.studyDate ?? ''
    let warning = batch?.dateWarnings.get(dateKey)
    if (warning === undefined) {
      warning = studyDateWarning(header.studyDate, exam.registeredAt, now, imaging.displayTimezone)
      batch?.dateWarnings.set(dateKey, warning)
    }
    if (batch) {
      // Orthanc's id is a hash of the UIDs: an instance it holds is known before a byte is sent.
      const instanceId = orthancInstanceIdOf(
        header.patientId,
        header.studyInstanceUid!,
        header.seriesInstanceUid!,
        header.sopInstanceUid!
      )
      if ((await this.heldInstances(batch, study.orthancStudyId)).has(instanceId)) {
        drain(source)
        batch.studies.set(study.orthancStudyId, study)
        return {
          status: 'already_stored',
          sopInstanceUid: header.sopInstanceUid!,
          orthancInstanceId: instanceId,
          warning,
        }
      }
    }

    let stored
    const failure: { error: Error | null } = { error: null }
    try {
      stored = await this.orthanc.storeInstance(
        continueStream(
          prefix,
          ended ? null : source,
          limit,
          new DicomStructure(parsed.layout),
          failure
        ),
        {
          contentLength: declaredSize,
        }
      )
    } catch (error) {
      if (failure.error instanceof TooLarge) throw new UploadTooLarge(limit)
      drain(source)
      if (failure.error instanceof Truncated) return { status: 'rejected', reason: 'truncated' }
      // Orthanc could not parse what our reader accepted: its structure is broken somewhere we did not read.
      if (error instanceof OrthancError && error.isBadDicom)
        return { status: 'rejected', reason: 'malformed' }
      logger.error(
        { err: error, exam: exam.accessionNumber },
        'storing an instance in Orthanc failed'
      )
      return { status: 'rejected', reason: 'store_failed' }
    }

    if (batch) {
      // Linked with the rest of the batch (finishBatch), before the answer goes out.
      batch.studies.set(stored.ParentStudy, { ...study, orthancStudyId: stored.ParentStudy })
      return {
        status: stored.Status === 'Success' ? 'stored' : 'already_stored',
        sopInstanceUid: header.sopInstanceUid!,
        orthancInstanceId: stored.ID,
        warning,
      }
    }
    try {
      await linkStoredInstance(
        exam,
        { ...study, orthancStudyId: stored.ParentStudy },
        { newInstance: stored.Status === 'Success', orthancSeriesId: stored.ParentSeries },
        this.clock.now()
      )
    } catch (error) {
      if (error instanceof StudyOfAnotherExam)
        return { status: 'rejected', reason: 'study_of_another_exam' }
      throw error
    }
    return {
      status: stored.Status === 'Success' ? 'stored' : 'already_stored',
      sopInstanceUid: header.sopInstanceUid!,
      orthancInstanceId: stored.ID,
      warning,
    }
  }

  /** The instance ids Orthanc holds of a study (none when it has not got the study), once per batch. */
  protected heldInstances(batch: UploadBatch, orthancStudyId: string) {
    let held = batch.held.get(orthancStudyId)
    if (!held) {
      // Not there (404) or not readable: nothing is skipped, every file is sent (Orthanc answers AlreadyStored).
      held = this.orthanc.studySeries(orthancStudyId).then(
        (series) => new Set(series.flatMap((s) => s.Instances)),
        () => new Set<string>()
      )
      batch.held.set(orthancStudyId, held)
    }
    return held
  }

  /**
   * Links what a batch stored: for each study, what Orthanc holds of it now
   * (one read), written in one transaction. Counts only grow here, so batches
   * of one study finishing in any order leave the largest, i.e. Orthanc's, count;
   * instances a crashed earlier attempt stored but never linked are counted too.
   */
  async finishBatch(exam: Exam, batch: UploadBatch) {
    if (batch.finished) return
    batch.finished = true
    for (const study of batch.studies.values()) {
      const series = await this.orthanc.studySeries(study.orthancStudyId)
      const heldApart = await heldSeriesIds([study.orthancStudyId])
      await linkUploadedStudy(
        exam,
        study,
        countsOf(series, (s) => !heldApart.has(s.ID)),
        this.clock.now()
      )
    }
  }
}
