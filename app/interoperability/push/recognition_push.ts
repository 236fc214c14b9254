import { inject } from '@adonisjs/core'
import { createHash } from 'node:crypto'
import type * as R4 from 'fhir/r4.js'
import encryption from '@adonisjs/core/services/encryption'
import logger from '@adonisjs/core/services/logger'
import Exam from '#models/exam'
import ExamStudy from '#models/exam_study'
import ReportVersion from '#models/report_version'
import { Clock } from '#app/platform/clock'
import { resultMarks } from '#app/platform/result_marks'
import { audit } from '#app/platform/audit/audit_log'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { FhirService } from '#app/interoperability/fhir/fhir_service'
import { appBaseUrl, type FhirClient } from '#app/interoperability/fhir/fhir_client'
import {
  serviceRequestResource,
  imagingStudyResource,
  diagnosticReportResource,
  ACCESSION_SYSTEM,
  DICOM_UID_SYSTEM,
} from '#app/interoperability/fhir/fhir_resources'
import { signedReportPdf } from '#app/reading/services/signed_report_pdf'
import {
  FhirDelivery,
  FhirDeliveryAttempt,
  FhirPushSetting,
} from '#app/interoperability/push/push_models'

/** Which exams the recognition platform receives: those that earn a recognition mark (R 6.4; null = not eligible). */
export class PushEligibility {
  async eligible(examIds: number[]) {
    const marks = await resultMarks.forExams(examIds)
    return new Set(examIds.filter((id) => marks.has(id)))
  }
}

/** Minutes to wait after the n-th failed attempt: 1, 2, 5, 15, 30, 60, then every 6 hours, never giving up. */
export function backoffMinutes(attempts: number) {
  const steps = [1, 2, 5, 15, 30, 60, 120, 240]
  return steps[Math.min(attempts, steps.length) - 1] ?? 360
}

const ATTEMPT_TIMEOUT_MS = 30_000
const CATCH_UP_DAYS = 7

function urn(kind: string, key: string) {
  const h = createHash('sha256').update(`${kind}:${key}`).digest('hex')
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}

export interface PushSettingsInput {
  endpointUrl: string
  username?: string | null
  secret?: string | null
  active?: boolean
}

/**
 * The push to the upper-level mutual-recognition platform (C 8.2.4): when a
 * report of an eligible exam is signed, a FHIR transaction Bundle
 * (Patient, ServiceRequest, ImagingStudy, DiagnosticReport with its PDF) is
 * queued and POSTed to the platform's base URL; failures are retried with
 * back-off; each attempt is recorded. Conditional updates on the alliance's
 * identifiers make a repeated delivery harmless for the receiver.
 */
@inject()
export class RecognitionPush {
  constructor(
    protected clock: Clock,
    protected fhir: FhirService,
    protected eligibility: PushEligibility
  ) {}

  async settings() {
    return FhirPushSetting.query().orderBy('id', 'desc').first()
  }

  async saveSettings(input: PushSettingsInput, userId: number | null) {
    let url: URL | null = null
    try {
      url = new URL(input.endpointUrl)
    } catch {}
    if (!url || !['http:', 'https:'].includes(url.protocol))
      throw new DomainRefusal('bad_endpoint', 'interoperability.push.bad_endpoint', {}, 422)
    const current = (await this.settings()) ?? new FhirPushSetting()
    current.merge({
      endpointUrl: url.toString().replace(/\/+$/, ''),
      username: input.username || null,
      // A blank secret keeps the one stored (it is never shown back).
      secretCipher: input.secret
        ? encryption.encrypt(input.secret)
        : (current.secretCipher ?? null),
      active: input.active ?? true,
      updatedById: userId,
    })
    await current.save()
    return current
  }

