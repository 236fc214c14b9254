import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { sqlTime } from '#app/platform/db_helpers'

/*
| Results received from outside the alliance's own exams — an upper-level
| hospital's consultation, a FHIR import once interoperability lands — kept so
| the repeat-exam reminder finds them too (R 6.6). The importing capability
| calls this; the reminder judges them like any result (the institution in a
| catalogue's scope and not lower than the clinic, the item evaluated there).
*/
export interface ExternalResultInput {
  patientId: number
  institutionId: number
  examItemId: number
  performedAt: DateTime
  /** the sender's own reference (accession number, FHIR ImagingStudy id…) */
  reference: string
  findings?: string | null
  impression: string
  source: 'consultation' | 'fhir' | 'manual'
}

export async function recordExternalResult(input: ExternalResultInput, now: DateTime) {
  if (!input.impression?.trim())
    throw new DomainRefusal('impression_missing', 'recognition.refusals.impression_missing')
  const institution = await db.from('institutions').where('id', input.institutionId).first()
  if (!institution) throw DomainRefusal.notFound('institution')
  const item = await db.from('exam_items').where('id', input.examItemId).first()
  if (!item) throw DomainRefusal.notFound('exam_item')
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
