import { inject } from '@adonisjs/core'
import type { DateTime } from 'luxon'
import Institution from '#models/institution'
import StaffMember, { type Profession } from '#models/staff_member'
import StaffCertificate, { type CertificateKind } from '#models/staff_certificate'
import User from '#models/user'
import type { Title } from '#app/access/roles'
import imaging from '#config/imaging'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import {
  REQUIRED_CERTIFICATES,
  certificateFlags,
  type CertificateFlag,
} from './certificate_rules.js'
import { calendarDay } from '#app/platform/dates'
import { isDuplicateKey } from '#app/platform/db_helpers'
import { rosterSummary } from './staffing_rules.js'

export interface StaffInput {
  institutionId: number
  staffNo: string
  fullName: string
  profession: Profession
  title: Title
  fte: number
  userId?: number | null
  active: boolean
}

export interface CertificateInput {
  kind: CertificateKind
  number?: string | null
  imagingScope?: boolean
  issuedOn?: DateTime | null
  expiresOn?: DateTime | null
}

/** C 7 staffs the lead hospital and the members; other institutions keep no imaging roster here. */
export async function staffedInstitution(id: number) {
  const institution = await Institution.find(id)
  if (
    !institution ||
    (institution.kind !== 'lead_hospital' && institution.kind !== 'member_clinic')
  ) {
    throw new DomainRefusal('institution_not_staffed', 'staffing.roster.institution_not_staffed')
  }
  return institution
}

/**
 * The roster: who works in imaging at each institution, with title, FTE and the
 * certificates C 7.1.2–7.1.4 require, flagged when missing, expired or expiring
 * within 60 days (by the Clock, so tests move time instead of waiting).
 */
@inject()
export class StaffRoster {
  constructor(protected clock: Clock) {}

  /** Today as a calendar day in the hospital's zone. */
  today() {
    return calendarDay(this.clock.now().setZone(imaging.displayTimezone).toISODate()!)
  }

  protected async checkPerson(input: StaffInput, existing?: StaffMember) {
    await staffedInstitution(input.institutionId)
    const sameNo = await StaffMember.query()
      .where('institution_id', input.institutionId)
      .where('staff_no', input.staffNo)
      .first()
    if (sameNo && sameNo.id !== existing?.id)
      throw new DomainRefusal('staff_no_taken', 'staffing.roster.staff_no_taken', {
        staffNo: input.staffNo,
      })
    if (input.userId) {
      const user = await User.find(input.userId)
      if (!user || user.institutionId !== input.institutionId)
        throw new DomainRefusal('user_other_institution', 'staffing.roster.user_other_institution')
      const linked = await StaffMember.query()
        .where('user_id', input.userId)
        .whereNot('id', existing?.id ?? 0)
        .first()
      if (linked)
        throw new DomainRefusal('user_already_linked', 'staffing.roster.user_already_linked', {
          name: linked.fullName,
        })
    }
  }

  protected fields(input: StaffInput) {
    return {
      institutionId: input.institutionId,
      staffNo: input.staffNo.trim(),
      fullName: input.fullName.trim(),
      profession: input.profession,
      title: input.title,
      fte: Math.round(input.fte * 100) / 100,
      userId: input.userId || null,
      active: input.active,
    }
  }

  async addPerson(input: StaffInput) {
    await this.checkPerson(input)
    try {
      return await StaffMember.create(this.fields(input))
    } catch (error) {
      if (isDuplicateKey(error))
        throw new DomainRefusal('staff_no_taken', 'staffing.roster.staff_no_taken', {
          staffNo: input.staffNo,
        })
      throw error
    }
  }

  async updatePerson(person: StaffMember, input: StaffInput) {
    await this.checkPerson(input, person)
    person.merge(this.fields(input))
    await person.save()
    return person
  }

