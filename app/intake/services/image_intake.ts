import { Readable } from 'node:stream'
import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import Exam from '#models/exam'
import ExamStudy from '#models/exam_study'
import ClinicPatient from '#models/clinic_patient'
import imaging from '#config/imaging'
import { Clock } from '#app/platform/clock'
import { OrthancClient, OrthancError } from '#app/orthanc/orthanc_client'
import { parseDicomHeader, isLossy, type DicomHeader } from '#app/intake/dicom/dicom_header'
import { linkStoredInstance, StudyOfAnotherExam } from './study_links.js'

/*
| Receiving one DICOM instance for an exam from a browser or an integration.
| The file streams through: its first bytes are read to check who and what it
| is, then those bytes and the rest go straight on to Orthanc. Nothing is held
| whole in memory and nothing is written to disk by the app.
*/

export const REJECT_REASONS = [
  'not_dicom',
  'malformed',
  'unsupported_syntax',
  'lossy_compression',
  'missing_uids',
  'accession_mismatch',
  'patient_mismatch',
  'modality_mismatch',
  'study_of_another_exam',
  'too_large',
  'store_failed',
] as const
export type RejectReason = (typeof REJECT_REASONS)[number]

export type InstanceOutcome =
  | { status: 'stored' | 'already_stored'; sopInstanceUid: string; orthancInstanceId: string }
  | { status: 'rejected'; reason: RejectReason }

/** Bytes read before giving up on finding the header (large private tags, icons). */
const MAX_HEADER_BYTES = 16 * 1024 * 1024

/** DICOM Modality values an exam of each catalogue modality accepts. */
const ACCEPTED_MODALITIES: Record<string, string[]> = {
  DR: ['DX', 'CR', 'DR', 'MG', 'RF', 'XA', 'RG', 'IO', 'PX'],
  CT: ['CT', 'PT'],
  MR: ['MR'],
}
/** Objects that travel with any study: reports, key images, presentation states, screenshots. */
const ANY_STUDY_MODALITIES = ['SR', 'KO', 'PR', 'OT', 'SC', 'DOC']

export interface ExamIdentity {
  accessionNumber: string
  modality: string
  clinicPatientNo: string | null
}

/**
 * Does this instance belong to this exam? The accession number decides when the
 * file carries one; the clinic's patient number must agree whenever present.
 */
export function instanceRefusal(header: DicomHeader, exam: ExamIdentity): RejectReason | null {
  if (isLossy(header)) return 'lossy_compression'
  if (!header.sopInstanceUid || !header.studyInstanceUid || !header.seriesInstanceUid) return 'missing_uids'
  if (header.accessionNumber && header.accessionNumber !== exam.accessionNumber) return 'accession_mismatch'
  if (header.patientId && exam.clinicPatientNo && header.patientId !== exam.clinicPatientNo) return 'patient_mismatch'
  if (!header.accessionNumber && !header.patientId) return 'patient_mismatch'
  const modality = (header.modality || '').toUpperCase()
  if (modality && !ANY_STUDY_MODALITIES.includes(modality) && !(ACCEPTED_MODALITIES[exam.modality] ?? []).includes(modality)) {
    return 'modality_mismatch'
  }
  return null
}

class TooLarge extends Error {}

