import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { DateTime } from 'luxon'
import Institution from '#models/institution'
import StaffMember, { PROFESSIONS } from '#models/staff_member'
import StaffCertificate from '#models/staff_certificate'
import User from '#models/user'
import { TITLES } from '#app/access/roles'
import { certificateValidator, staffValidator } from '#app/staffing/validators/staffing_validators'
import { StaffRoster } from '#app/staffing/services/staff_roster'
import { REQUIRED_CERTIFICATES, EXPIRY_WARNING_DAYS, certificateFlags, certificateState } from '#app/staffing/services/certificate_rules'
import { rosterSummary } from '#app/staffing/services/staffing_rules'
import { auditedWork } from '#app/staffing/audited_work'
import { presenter } from '#app/staffing/services/staffing_presenter'
import { DomainRefusal } from '#app/platform/domain_refusal'

const day = (value: Date | undefined) => (value ? DateTime.fromJSDate(value, { zone: 'utc' }) : null)

/** The staff roster of each institution, with titles, FTE and certificates (C 7.1.2–7.1.4). */
@inject()
export default class RosterController {
  constructor(protected roster: StaffRoster) {}

  protected async institution(id: unknown) {
    const institution = await Institution.find(Number(id) || 0)
    if (!institution || (institution.kind !== 'lead_hospital' && institution.kind !== 'member_clinic')) throw DomainRefusal.notFound('institution')
    return institution
  }

  protected async person(id: unknown) {
    const person = await StaffMember.query().where('id', Number(id) || 0).preload('institution').preload('certificates', (q) => q.orderBy('kind')).first()
    if (!person) throw DomainRefusal.notFound('staff')
    return person
  }

  async index({ view, bouncer }: HttpContext) {
    await bouncer.with('StaffingPolicy').authorize('manage')
    const institutions = await Institution.query().whereIn('kind', ['lead_hospital', 'member_clinic']).orderByRaw("CASE kind WHEN 'lead_hospital' THEN 0 ELSE 1 END").orderBy('code')
    const staff = await StaffMember.query().where('active', true)
    const flagged = await this.roster.flaggedAcrossAlliance()
    const rows = institutions.map((institution) => ({
      institution,
      summary: rosterSummary(staff.filter((s) => s.institutionId === institution.id)),
      flagged: new Set(flagged.filter((f) => f.person.institutionId === institution.id).map((f) => f.person.id)).size,
    }))
    return view.render('pages/staffing/roster_index', { rows, flagged, warningDays: EXPIRY_WARNING_DAYS, p: presenter })
  }

  async show({ view, bouncer, params }: HttpContext) {
    await bouncer.with('StaffingPolicy').authorize('manage')
    const institution = await this.institution(params.institutionId)
    const people = await this.roster.ofInstitution(institution.id)
    const users = await User.query().where('institution_id', institution.id).orderBy('full_name')
    const today = this.roster.today()
    return view.render('pages/staffing/roster', {
      institution,
      person: null,
      p: presenter,
      people,
      users,
      summary: rosterSummary(people.filter((p) => p.person.active).map((p) => p.person)),
      professions: PROFESSIONS,
      titles: TITLES,
      required: REQUIRED_CERTIFICATES,
      stateOf: (expiresOn: DateTime | null) => certificateState(expiresOn, today),
      warningDays: EXPIRY_WARNING_DAYS,
    })
  }

  async store(ctx: HttpContext) {
    await ctx.bouncer.with('StaffingPolicy').authorize('manage')
    const data = await ctx.request.validateUsing(staffValidator)
    const person = await auditedWork(
      ctx,
      { action: 'staffing.staff.create', targetType: 'staff_member', details: { institutionId: data.institutionId, staffNo: data.staffNo } },
      () => this.roster.addPerson({ ...data, active: data.active ?? true }),
      (p) => p.id
    )
    ctx.session.flash('success', ctx.i18n.t('common.saved'))
    return ctx.response.redirect(`/admin/staffing/staff/${person.id}/edit`)
  }

