import type * as R4 from 'fhir/r4.js'
import type Exam from '#models/exam'
import type ExamStudy from '#models/exam_study'
import type Patient from '#models/patient'
import type ReportVersion from '#models/report_version'
import type { ResultMark } from '#app/platform/result_marks'
import { escapeMarkup } from '#app/platform/escape'
import { catalogueSystem, itemCode } from '#app/interoperability/catalogue_codes'

/*
| The app's records as FHIR R4 resources (typed with @types/fhir's R4 types, so
| what is emitted is checked against the specification's shapes at compile
| time). Identifier systems are the alliance's own URIs (docs/openapi.yaml).
*/

export const ACCESSION_SYSTEM = 'urn:imaging-alliance:accession'
export const NATIONAL_ID_SYSTEM = 'urn:imaging-alliance:resident-id'
export const RESULT_MARK_SYSTEM = 'urn:imaging-alliance:result-mark'
export const DICOM_UID_SYSTEM = 'urn:dicom:uid'
export const clinicNumberSystem = (institutionCode: string) =>
  `urn:imaging-alliance:institution:${institutionCode}:patient-no`

const GENDER: Record<string, R4.Patient['gender']> = {
  M: 'male',
  F: 'female',
  O: 'other',
  U: 'unknown',
}
const PRIORITY: Record<string, R4.ServiceRequest['priority']> = {
  emergency: 'stat',
  routine: 'routine',
  special: 'routine',
}

const iso = (d: { toISO: () => string | null } | null | undefined) =>
  d ? (d.toISO() ?? undefined) : undefined

export interface ClinicNumber {
  institutionCode: string
  institutionName: string
  number: string
}

export function patientResource(
  patient: Patient,
  numbers: ClinicNumber[],
  nationalId: string | null
): R4.Patient {
  const identifier: R4.Identifier[] = numbers.map((n) => ({
    use: 'usual',
    system: clinicNumberSystem(n.institutionCode),
    value: n.number,
    assigner: { display: n.institutionName },
  }))
  if (nationalId) {
    identifier.push({
      use: 'official',
      system: NATIONAL_ID_SYSTEM,
      value: nationalId,
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'NI' }] },
    })
  }
  return {
    resourceType: 'Patient',
    id: String(patient.id),
    meta: { lastUpdated: iso(patient.updatedAt) },
    identifier,
    name: [{ use: 'official', text: patient.name }],
    gender: GENDER[patient.sex] ?? 'unknown',
    birthDate: patient.birthDate?.toISODate() ?? undefined,
  }
}

export function serviceRequestStatus(exam: Exam): R4.ServiceRequest['status'] {
  if (exam.cancelledAt) return 'revoked'
  if (exam.reportSignedAt) return 'completed'
  return 'active'
}

function itemCodings(exam: Exam): R4.CodeableConcept {
  const items = exam.items ?? []
  return {
    coding: items.map((item) => ({
      system: catalogueSystem(item.catalogue),
      code: itemCode(item),
      display: item.name,
    })),
    text: items.map((i) => i.name).join('；') || exam.modality,
  }
}

export function serviceRequestResource(exam: Exam): R4.ServiceRequest {
  return {
    resourceType: 'ServiceRequest',
    id: String(exam.id),
    meta: { lastUpdated: iso(exam.updatedAt) },
    identifier: [
      {
        use: 'official',
        system: ACCESSION_SYSTEM,
        value: exam.accessionNumber,
        type: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }],
        },
      },
    ],
    status: serviceRequestStatus(exam),
    intent: 'order',
    category: [
      { coding: [{ system: 'http://snomed.info/sct', code: '363679005', display: 'Imaging' }] },
    ],
    priority: PRIORITY[exam.priority] ?? 'routine',
    code: itemCodings(exam),
    subject: { reference: `Patient/${exam.patientId}` },
    authoredOn: iso(exam.registeredAt),
    requester: { display: exam.requestingDoctor },
    performer: [{ display: exam.institution?.name }],
    reasonCode: exam.clinicalDiagnosis ? [{ text: exam.clinicalDiagnosis }] : undefined,
    note: [exam.purpose, exam.clinicalHistory].filter(Boolean).map((text) => ({ text })),
  }
}

export interface SeriesFacts {
  uid: string
  number: number | null
  modality: string
  description: string | null
  bodySite: string | null
  instances: Array<{ uid: string; sopClass: string; number: number | null }>
}