  /** Queues the signed version when the exam is eligible (idempotent: one delivery per version). */
  async enqueue(examId: number, reportVersionId: number) {
    if (!(await this.eligibility.eligible([examId])).has(examId)) return null
    const existing = await FhirDelivery.findBy('report_version_id', reportVersionId)
    if (existing) return existing
    try {
      return await FhirDelivery.create({
        examId,
        reportVersionId,
        status: 'queued',
        attempts: 0,
        nextAttemptAt: this.clock.now(),
        deliveredAt: null,
        lastError: null,
      })
    } catch (error) {
      // Two nodes queuing the same version: the unique key decides.
      const raced = await FhirDelivery.findBy('report_version_id', reportVersionId)
      if (raced) return raced
      throw error
    }
  }

  /** Signed versions of the last days whose event was missed (a crash between commit and listener). */
  async catchUp() {
    const since = this.clock
      .now()
      .minus({ days: CATCH_UP_DAYS })
      .toUTC()
      .toSQL({ includeOffset: false })!
    const missing = await ReportVersion.query()
      .where('status', 'signed')
      .where('signed_at', '>=', since)
      .whereNotIn('id', (q) => q.from('fhir_deliveries').select('report_version_id'))
      .select('id', 'exam_id')
      .limit(500)
    if (!missing.length) return 0
    const eligible = await this.eligibility.eligible([...new Set(missing.map((v) => v.examId))])
    let queued = 0
    for (const version of missing.filter((v) => eligible.has(v.examId))) {
      if (await this.enqueue(version.examId, version.id)) queued++
    }
    return queued
  }

  /** Sends every queued delivery that is due; returns how many were delivered. */
  async deliverDue() {
    const settings = await this.settings()
    if (!settings?.active) return 0
    const now = this.clock.now().toUTC().toSQL({ includeOffset: false })!
    const due = await FhirDelivery.query()
      .where('status', 'queued')
      .where((q) => q.whereNull('next_attempt_at').orWhere('next_attempt_at', '<=', now))
      .orderBy('id')
      .limit(50)
    let delivered = 0
    for (const delivery of due) if (await this.attempt(delivery, settings)) delivered++
    return delivered
  }