  protected checkCertificate(person: StaffMember, input: CertificateInput) {
    if (!REQUIRED_CERTIFICATES[person.profession].includes(input.kind)) {
      throw new DomainRefusal(
        'certificate_not_for_profession',
        'staffing.certificates.not_for_profession'
      )
    }
    const today = this.today()
    if (input.issuedOn && calendarDay(input.issuedOn) > today)
      throw new DomainRefusal('certificate_issued_future', 'staffing.certificates.issued_future')
    if (
      input.issuedOn &&
      input.expiresOn &&
      calendarDay(input.expiresOn) <= calendarDay(input.issuedOn)
    ) {
      throw new DomainRefusal('certificate_dates', 'staffing.certificates.dates')
    }
  }

  protected certificateFields(input: CertificateInput) {
    return {
      kind: input.kind,
      number: input.number?.trim() || null,
      // only the physician practice licence has a scope (执业范围)
      imagingScope: input.kind === 'physician_practice' ? Boolean(input.imagingScope) : false,
      issuedOn: input.issuedOn ?? null,
      expiresOn: input.expiresOn ?? null,
    }
  }

  /** The alliance at a glance: each institution's roster summary and how many people have a certificate flag. */
  async allianceOverview() {
    const institutions = await Institution.query()
      .whereIn('kind', ['lead_hospital', 'member_clinic'])
      .orderByRaw("CASE kind WHEN 'lead_hospital' THEN 0 ELSE 1 END")
      .orderBy('code')
    const staff = await StaffMember.query().where('active', true)
    const flagged = await this.flaggedAcrossAlliance()
    const rows = institutions.map((institution) => ({
      institution,
      summary: rosterSummary(staff.filter((s) => s.institutionId === institution.id)),
      flagged: new Set(
        flagged.filter((f) => f.person.institutionId === institution.id).map((f) => f.person.id)
      ).size,
    }))
    return { rows, flagged }
  }

  async removeCertificate(certificate: StaffCertificate) {
    await certificate.delete()
    return certificate
  }

  async addCertificate(person: StaffMember, input: CertificateInput) {
    this.checkCertificate(person, input)
    const existing = await StaffCertificate.query()
      .where('staff_member_id', person.id)
      .where('kind', input.kind)
      .first()
    if (existing) throw new DomainRefusal('certificate_exists', 'staffing.certificates.exists')
    try {
      return await StaffCertificate.create({
        staffMemberId: person.id,
        ...this.certificateFields(input),
      })
    } catch (error) {
      if (isDuplicateKey(error))
        throw new DomainRefusal('certificate_exists', 'staffing.certificates.exists')
      throw error
    }
  }

  async updateCertificate(
    person: StaffMember,
    certificate: StaffCertificate,
    input: CertificateInput
  ) {
    if (input.kind !== certificate.kind)
      throw new DomainRefusal('certificate_kind_fixed', 'staffing.certificates.kind_fixed')
    this.checkCertificate(person, input)
    certificate.merge(this.certificateFields(input))
    await certificate.save()
    return certificate
  }

  /** One institution's roster with each person's certificates and flags. */
  async ofInstitution(institutionId: number, includeInactive = true) {
    const people = await StaffMember.query()
      .where('institution_id', institutionId)
      .if(!includeInactive, (q) => q.where('active', true))
      .preload('certificates', (q) => q.orderBy('kind'))
      .preload('user')
      .orderByRaw("CASE profession WHEN 'doctor' THEN 0 WHEN 'technologist' THEN 1 ELSE 2 END")
      .orderBy('staff_no')
    const today = this.today()
    return people.map((person) => ({
      person,
      flags: person.active ? certificateFlags(person.profession, person.certificates, today) : [],
    }))
  }

  /** Every active person with a certificate problem, across the alliance, the most urgent first. */
  async flaggedAcrossAlliance() {
    const people = await StaffMember.query()
      .where('active', true)
      .preload('certificates')
      .preload('institution')
    const today = this.today()
    const urgency = (flag: CertificateFlag) =>
      flag.code === 'expired' || flag.code === 'expiring'
        ? flag.daysLeft
        : flag.code === 'missing'
          ? -100000
          : -50000
    return people
      .flatMap((person) =>
        certificateFlags(person.profession, person.certificates, today).map((flag) => ({
          person,
          flag,
        }))
      )
      .sort(
        (a, b) =>
          urgency(a.flag) - urgency(b.flag) || a.person.fullName.localeCompare(b.person.fullName)
      )
  }
}