/** The study, with an endpoint of type dicom-wado-rs at the app's DICOMweb proxy (the viewer capability's). */
export function imagingStudyResource(
  study: ExamStudy,
  exam: Exam,
  dicomWebUrl: string,
  series: SeriesFacts[] | null
): R4.ImagingStudy {
  const endpoint: R4.Endpoint = {
    resourceType: 'Endpoint',
    id: 'dicomweb',
    status: 'active',
    connectionType: {
      system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type',
      code: 'dicom-wado-rs',
    },
    payloadType: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/endpoint-payload-type', code: 'DICOM' },
        ],
      },
    ],
    payloadMimeType: ['application/dicom'],
    address: dicomWebUrl,
  }
  return {
    resourceType: 'ImagingStudy',
    id: String(study.id),
    meta: { lastUpdated: iso(study.updatedAt) },
    contained: [endpoint],
    identifier: [
      { system: DICOM_UID_SYSTEM, value: `urn:oid:${study.studyInstanceUid}` },
      {
        use: 'usual',
        system: ACCESSION_SYSTEM,
        value: exam.accessionNumber,
        type: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }],
        },
      },
    ],
    status: 'available',
    modality: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: exam.modality }],
    subject: { reference: `Patient/${exam.patientId}` },
    basedOn: [{ reference: `ServiceRequest/${exam.id}` }],
    started: iso(study.firstReceivedAt),
    endpoint: [{ reference: '#dicomweb' }],
    numberOfSeries: study.seriesCount,
    numberOfInstances: study.instanceCount,
    procedureCode: [itemCodings(exam)],
    series: series?.map((s) => ({
      uid: s.uid,
      number: s.number ?? undefined,
      modality: {
        system: 'http://dicom.nema.org/resources/ontology/DCM',
        code: s.modality || exam.modality,
      },
      description: s.description ?? undefined,
      bodySite: s.bodySite ? { display: s.bodySite } : undefined,
      numberOfInstances: s.instances.length,
      endpoint: [{ reference: '#dicomweb' }],
      instance: s.instances.map((i) => ({
        uid: i.uid,
        sopClass: { system: DICOM_UID_SYSTEM, code: `urn:oid:${i.sopClass}` },
        number: i.number ?? undefined,
      })),
    })),
  }
}

function section(title: string, body: string | null) {
  return body
    ? `<h3>${escapeMarkup(title)}</h3><p>${escapeMarkup(body).replace(/\n/g, '<br/>')}</p>`
    : ''
}

export interface ReportForm {
  /** the PDF inline (the push) or where to read it (the API) */
  data?: string
  url?: string
}

/** The latest signed version of the exam's report (never a draft); the HR mark as a meta tag when the exam earns one. */
export function diagnosticReportResource(
  exam: Exam,
  version: ReportVersion,
  studies: ExamStudy[],
  mark: ResultMark | null,
  form: ReportForm
): R4.DiagnosticReport {
  const header = version.header
  const div =
    `<div xmlns="http://www.w3.org/1999/xhtml">` +
    section('检查方法 Technique', version.technique) +
    section('影像所见 Findings', version.findings) +
    section('诊断意见 Impression', version.impression) +
    `</div>`
  return {
    resourceType: 'DiagnosticReport',
    id: String(exam.id),
    meta: {
      versionId: String(version.versionNo),
      lastUpdated: iso(version.signedAt),
      tag: mark
        ? [{ system: RESULT_MARK_SYSTEM, code: mark.code, display: mark.catalogue }]
        : undefined,
    },
    text: { status: 'generated', div },
    identifier: [{ system: ACCESSION_SYSTEM, value: exam.accessionNumber }],
    basedOn: [{ reference: `ServiceRequest/${exam.id}` }],
    status: version.versionNo > 1 ? 'amended' : 'final',
    category: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/v2-0074',
            code: 'RAD',
            display: 'Radiology',
          },
        ],
      },
    ],
    code: {
      coding: [
        { system: 'http://loinc.org', code: '18748-4', display: 'Diagnostic imaging study' },
      ],
      text: header?.examName ?? exam.modality,
    },
    subject: { reference: `Patient/${exam.patientId}` },
    effectiveDateTime: iso(exam.imagesReceivedAt ?? exam.registeredAt),
    issued: iso(version.signedAt),
    performer: header ? [{ display: header.hospital }] : undefined,
    resultsInterpreter: header
      ? [{ display: header.authorName }, { display: header.signerName }].filter((p) => p.display)
      : undefined,
    imagingStudy: studies.map((s) => ({ reference: `ImagingStudy/${s.id}` })),
    conclusion: version.impression ?? undefined,
    presentedForm: [
      {
        contentType: 'application/pdf',
        language: 'zh-CN',
        title: `${header?.examName ?? ''} ${exam.accessionNumber}`.trim(),
        creation: iso(version.signedAt),
        ...(form.data ? { data: form.data } : {}),
        ...(form.url ? { url: form.url } : {}),
      },
    ],
  }
}

export function operationOutcome(
  severity: 'error' | 'information',
  code: R4.OperationOutcomeIssue['code'],
  diagnostics: string
): R4.OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics }] }
}
