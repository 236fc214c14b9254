import { inject } from '@adonisjs/core'
import type * as R4 from 'fhir/r4.js'
import db from '@adonisjs/lucid/services/db'
import Exam from '#models/exam'
import ExamStudy from '#models/exam_study'
import Patient from '#models/patient'
import ReportVersion from '#models/report_version'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { needingOrthanc } from '#app/orthanc/unavailable'
import { resultMarks } from '#app/platform/result_marks'
import { PatientRegistry } from '#app/intake/services/patient_registry'
import { scopeFhirExams, type FhirClient } from '#app/interoperability/fhir/fhir_client'
import {
  whereDates,
  type FhirType,
  type SearchInput,
} from '#app/interoperability/fhir/search_params'
import {
  ACCESSION_SYSTEM,
  DICOM_UID_SYSTEM,
  NATIONAL_ID_SYSTEM,
  diagnosticReportResource,
  imagingStudyResource,
  patientResource,
  serviceRequestResource,
  type ClinicNumber,
  type SeriesFacts,
} from '#app/interoperability/fhir/fhir_resources'

type AnyResource = R4.Patient | R4.ServiceRequest | R4.ImagingStudy | R4.DiagnosticReport

const numericId = (id: string) => (/^\d{1,12}$/.test(id) ? Number(id) : null)

/** One page of a search: `total` null when it was not counted (`_total`), `hasNext` from one row more. */
export interface SearchResult {
  total: number | null
  hasNext: boolean
  resources: AnyResource[]
}

/**
 * Reads and searches of the FHIR API over the app's records, in the client's
 * scope (fhir_client.ts). Every query starts from the exams the client sees;
 * a resource outside that scope is `null`, answered 404 like a missing one.
 */
@inject()
export class FhirService {
  constructor(protected orthanc: OrthancClient) {}

  protected visibleExams(client: FhirClient) {
    return scopeFhirExams(Exam.query(), client)
  }

  /* ---------------------------------------------------------------- reads */

  async read(type: FhirType, id: string, client: FhirClient): Promise<AnyResource | null> {
    const n = numericId(id)
    if (n === null) return null
    if (type === 'Patient') return this.patient(n, client)
    if (type === 'ServiceRequest') {
      const exam = await this.visibleExams(client)
        .where('exams.id', n)
        .preload('items')
        .preload('institution')
        .first()
      return exam ? serviceRequestResource(exam) : null
    }
    if (type === 'ImagingStudy') {
      const study = await ExamStudy.find(n)
      const exam = study
        ? await this.visibleExams(client).where('exams.id', study.examId).preload('items').first()
        : null
      return study && exam
        ? imagingStudyResource(study, exam, this.dicomWebUrl(client), await this.seriesOf(study))
        : null
    }
    const exam = await this.visibleExams(client)
      .where('exams.id', n)
      .whereNotNull('exams.report_signed_at')
      .first()
    return exam ? ((await this.reports([exam], client))[0] ?? null) : null
  }

  /** Whether the id names a record that exists at all (so a refusal can be audited as hidden rather than missing). */
  async exists(type: FhirType, id: string) {
    const n = numericId(id)
    if (n === null) return false
    const table =
      type === 'Patient' ? 'patients' : type === 'ImagingStudy' ? 'exam_studies' : 'exams'
    return !!(await db.from(table).where('id', n).first())
  }

  protected dicomWebUrl(client: FhirClient) {
    return client.baseUrl.replace(/\/fhir\/r4$/, '') + '/dicomweb'
  }

  protected async patient(id: number, client: FhirClient) {
    const patient = await Patient.find(id)
    if (!patient) return null
    const numbers = await this.clinicNumbers([patient.id], client)
    if (
      client.kind !== 'alliance' &&
      !(await this.visibleExams(client).where('exams.patient_id', id).first()) &&
      !(client.kind === 'clinic' && numbers.get(id)?.length)
    ) {
      return null
    }
    return patientResource(
      patient,
      numbers.get(id) ?? [],
      client.seesNationalId ? new PatientRegistry().decryptNationalId(patient) : null
    )
  }