  /** One attempt: recorded whatever happens; a failure is retried later. */
  async attempt(delivery: FhirDelivery, settings: FhirPushSetting) {
    const started = Date.now()
    let httpStatus: number | null = null
    let error: string | null = null
    try {
      const bundle = await this.bundleFor(delivery)
      const response = await fetch(settings.endpointUrl, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/fhir+json; charset=utf-8',
          'Accept': 'application/fhir+json',
          ...this.authorization(settings),
        },
        body: JSON.stringify(bundle),
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      })
      httpStatus = response.status
      const text = await response.text().catch(() => '')
      if (!response.ok) error = `HTTP ${response.status}: ${text.slice(0, 300)}`
    } catch (e: any) {
      error = String(e?.cause?.code ?? e?.message ?? e).slice(0, 500)
    }
    const now = this.clock.now()
    await FhirDeliveryAttempt.create({
      deliveryId: delivery.id,
      attemptedAt: now,
      httpStatus,
      error,
      durationMs: Date.now() - started,
    })
    delivery.attempts += 1
    if (!error) {
      delivery.merge({
        status: 'delivered',
        deliveredAt: now,
        nextAttemptAt: null,
        lastError: null,
      })
    } else {
      delivery.merge({
        lastError: error,
        nextAttemptAt: now.plus({ minutes: backoffMinutes(delivery.attempts) }),
      })
      logger.warn(
        { delivery: delivery.id, error },
        'push to the recognition platform failed; will retry'
      )
    }
    await delivery.save()
    await audit.record(
      { username: 'system' },
      {
        action: 'fhir.push',
        outcome: error ? 'failed' : 'success',
        targetType: 'exam',
        targetId: delivery.examId,
        details: {
          delivery: delivery.id,
          reportVersionId: delivery.reportVersionId,
          attempt: delivery.attempts,
          httpStatus,
        },
      }
    )
    return !error
  }

  protected authorization(settings: FhirPushSetting): Record<string, string> {
    const secret = settings.secretCipher ? encryption.decrypt<string>(settings.secretCipher) : null
    if (!secret) return {}
    if (settings.username)
      return {
        Authorization: 'Basic ' + Buffer.from(`${settings.username}:${secret}`).toString('base64'),
      }
    return { Authorization: `Bearer ${secret}` }
  }

  /** The transaction Bundle of one signed version (PS: the platform sees the clinic numbers, never national IDs). */
  async bundleFor(delivery: FhirDelivery): Promise<R4.Bundle> {
    const exam = await Exam.query()
      .where('id', delivery.examId)
      .preload('items')
      .preload('institution')
      .preload('patient')
      .firstOrFail()
    const version = await ReportVersion.findOrFail(delivery.reportVersionId)
    const client: FhirClient = {
      user: null as any,
      institutionId: exam.institutionId,
      kind: 'alliance',
      seesNationalId: false,
      baseUrl: `${appBaseUrl()}/fhir/r4`,
    }
    const studies = await ExamStudy.query().where('exam_id', exam.id)
    const pdf = (await signedReportPdf(exam, version.versionNo)).buffer.toString('base64')
    // The version this delivery is for, even if a later amendment exists already (it has its own delivery).
    const report = diagnosticReportResource(
      exam,
      version,
      studies,
      await resultMarks.forExam(exam.id),
      { data: pdf }
    )
    const patient = (await this.fhir.read('Patient', String(exam.patientId), client)) as R4.Patient
    const serviceRequest = serviceRequestResource(exam)
    const imaging = await Promise.all(
      studies.map(async (s) =>
        imagingStudyResource(s, exam, `${appBaseUrl()}/dicomweb`, await this.fhir.seriesOf(s))
      )
    )

    const refs = new Map<string, string>([
      [`Patient/${exam.patientId}`, urn('Patient', String(exam.patientId))],
      [`ServiceRequest/${exam.id}`, urn('ServiceRequest', exam.accessionNumber)],
    ])
    for (const s of studies)
      refs.set(`ImagingStudy/${s.id}`, urn('ImagingStudy', s.studyInstanceUid))
    const relink = <T>(resource: T): T => {
      const json = JSON.stringify(resource).replace(
        /"reference":"([A-Za-z]+\/\d+)"/g,
        (all, ref) => (refs.has(ref) ? `"reference":"${refs.get(ref)}"` : all)
      )
      return JSON.parse(json)
    }
    const number = patient.identifier?.find((i) => i.system?.endsWith(':patient-no'))
    const entries: R4.BundleEntry[] = [
      {
        fullUrl: refs.get(`Patient/${exam.patientId}`),
        resource: relink(patient),
        request: number
          ? {
              method: 'PUT',
              url: `Patient?identifier=${encodeURIComponent(`${number.system}|${number.value}`)}`,
            }
          : { method: 'POST', url: 'Patient' },
      },
      {
        fullUrl: refs.get(`ServiceRequest/${exam.id}`),
        resource: relink(serviceRequest),
        request: {
          method: 'PUT',
          url: `ServiceRequest?identifier=${encodeURIComponent(`${ACCESSION_SYSTEM}|${exam.accessionNumber}`)}`,
        },
      },
      ...imaging.map((study, i) => ({
        fullUrl: refs.get(`ImagingStudy/${studies[i].id}`),
        resource: relink(study),
        request: {
          method: 'PUT' as const,
          url: `ImagingStudy?identifier=${encodeURIComponent(`${DICOM_UID_SYSTEM}|urn:oid:${studies[i].studyInstanceUid}`)}`,
        },
      })),
    ]
    entries.push({
      fullUrl: urn('DiagnosticReport', `${exam.accessionNumber}:${version.versionNo}`),
      resource: relink(report),
      request: {
        method: 'PUT',
        url: `DiagnosticReport?identifier=${encodeURIComponent(`${ACCESSION_SYSTEM}|${exam.accessionNumber}`)}`,
      },
    })
    // Ids are the receiver's to assign in a transaction.
    for (const entry of entries) delete (entry.resource as any).id
    return {
      resourceType: 'Bundle',
      type: 'transaction',
      timestamp: this.clock.now().toISO()!,
      entry: entries,
    }
  }
}
