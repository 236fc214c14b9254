import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import type User from '#models/user'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { HiddenRecord } from '#app/platform/http/use_case'
import { sqlTime } from '#app/platform/db_helpers'
import { normaliseItem } from '#app/catalogue/catalogue_normaliser'
import { itemKey } from '#app/recognition/services/recognition_rules'
import { toDateTime } from '#app/recognition/services/eligibility'

/*
| Results received from outside the alliance's own exams — an upper-level
| hospital's consultation answer, a FHIR DiagnosticReport or ImagingStudy an
| integration posts, a result the clinic types in from the patient's papers —
| kept per patient so the repeat-exam reminder finds them too (R 6.5, R 6.6).
| The item is matched with the catalogue's own normaliser (R 7.2: category +
| body part + method + position), never a second copy of it. Any institution
| may be recorded; the reminder judges them like any result (in a catalogue's
| scope and not lower than the clinic, the item evaluated there), so an
| unrecognised institution's result is kept but never reminded.
*/
export type ExternalSource = 'consultation' | 'fhir' | 'manual'

export interface ExternalResultInput {
  patientId: number
  institutionId: number
  examItemId: number
  performedAt: DateTime
  /** the sender's own reference (accession number, FHIR ImagingStudy id…) */
  reference: string
  findings?: string | null
  impression: string
  source: ExternalSource
}

/** What a clinic or an integration sends: the clinic's patient, and the item by id, by catalogue code or by name. */
export interface ClinicExternalResultInput {
  clinicPatientId: number
  institutionId: number
  examItemId?: number | null
  /** a catalogue coding (FHIR: urn:imaging-alliance:exam-catalogue:<catalogue>, code = its number) */
  catalogue?: string | null
  code?: string | null
  /** or a modality and the sender's own name of the item, normalised as the catalogues are */
  modality?: string | null
  itemName?: string | null
  performedAt: DateTime
  reference: string
  findings?: string | null
  impression?: string | null
  source?: ExternalSource
}

const CATALOGUE_SYSTEM = 'urn:imaging-alliance:exam-catalogue:'

/**
 * A FHIR R4 DiagnosticReport or ImagingStudy (the parts an outside result needs) read into the fields above;
 * what it lacks is refused by `record` like a form's missing field.
 */
export function fromFhir(resource: Record<string, any>) {
  const codings: any[] = [
    ...(resource.code?.coding ?? []),
    ...(resource.procedureCode ?? []).flatMap((c: any) => c.coding ?? []),
  ]
  const catalogued = codings.find(
    (c) => typeof c?.system === 'string' && c.system.startsWith(CATALOGUE_SYSTEM)
  )
  const modalityCoding =
    resource.resourceType === 'ImagingStudy'
      ? (resource.modality ?? [])[0]
      : (resource.category ?? [])
          .flatMap((c: any) => c.coding ?? [])
          .find((c: any) => /dicom/i.test(c?.system ?? ''))
  const notes = (resource.note ?? []).map((n: any) => n?.text).filter(Boolean)
  return {
    catalogue: catalogued ? String(catalogued.system).slice(CATALOGUE_SYSTEM.length) : null,
    code: catalogued ? String(catalogued.code ?? '') : null,
    modality: modalityCoding?.code ?? null,
    itemName:
      resource.code?.text ??
      codings.find((c) => c?.display)?.display ??
      resource.description ??
      (resource.procedureCode ?? [])[0]?.text ??
      null,
    performedAt:
      resource.effectiveDateTime ??
      resource.effectivePeriod?.start ??
      resource.started ??
      resource.issued ??
      null,
    reference: resource.identifier?.[0]?.value ?? resource.id ?? null,
    findings: resource.resourceType === 'ImagingStudy' ? null : notes.join('\n') || null,
    impression:
      resource.resourceType === 'ImagingStudy'
        ? notes.join('\n') || null
        : (resource.conclusion ?? null),
  }
}

/** The catalogue item an outside result is of, or null when nothing the catalogues hold matches. */
export async function resolveItem(input: ClinicExternalResultInput) {
  if (input.examItemId) {
    return (await db.from('exam_items').where('id', input.examItemId).first()) ?? null
  }
  if (input.catalogue && input.code) {
    return (
      (await db
        .from('exam_items')
        .where('catalogue', input.catalogue)
        .where('seq', Number(input.code) || 0)
        .first()) ?? null
    )
  }
  if (input.modality && input.itemName) {
    const normalised = normaliseItem(input.modality, input.itemName)
    if (!normalised) return null
    const key = itemKey(normalised)
    const candidates = await db
      .from('exam_items')
      .where('modality', normalised.modality)
      .where('body_part', normalised.bodyPart)
      .where('method', normalised.method)
      .orderBy('active', 'desc')
      .orderBy('id', 'asc')
    return (
      candidates.find(
        (c) =>
          itemKey({
            modality: c.modality,
            bodyPart: c.body_part,
            method: c.method,
            position: c.position,
          }) === key
      ) ?? null
    )
  }
  return null
}