  /** The clinic patient numbers the client may see: its own clinic's, or every clinic's for the centre. */
  protected async clinicNumbers(patientIds: number[], client: FhirClient) {
    const rows = await db
      .from('clinic_patients')
      .join('institutions', 'institutions.id', 'clinic_patients.institution_id')
      .whereIn('clinic_patients.patient_id', patientIds)
      .if(client.kind !== 'alliance', (q) =>
        q.where('clinic_patients.institution_id', client.institutionId)
      )
      .select(
        'clinic_patients.patient_id',
        'clinic_patients.clinic_patient_no',
        'institutions.code',
        'institutions.name'
      )
    const byPatient = new Map<number, ClinicNumber[]>()
    for (const row of rows) {
      const list = byPatient.get(Number(row.patient_id)) ?? []
      list.push({
        institutionCode: row.code,
        institutionName: row.name,
        number: row.clinic_patient_no,
      })
      byPatient.set(Number(row.patient_id), list)
    }
    return byPatient
  }

  /** Series and instances of a study from Orthanc (one call for the instances, one tag per series for its SOP class). */
  async seriesOf(study: ExamStudy): Promise<SeriesFacts[]> {
    return needingOrthanc(async () => {
      const series = await this.orthanc.studySeries(study.orthancStudyId)
      const instances = await this.orthanc.studyInstances(study.orthancStudyId)
      const facts: SeriesFacts[] = []
      for (const s of series) {
        const own = instances.filter((i: any) => i.ParentSeries === s.ID)
        const sopClass = own.length ? await this.orthanc.instanceTag(own[0].ID, '0008,0016') : null
        facts.push({
          uid: s.MainDicomTags.SeriesInstanceUID,
          number: s.MainDicomTags.SeriesNumber ? Number(s.MainDicomTags.SeriesNumber) : null,
          modality: s.MainDicomTags.Modality ?? '',
          description: s.MainDicomTags.SeriesDescription ?? null,
          bodySite: s.MainDicomTags.BodyPartExamined ?? null,
          instances: own
            .map((i: any) => ({
              uid: i.MainDicomTags.SOPInstanceUID,
              sopClass: String(sopClass ?? '').trim(),
              number: i.MainDicomTags.InstanceNumber
                ? Number(i.MainDicomTags.InstanceNumber)
                : null,
            }))
            .sort((a, b) => (a.number ?? 0) - (b.number ?? 0)),
        })
      }
      return facts
    })
  }

  /** Report resources for exams that have a signed report: the latest signed version of each. */
  async reports(
    exams: Exam[],
    client: FhirClient,
    inlinePdf?: (version: ReportVersion) => Promise<string>
  ): Promise<R4.DiagnosticReport[]> {
    if (!exams.length) return []
    const ids = exams.map((e) => e.id)
    const versions = await ReportVersion.query()
      .whereIn('exam_id', ids)
      .where('status', 'signed')
      .orderBy('version_no', 'desc')
    const latest = new Map<number, ReportVersion>()
    for (const v of versions) if (!latest.has(v.examId)) latest.set(v.examId, v)
    const studies = await ExamStudy.query().whereIn('exam_id', ids)
    const marks = await resultMarks.forExams(ids)
    const out: R4.DiagnosticReport[] = []
    for (const exam of exams) {
      const version = latest.get(exam.id)
      if (!version) continue
      const form = inlinePdf
        ? { data: await inlinePdf(version) }
        : { url: `${client.baseUrl}/Binary/report-${version.id}` }
      out.push(
        diagnosticReportResource(
          exam,
          version,
          studies.filter((s) => s.examId === exam.id),
          marks.get(exam.id) ?? null,
          form
        )
      )
    }
    return out
  }

  /** The signed version behind `Binary/report-<id>`, when the client sees its exam. */
  async signedVersion(binaryId: string, client: FhirClient) {
    const match = /^report-(\d{1,12})$/.exec(binaryId)
    if (!match) return null
    const version = await ReportVersion.query()
      .where('id', Number(match[1]))
      .where('status', 'signed')
      .first()
    if (!version) return null
    const exam = await this.visibleExams(client).where('exams.id', version.examId).first()
    return exam ? { version, exam } : null
  }

  /* -------------------------------------------------------------- searches */

