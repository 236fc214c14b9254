import db from '@adonisjs/lucid/services/db'
import Institution, { type InstitutionKind, type Specialty } from '#models/institution'
import { DomainRefusal } from '#app/platform/domain_refusal'

export interface InstitutionInput {
  code: string
  name: string
  kind: InstitutionKind
  level?: string | null
  specialty?: Specialty | null
  address?: string | null
  phone?: string | null
  active?: boolean
}

/** The alliance's institutions: one lead hospital, its member clinics, upper-level hospitals, specialty centres. */
export class InstitutionRegistry {
  /** The administrator's home page: what the alliance holds. */
  async homeCounts() {
    const count = async (table: string, where?: Record<string, unknown>) => {
      const query = db.from(table)
      if (where) query.where(where)
      return Number((await query.count('* as total').first()).total)
    }
    return {
      institutions: await count('institutions'),
      users: await count('users'),
      senders: await count('dicom_senders'),
      items: await count('exam_items', { active: true }),
    }
  }

  protected async check(input: InstitutionInput, existing?: Institution) {
    const sameCode = await Institution.findBy('code', input.code)
    if (sameCode && sameCode.id !== existing?.id)
      throw new DomainRefusal('code_taken', 'admin.institutions.code_taken')
    if (input.kind === 'lead_hospital') {
      const lead = await Institution.query()
        .where('kind', 'lead_hospital')
        .whereNot('id', existing?.id ?? 0)
        .first()
      if (lead) throw new DomainRefusal('one_lead_hospital', 'admin.institutions.one_lead_hospital')
    }
    if (input.kind === 'specialty_centre' && !input.specialty) {
      throw new DomainRefusal('specialty_required', 'admin.institutions.specialty_required')
    }
    if (existing?.kind === 'lead_hospital' && input.kind !== 'lead_hospital') {
      throw new DomainRefusal('one_lead_hospital', 'admin.institutions.one_lead_hospital')
    }
  }

  protected fields(input: InstitutionInput) {
    return {
      code: input.code,
      name: input.name,
      kind: input.kind,
      level: input.level || null,
      specialty: input.kind === 'specialty_centre' ? (input.specialty ?? null) : null,
      address: input.address || null,
      phone: input.phone || null,
      active: input.active ?? true,
    }
  }

  async create(input: InstitutionInput) {
    await this.check(input)
    return Institution.create(this.fields(input))
  }

  async update(institution: Institution, input: InstitutionInput) {
    await this.check(input, institution)
    institution.merge(this.fields(input))
    await institution.save()
    return institution
  }
}