/** Writes one outside result; the same reference of the same institution for the same patient is kept once. */
export async function recordExternalResult(input: ExternalResultInput, now: DateTime) {
  if (!input.impression?.trim())
    throw new DomainRefusal('impression_missing', 'recognition.refusals.impression_missing')
  const institution = await db.from('institutions').where('id', input.institutionId).first()
  if (!institution) throw DomainRefusal.notFound('institution')
  const item = await db.from('exam_items').where('id', input.examItemId).first()
  if (!item) throw new DomainRefusal('unknown_item', 'recognition.refusals.unknown_item')
  const existing = await db
    .from('recognition_external_results')
    .where('institution_id', input.institutionId)
    .where('reference', input.reference.trim())
    .where('patient_id', input.patientId)
    .first()
  if (existing) return { id: Number(existing.id), created: false }
  const [id] = await db.table('recognition_external_results').insert({
    patient_id: input.patientId,
    institution_id: input.institutionId,
    exam_item_id: input.examItemId,
    performed_at: sqlTime(input.performedAt),
    reference: input.reference.trim().slice(0, 64),
    findings: input.findings?.trim() || null,
    impression: input.impression.trim(),
    source: input.source,
    created_at: sqlTime(now),
  })
  return { id: Number(id), created: true }
}

@inject()
export class ExternalResults {
  constructor(protected clock: Clock) {}

  /** The clinic's patient: another clinic's is answered like a missing one (404, audited). */
  protected async clinicPatient(user: User, clinicPatientId: number) {
    const row = await db
      .from('clinic_patients')
      .where('id', clinicPatientId)
      .where('institution_id', user.institutionId)
      .first()
    if (!row) throw new HiddenRecord('patient', clinicPatientId)
    return { id: Number(row.id), patientId: Number(row.patient_id) }
  }

  /** A clinic (or its integration token) records an outside result of one of its patients. */
  async record(user: User, input: ClinicExternalResultInput) {
    const patient = await this.clinicPatient(user, input.clinicPatientId)
    const now = this.clock.now()
    if (input.performedAt > now)
      throw new DomainRefusal('performed_in_future', 'recognition.refusals.performed_in_future')
    if (!input.reference?.trim())
      throw new DomainRefusal('reference_missing', 'recognition.refusals.reference_missing')
    const institution = await db.from('institutions').where('id', input.institutionId).first()
    if (!institution) throw DomainRefusal.notFound('institution')
    if (Number(institution.id) === user.institutionId)
      throw new DomainRefusal('own_result', 'recognition.refusals.external_own')
    const item = await resolveItem(input)
    if (!item) throw new DomainRefusal('unknown_item', 'recognition.refusals.unknown_item')
    const saved = await recordExternalResult(
      {
        patientId: patient.patientId,
        institutionId: Number(institution.id),
        examItemId: Number(item.id),
        performedAt: input.performedAt,
        reference: input.reference,
        findings: input.findings,
        impression: input.impression ?? '',
        source: input.source ?? 'manual',
      },
      now
    )
    return { ...saved, examItemId: Number(item.id), itemName: String(item.name) }
  }

  /** The outside results of the clinic's patients (one patient's when named), newest first. */
  async list(user: User, clinicPatientId?: number) {
    const patient = clinicPatientId ? await this.clinicPatient(user, clinicPatientId) : null
    const rows = await db
      .from('recognition_external_results as r')
      .join('clinic_patients as cp', (j) =>
        j.on('cp.patient_id', 'r.patient_id').andOnVal('cp.institution_id', user.institutionId)
      )
      .join('patients as p', 'p.id', 'r.patient_id')
      .join('exam_items as i', 'i.id', 'r.exam_item_id')
      .join('institutions as inst', 'inst.id', 'r.institution_id')
      .if(patient, (q) => q.where('r.patient_id', patient!.patientId))
      .select(
        'r.id',
        'r.performed_at',
        'r.reference',
        'r.findings',
        'r.impression',
        'r.source',
        'r.institution_id',
        'r.exam_item_id',
        'cp.id as clinic_patient_id',
        'p.name as patient_name',
        'i.name as item_name',
        'inst.name as institution_name'
      )
      .orderBy('r.performed_at', 'desc')
      .orderBy('r.id', 'desc')
      .limit(200)
    return rows.map((r) => ({
      id: Number(r.id),
      clinicPatientId: Number(r.clinic_patient_id),
      patientName: r.patient_name,
      institutionId: Number(r.institution_id),
      institutionName: r.institution_name,
      examItemId: Number(r.exam_item_id),
      itemName: r.item_name,
      performedAt: toDateTime(r.performed_at),
      reference: r.reference,
      findings: r.findings,
      impression: r.impression,
      source: r.source as ExternalSource,
    }))
  }
}