  async search(input: SearchInput, client: FhirClient): Promise<SearchResult> {
    if (input.type === 'Patient') return this.searchPatients(input, client)
    if (input.type === 'ImagingStudy') return this.searchStudies(input, client)
    const query = this.visibleExams(client)
    if (input.ids.length)
      query.whereIn(
        'exams.id',
        input.ids
          .map(numericId)
          .filter((n): n is number => n !== null)
          .concat([0])
      )
    if (input.patients.length)
      query.whereIn(
        'exams.patient_id',
        input.patients
          .map(numericId)
          .filter((n): n is number => n !== null)
          .concat([0])
      )
    if (input.identifiers.length) {
      const accessions = input.identifiers
        .filter((i) => i.system === null || i.system === ACCESSION_SYSTEM)
        .map((i) => i.value)
      query.whereIn('exams.accession_number', accessions.length ? accessions : [''])
    }
    whereDates(query, 'exams.registered_at', input.dates)
    if (input.type === 'ServiceRequest') {
      if (input.statuses.length) {
        query.where((q) => {
          if (input.statuses.includes('revoked')) q.orWhereNotNull('exams.cancelled_at')
          if (input.statuses.includes('completed'))
            q.orWhere((c) =>
              c.whereNull('exams.cancelled_at').whereNotNull('exams.report_signed_at')
            )
          if (input.statuses.includes('active'))
            q.orWhere((c) => c.whereNull('exams.cancelled_at').whereNull('exams.report_signed_at'))
        })
      }
      whereDates(query, 'exams.updated_at', input.lastUpdated)
      const counted = query.clone().clearOrder()
      const page = this.page(
        await query
          .preload('items')
          .preload('institution')
          .orderBy('exams.registered_at', 'desc')
          .orderBy('exams.id', 'desc')
          .offset(input.offset)
          .limit(input.count + 1),
        input
      )
      return {
        ...(await this.totalOf(page, input, counted)),
        resources: page.rows.map(serviceRequestResource),
      }
    }

    // DiagnosticReport: exams with a signed report only.
    query.whereNotNull('exams.report_signed_at')
    const amended = (q: any) =>
      q
        .from('report_versions')
        .whereColumn('report_versions.exam_id', 'exams.id')
        .where('report_versions.status', 'signed')
        .where('report_versions.version_no', '>', 1)
    if (input.statuses.length === 1) {
      if (input.statuses[0] === 'amended') query.whereExists(amended)
      else query.whereNotExists(amended)
    }
    for (const bound of input.lastUpdated) {
      query.whereExists((q) =>
        whereDates(
          q
            .from('report_versions')
            .whereColumn('report_versions.exam_id', 'exams.id')
            .where('report_versions.status', 'signed'),
          'report_versions.signed_at',
          [bound]
        )
      )
    }
    const counted = query.clone().clearOrder()
    const page = this.page(
      await query
        .preload('items')
        .orderBy('exams.registered_at', 'desc')
        .orderBy('exams.id', 'desc')
        .offset(input.offset)
        .limit(input.count + 1),
      input
    )
    return {
      ...(await this.totalOf(page, input, counted)),
      resources: await this.reports(page.rows, client),
    }
  }

  /** A page read with one row more than asked: that row only says whether a next page exists. */
  protected page<T>(rows: T[], input: SearchInput) {
    return { rows: rows.slice(0, input.count), hasNext: rows.length > input.count }
  }

  /*
  | Bundle.total (R4 3.1.1.5.8 `_total`). Counting every match was the dearest
  | part of a wide search (41,143 of 82,882 index entries for a month of the
  | centre's reports; docs/performance.md), so it is done only when asked:
  | - the page itself proves the total when it is the last one (or the first and
  |   only): offset + its rows, exact and free, given for every mode;
  | - `accurate` counts otherwise;
  | - `estimate` takes the optimiser's row estimate (EXPLAIN, MySQL/MariaDB; an
  |   upper estimate of the rows examined), counted on other engines;
  | - `none` and no `_total` leave it out (R4 Bundle.total is 0..1); the `next`
  |   link comes from the extra row, never from a count.
  */
  protected async totalOf(
    page: { rows: unknown[]; hasNext: boolean },
    input: SearchInput,
    counted: any
  ): Promise<{ total: number | null; hasNext: boolean }> {
    const { hasNext } = page
    if (!hasNext && (page.rows.length > 0 || input.offset === 0))
      return { total: input.offset + page.rows.length, hasNext }
    if (input.total === 'estimate' && db.connection().dialect.name === 'mysql') {
      const explained = await db.rawQuery(
        `EXPLAIN ${counted.clone().count('* as total').toQuery()}`
      )
      const estimate = Number(explained[0]?.[0]?.rows ?? 0)
      const seen = input.offset + page.rows.length + (hasNext ? 1 : 0)
      return { total: Math.max(estimate, seen), hasNext }
    }
    if (input.total === 'accurate' || input.total === 'estimate') {
      const [row] = await counted.count('* as total')
      return { total: Number(row.$extras.total), hasNext }
    }
    return { total: null, hasNext }
  }