  async edit({ view, bouncer, params }: HttpContext) {
    await bouncer.with('StaffingPolicy').authorize('manage')
    const person = await this.person(params.id)
    const users = await User.query().where('institution_id', person.institutionId).orderBy('full_name')
    const today = this.roster.today()
    return view.render('pages/staffing/staff_edit', {
      person,
      users,
      professions: PROFESSIONS,
      titles: TITLES,
      kinds: REQUIRED_CERTIFICATES[person.profession],
      missingKinds: REQUIRED_CERTIFICATES[person.profession].filter((kind) => !person.certificates.some((c) => c.kind === kind)),
      flags: certificateFlags(person.profession, person.certificates, today),
      stateOf: (expiresOn: DateTime | null) => certificateState(expiresOn, today),
      warningDays: EXPIRY_WARNING_DAYS,
    })
  }

  async update(ctx: HttpContext) {
    await ctx.bouncer.with('StaffingPolicy').authorize('manage')
    const person = await this.person(ctx.params.id)
    const data = await ctx.request.validateUsing(staffValidator)
    await auditedWork(ctx, { action: 'staffing.staff.update', targetType: 'staff_member', targetId: person.id }, () =>
      this.roster.updatePerson(person, { ...data, active: data.active ?? false })
    )
    ctx.session.flash('success', ctx.i18n.t('common.saved'))
    return ctx.response.redirect(`/admin/staffing/staff/${person.id}/edit`)
  }

  async storeCertificate(ctx: HttpContext) {
    await ctx.bouncer.with('StaffingPolicy').authorize('manage')
    const person = await this.person(ctx.params.id)
    const data = await ctx.request.validateUsing(certificateValidator)
    await auditedWork(
      ctx,
      { action: 'staffing.certificate.create', targetType: 'staff_member', targetId: person.id, details: { kind: data.kind } },
      () => this.roster.addCertificate(person, { ...data, issuedOn: day(data.issuedOn), expiresOn: day(data.expiresOn) })
    )
    ctx.session.flash('success', ctx.i18n.t('common.saved'))
    return ctx.response.redirect(`/admin/staffing/staff/${person.id}/edit`)
  }

  async updateCertificate(ctx: HttpContext) {
    await ctx.bouncer.with('StaffingPolicy').authorize('manage')
    const certificate = await StaffCertificate.find(Number(ctx.params.id) || 0)
    if (!certificate) throw DomainRefusal.notFound('certificate')
    const person = await this.person(certificate.staffMemberId)
    const data = await ctx.request.validateUsing(certificateValidator)
    await auditedWork(
      ctx,
      { action: 'staffing.certificate.update', targetType: 'staff_member', targetId: person.id, details: { kind: certificate.kind, certificateId: certificate.id } },
      () => this.roster.updateCertificate(person, certificate, { ...data, issuedOn: day(data.issuedOn), expiresOn: day(data.expiresOn) })
    )
    ctx.session.flash('success', ctx.i18n.t('common.saved'))
    return ctx.response.redirect(`/admin/staffing/staff/${person.id}/edit`)
  }

  async destroyCertificate(ctx: HttpContext) {
    await ctx.bouncer.with('StaffingPolicy').authorize('manage')
    const certificate = await StaffCertificate.find(Number(ctx.params.id) || 0)
    if (!certificate) throw DomainRefusal.notFound('certificate')
    await auditedWork(
      ctx,
      { action: 'staffing.certificate.delete', targetType: 'staff_member', targetId: certificate.staffMemberId, details: { kind: certificate.kind, number: certificate.number } },
      () => certificate.delete()
    )
    ctx.session.flash('success', ctx.i18n.t('common.deleted'))
    return ctx.response.redirect(`/admin/staffing/staff/${certificate.staffMemberId}/edit`)
  }
}
