import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { DateTime } from 'luxon'
import StaffMember, { PROFESSIONS } from '#models/staff_member'
import User from '#models/user'
import { TITLES } from '#app/access/roles'
import { certificateValidator, staffValidator } from '#app/staffing/validators/staffing_validators'
import { StaffRoster } from '#app/staffing/services/staff_roster'
import {
  REQUIRED_CERTIFICATES,
  EXPIRY_WARNING_DAYS,
  certificateFlags,
  certificateState,
} from '#app/staffing/services/certificate_rules'
import { rosterSummary } from '#app/staffing/services/staffing_rules'
import { presenter } from '#app/staffing/services/staffing_presenter'
import {
  certificateTarget,
  mayManageStaffing,
  rosterInstitutionTarget,
  staffMemberTarget,
} from '#app/staffing/staffing_access'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { useCase, done } from '#app/platform/http/use_case'

const day = (value: Date | undefined) =>
  value ? DateTime.fromJSDate(value, { zone: 'utc' }) : null

async function personOf(certificateStaffMemberId: number) {
  const person = await StaffMember.query()
    .where('id', certificateStaffMemberId)
    .preload('institution')
    .preload('certificates', (q) => q.orderBy('kind'))
    .first()
  if (!person) throw DomainRefusal.notFound('staff')
  return person
}

/** The staff roster of each institution, with titles, FTE and certificates (C 7.1.2–7.1.4). */
@inject()
export default class RosterController {
  constructor(protected roster: StaffRoster) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'staffing.roster.view',
      allow: mayManageStaffing,
      run: () => this.roster.allianceOverview(),
      page: (overview) =>
        ctx.view.render('pages/staffing/roster_index', {
          ...overview,
          warningDays: EXPIRY_WARNING_DAYS,
          p: presenter,
        }),
    })
  }

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'staffing.roster.view',
      allow: mayManageStaffing,
      target: rosterInstitutionTarget,
      run: async ({ target }) => ({
        people: await this.roster.ofInstitution(target.id),
        users: await User.query().where('institution_id', target.id).orderBy('full_name'),
      }),
      page: ({ people, users }, { target: institution }) => {
        const today = this.roster.today()
        return ctx.view.render('pages/staffing/roster', {
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
      },
    })
  }

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'staffing.staff.create',
      allow: mayManageStaffing,
      input: staffValidator,
      run: ({ input }) => this.roster.addPerson({ ...input, active: input.active ?? true }),
      audit: {
        target: (person) => ({ type: 'staff_member', id: person.id }),
        details: (_, { input }) => ({ institutionId: input.institutionId, staffNo: input.staffNo }),
      },
      page: (person) => done(ctx, 'common.saved', {}, `/admin/staffing/staff/${person.id}/edit`),
    })
  }

  edit(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'staffing.staff.view',
      allow: mayManageStaffing,
      target: staffMemberTarget,
      run: ({ target }) =>
        User.query().where('institution_id', target.institutionId).orderBy('full_name'),
      page: (users, { target: person }) => {
        const today = this.roster.today()
        return ctx.view.render('pages/staffing/staff_edit', {
          person,
          users,
          professions: PROFESSIONS,
          titles: TITLES,
          kinds: REQUIRED_CERTIFICATES[person.profession],
          missingKinds: REQUIRED_CERTIFICATES[person.profession].filter(
            (kind) => !person.certificates.some((c) => c.kind === kind)
          ),
          flags: certificateFlags(person.profession, person.certificates, today),
          stateOf: (expiresOn: DateTime | null) => certificateState(expiresOn, today),
          warningDays: EXPIRY_WARNING_DAYS,
        })
      },
    })
  }

  update(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'staffing.staff.update',
      allow: mayManageStaffing,
      target: staffMemberTarget,
      input: staffValidator,
      run: ({ target, input }) =>
        this.roster.updatePerson(target, { ...input, active: input.active ?? false }),
      page: (_, { target }) =>
        done(ctx, 'common.saved', {}, `/admin/staffing/staff/${target.id}/edit`),
    })
  }

  storeCertificate(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'staffing.certificate.create',
      allow: mayManageStaffing,
      target: staffMemberTarget,
      input: certificateValidator,
      run: ({ target, input }) =>
        this.roster.addCertificate(target, {
          ...input,
          issuedOn: day(input.issuedOn),
          expiresOn: day(input.expiresOn),
        }),
      audit: { details: (_, { input }) => ({ kind: input.kind }) },
      page: (_, { target }) =>
        done(ctx, 'common.saved', {}, `/admin/staffing/staff/${target.id}/edit`),
    })
  }

  updateCertificate(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'staffing.certificate.update',
      allow: mayManageStaffing,
      target: certificateTarget,
      input: certificateValidator,
      run: async ({ target: certificate, input }) =>
        this.roster.updateCertificate(await personOf(certificate.staffMemberId), certificate, {
          ...input,
          issuedOn: day(input.issuedOn),
          expiresOn: day(input.expiresOn),
        }),
      audit: {
        target: (_, { target }) => ({ type: 'staff_member', id: target.staffMemberId }),
        details: (_, { target }) => ({ kind: target.kind, certificateId: target.id }),
      },
      page: (_, { target }) =>
        done(ctx, 'common.saved', {}, `/admin/staffing/staff/${target.staffMemberId}/edit`),
    })
  }

  destroyCertificate(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'staffing.certificate.delete',
      allow: mayManageStaffing,
      target: certificateTarget,
      run: ({ target }) => this.roster.removeCertificate(target),
      audit: {
        target: (c) => ({ type: 'staff_member', id: c.staffMemberId }),
        details: (c) => ({ kind: c.kind, number: c.number }),
      },
      page: (c) => done(ctx, 'common.deleted', {}, `/admin/staffing/staff/${c.staffMemberId}/edit`),
    })
  }
}