  protected async searchStudies(input: SearchInput, client: FhirClient) {
    const visible = scopeFhirExams(Exam.query(), client).select('exams.id')
    if (input.patients.length)
      visible.whereIn(
        'exams.patient_id',
        input.patients
          .map(numericId)
          .filter((n): n is number => n !== null)
          .concat([0])
      )
    const accessions = input.identifiers
      .filter((i) => i.system === ACCESSION_SYSTEM)
      .map((i) => i.value)
    if (accessions.length) visible.whereIn('exams.accession_number', accessions)
    const query = ExamStudy.query().whereIn('exam_studies.exam_id', visible)
    if (input.ids.length)
      query.whereIn(
        'exam_studies.id',
        input.ids
          .map(numericId)
          .filter((n): n is number => n !== null)
          .concat([0])
      )
    const uids = input.identifiers
      .filter(
        (i) => i.system === DICOM_UID_SYSTEM || (i.system === null && !accessions.includes(i.value))
      )
      .map((i) => i.value.replace(/^urn:oid:/, ''))
    if (uids.length) query.whereIn('exam_studies.study_instance_uid', uids)
    whereDates(query, 'exam_studies.first_received_at', input.dates)
    whereDates(query, 'exam_studies.updated_at', input.lastUpdated)
    const counted = query.clone()
    const page = this.page(
      await query
        .orderBy('exam_studies.first_received_at', 'desc')
        .orderBy('exam_studies.id', 'desc')
        .offset(input.offset)
        .limit(input.count + 1),
      input
    )
    const studies = page.rows
    const exams = studies.length
      ? await Exam.query()
          .whereIn(
            'id',
            studies.map((s) => s.examId)
          )
          .preload('items')
      : []
    const byId = new Map(exams.map((e) => [e.id, e]))
    const base = { baseUrl: client.baseUrl } as FhirClient
    // In a search the series are left out (numberOfSeries/numberOfInstances stay); a read has them.
    return {
      ...(await this.totalOf(page, input, counted)),
      resources: studies.map((s) =>
        imagingStudyResource(s, byId.get(s.examId)!, this.dicomWebUrl(base), null)
      ),
    }
  }

  protected async searchPatients(input: SearchInput, client: FhirClient) {
    const query = Patient.query()
    if (client.kind === 'clinic') {
      query.where((q) => {
        q.whereIn('patients.id', (sub) =>
          sub
            .from('clinic_patients')
            .select('patient_id')
            .where('institution_id', client.institutionId)
        )
      })
    } else if (client.kind === 'shared') {
      query.whereIn('patients.id', (sub) =>
        sub
          .from('exams')
          .select('patient_id')
          .whereIn('id', (d) => d.from('fhir_deliveries').select('exam_id'))
      )
    }
    if (input.ids.length)
      query.whereIn(
        'patients.id',
        input.ids
          .map(numericId)
          .filter((n): n is number => n !== null)
          .concat([0])
      )
    for (const identifier of input.identifiers) {
      if (identifier.system === NATIONAL_ID_SYSTEM) {
        // Only a client allowed to see national IDs may search by one (by its keyed hash, never decrypting others).
        query.where(
          'patients.national_id_hash',
          client.seesNationalId
            ? new PatientRegistry().hashNationalId(identifier.value.trim().toUpperCase())
            : ''
        )
      } else {
        query.whereIn('patients.id', (sub) => {
          sub
            .from('clinic_patients')
            .select('patient_id')
            .where('clinic_patient_no', identifier.value)
          if (client.kind === 'clinic') sub.where('institution_id', client.institutionId)
          if (identifier.system) {
            const code = /^urn:imaging-alliance:institution:(.+):patient-no$/.exec(
              identifier.system
            )?.[1]
            sub.whereIn('institution_id', (i) =>
              i
                .from('institutions')
                .select('id')
                .where('code', code ?? '')
            )
          }
        })
      }
    }
    whereDates(query, 'patients.updated_at', input.lastUpdated)
    const counted = query.clone()
    const page = this.page(
      await query
        .orderBy('patients.id', 'desc')
        .offset(input.offset)
        .limit(input.count + 1),
      input
    )
    const patients = page.rows
    const numbers = await this.clinicNumbers(
      patients.map((p) => p.id),
      client
    )
    const registry = new PatientRegistry()
    return {
      ...(await this.totalOf(page, input, counted)),
      resources: patients.map((p) =>
        patientResource(
          p,
          numbers.get(p.id) ?? [],
          client.seesNationalId ? registry.decryptNationalId(p) : null
        )
      ),
    }
  }
}