/** Reads from a paused stream until `enough(prefix)` or the end, leaving the rest unread. */
function readPrefix(stream: Readable, enough: (prefix: Buffer) => boolean): Promise<{ prefix: Buffer; ended: boolean }> {
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

/** The prefix, then the rest of the source, failing once more than `limit` bytes went by. */
function continueStream(prefix: Buffer, rest: Readable | null, limit: number) {
  async function* body() {
    let sent = prefix.length
    if (sent > limit) throw new TooLarge()
    yield prefix
    if (!rest) return
    for await (const chunk of rest) {
      sent += chunk.length
      if (sent > limit) throw new TooLarge()
      yield chunk
    }
  }
  const stream = Readable.from(body(), { objectMode: false })
  // The failure reaches the caller through the Orthanc request's rejection; an 'error' event
  // without a listener would take the whole server down.
  stream.on('error', () => {})
  return stream
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

@inject()
export class ImageIntake {
  constructor(
    protected orthanc: OrthancClient,
    protected clock: Clock
  ) {}

  async examIdentity(exam: Exam): Promise<ExamIdentity> {
    const known = identities.get(exam.id)
    if (known) return known
    const clinicPatient = await ClinicPatient.query()
      .where('patient_id', exam.patientId)
      .where('institution_id', exam.institutionId)
      .first()
    const identity = { accessionNumber: exam.accessionNumber, modality: exam.modality, clinicPatientNo: clinicPatient?.clinicPatientNo ?? null }
    remember(identities, exam.id, identity)
    return identity
  }

  /**
   * Checks one file against its exam and streams it to Orthanc.
   * @param declaredSize the Content-Length when the client sent one
   */
  async receive(exam: Exam, source: Readable, identity: ExamIdentity, declaredSize?: number): Promise<InstanceOutcome> {
    const limit = imaging.upload.maxFileBytes
    if (declaredSize !== undefined && declaredSize > limit) {
      drain(source)
      return { status: 'rejected', reason: 'too_large' }
    }

    let parsed: ReturnType<typeof parseDicomHeader> = { state: 'need_more' }
    const { prefix, ended } = await readPrefix(source, (bytes) => {
      parsed = parseDicomHeader(bytes, false)
      return parsed.state !== 'need_more'
    })
    if (ended || parsed.state === 'need_more') parsed = parseDicomHeader(prefix, ended)
    if (parsed.state !== 'complete') {
      drain(source)
      return { status: 'rejected', reason: parsed.state === 'invalid' ? parsed.reason : 'malformed' }
    }
    const header = parsed.header
    const refusal = instanceRefusal(header, identity)
    if (refusal) {
      drain(source)
      return { status: 'rejected', reason: refusal }
    }
    const owner = studyOwner.get(header.studyInstanceUid!) ?? (await ExamStudy.findBy('study_instance_uid', header.studyInstanceUid))?.examId
    if (owner !== undefined && owner !== exam.id) {
      drain(source)
      return { status: 'rejected', reason: 'study_of_another_exam' }
    }

    let stored
    try {
      stored = await this.orthanc.storeInstance(continueStream(prefix, ended ? null : source, limit), {
        contentLength: declaredSize,
      })
    } catch (error) {
      drain(source)
      if (error instanceof TooLarge || (error as any)?.cause instanceof TooLarge) return { status: 'rejected', reason: 'too_large' }
      if (error instanceof OrthancError && error.isBadDicom) return { status: 'rejected', reason: 'not_dicom' }
      if (String((error as Error)?.message).includes('TooLarge')) return { status: 'rejected', reason: 'too_large' }
      logger.error({ err: error, exam: exam.accessionNumber }, 'storing an instance in Orthanc failed')
      return { status: 'rejected', reason: 'store_failed' }
    }

    try {
      await linkStoredInstance(
        exam,
        {
          studyInstanceUid: header.studyInstanceUid!,
          orthancStudyId: stored.ParentStudy,
          receivedVia: 'upload',
          studyDate: header.studyDate,
        },
        stored.Status === 'Success',
        this.clock.now(),
        owner === exam.id
      )
      remember(studyOwner, header.studyInstanceUid!, exam.id)
    } catch (error) {
      if (error instanceof StudyOfAnotherExam) return { status: 'rejected', reason: 'study_of_another_exam' }
      throw error
    }
    return {
      status: stored.Status === 'Success' ? 'stored' : 'already_stored',
      sopInstanceUid: header.sopInstanceUid!,
      orthancInstanceId: stored.ID,
    }
  }
}
