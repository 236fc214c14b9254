import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import User from '#models/user'
import Institution, { type InstitutionKind } from '#models/institution'
import { grantsGuardedRole, type Role, type Title } from '#app/access/roles'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { checkNewPassword, rememberPassword } from '#app/access/services/password_policy'
import { endEverySession, type SessionEnd } from '#app/access/services/account_sessions'
import type Approval from '#app/approvals/approval'
import { TwoPersonApproval } from '#app/approvals/services/two_person_approval'
import {
  CREATE_ACCOUNT,
  GRANT_ROLE,
  RESET_PASSWORD,
  accountSummary,
  grantSummary,
  resetSummary,
  type RoleGrant,
} from '#app/administration/approvals'

export interface UserInput {
  institutionId: number
  fullName: string
  role: Role
  title?: Title | null
  status?: 'active' | 'locked' | 'disabled'
  expiresOn?: Date | null
  username?: string
  password?: string | null
}

/** Where each role works: clinics register, the lead hospital reads and administers. */
const ROLE_INSTITUTIONS: Record<Role, InstitutionKind[]> = {
  clinic_staff: ['member_clinic', 'upper_hospital', 'specialty_centre'],
  radiologist: ['lead_hospital', 'upper_hospital'],
  qc_officer: ['lead_hospital'],
  admin: ['lead_hospital'],
  security_admin: ['lead_hospital'],
  audit_admin: ['lead_hospital'],
}

/** Rules for user accounts (C 8.5.4: least privilege; lock or remove surplus and expired accounts). */
export interface UserFilters {
  institutionId?: number
  role?: string
  status?: string
  search?: string
  page?: number
}

export class StaffDirectory {
  list(filters: UserFilters) {
    return User.query()
      .preload('institution')
      .if(filters.institutionId, (q) => q.where('institution_id', filters.institutionId!))
      .if(filters.role, (q) => q.where('role', filters.role!))
      .if(filters.status, (q) => q.where('status', filters.status!))
      .if(filters.search, (q) =>
        q.where((s) =>
          s
            .where('username', 'like', `%${filters.search}%`)
            .orWhere('full_name', 'like', `%${filters.search}%`)
        )
      )
      .orderBy('institution_id')
      .orderBy('username')
      .paginate(filters.page ?? 1, 50)
  }

  protected async check(
    input: Pick<UserInput, 'institutionId' | 'role' | 'title' | 'status'>,
    actor: User,
    existing?: User
  ) {
    const institution = await Institution.find(input.institutionId)
    if (!institution)
      throw new DomainRefusal('unknown_institution', 'admin.users.unknown_institution')
    if (!ROLE_INSTITUTIONS[input.role].includes(institution.kind)) {
      throw new DomainRefusal('role_institution', 'admin.users.role_institution')
    }
    // Readers need a professional title: it decides who may review and sign (C 4.2.1).
    if (input.role === 'radiologist' && !input.title)
      throw new DomainRefusal('title_required', 'admin.users.title_required')
    if (
      existing &&
      existing.id === actor.id &&
      (input.role !== 'admin' || (input.status && input.status !== 'active'))
    ) {
      throw new DomainRefusal('self_lockout', 'admin.users.self_lockout')
    }
    return institution
  }

  /*
  | What the system administrator's forms call (MLPS 8.1.4.2). What the administrator may do alone is done
  | now; what needs a second person — a guarded role (app/access/roles.ts), another user's password — is
  | checked now and sent for approval, and the account keeps its present role, institution and password
  | until the security administrator approves. A new account with a guarded role does not exist until then
  | (nobody can sign in with it, nothing can be given to it), so there is no half-made account to guard.
  */

  /** Creates the account now, or (a guarded role) asks for approval and creates nothing. */
  async createAccount(
    input: UserInput,
    actor: User
  ): Promise<{ created: User | null; approval: Approval | null }> {
    if (!grantsGuardedRole(input))
      return { created: await this.create(input, actor), approval: null }
    const institution = await this.vetNew(input, actor)
    const approval = await (
      await app.container.make(TwoPersonApproval)
    ).request(
      actor,
      CREATE_ACCOUNT,
      {
        ...input,
        title: input.title ?? null,
        expiresOn: input.expiresOn ? input.expiresOn.toISOString() : null,
      },
      accountSummary(input, institution)
    )
    return { created: null, approval }
  }

  /**
   * Saves what the administrator may change alone and asks for approval of the rest: another user's new
   * password, and a guarded role or institution (with the title that goes with a new role).
   */
  async updateAccount(
    user: User,
    input: UserInput,
    actor: User
  ): Promise<{ saved: User; approvals: Approval[] }> {
    const resets = !!input.password && user.id !== actor.id
    const grants = grantsGuardedRole(input, user)
    const now: UserInput = {
      ...input,
      password: resets ? null : input.password,
      ...(grants
        ? {
            role: user.role,
            institutionId: user.institutionId,
            title: input.role !== user.role ? user.title : input.title,
          }
        : {}),
    }
    // Everything is checked before anything is asked or saved: a refusal leaves no stray request behind.
    if (resets) await this.vetPassword(user, input.password!)
    const institution = grants ? await this.check(input, actor, user) : null
    await this.check(now, actor, user)

    const twoPerson = await app.container.make(TwoPersonApproval)
    const approvals: Approval[] = []
    if (resets)
      approvals.push(
        await twoPerson.request(
          actor,
          RESET_PASSWORD,
          { userId: user.id, password: input.password },
          resetSummary(user)
        )
      )
    if (grants) {
      const grant: RoleGrant = {
        userId: user.id,
        role: input.role,
        institutionId: input.institutionId,
        title: input.title ?? null,
      }
      await user.load('institution')
      approvals.push(
        await twoPerson.request(actor, GRANT_ROLE, grant, grantSummary(user, grant, institution!))
      )
    }
    return { saved: await this.update(user, now, actor), approvals }
  }

  /** Gives an account the role and institution an approved request asked for (./approvals.ts). */
  async applyGrant(user: User, grant: Omit<RoleGrant, 'userId'>, requester: User) {
    // Checked again: the institution may have changed kind since the request.
    await this.check({ ...grant, status: user.status }, requester, user)
    const ends: SessionEnd | null =
      grant.role !== user.role
        ? 'role_changed'
        : grant.institutionId !== user.institutionId
          ? 'institution_changed'
          : null
    user.merge({ role: grant.role, institutionId: grant.institutionId, title: grant.title })
    await user.save()
    if (ends) await endEverySession(user, ends)
    return user
  }

  /** The checks of `create`, without creating (before a new account is sent for approval). */
  protected async vetNew(input: UserInput, actor: User) {
    const institution = await this.check(input, actor)
    if (await User.findBy('username', input.username))
      throw new DomainRefusal('username_taken', 'admin.users.username_taken')
    await checkNewPassword(input.password!, null, input.username)
    return institution
  }

  /** Creates an account as asked, no approval (an approved request, a guarded role not asked for). */
  async create(input: UserInput, actor: User) {
    await this.vetNew(input, actor)
    return User.create({
      institutionId: input.institutionId,
      username: input.username!,
      fullName: input.fullName,
      password: input.password!,
      role: input.role,
      title: input.title ?? null,
      status: input.status ?? 'active',
      expiresOn: input.expiresOn ? DateTime.fromJSDate(input.expiresOn, { zone: 'utc' }) : null,
      failedLoginCount: 0,
    })
  }

  /** Saves the account as asked, no approval (what `updateAccount` decided may be done now; tests). */
  async update(user: User, input: UserInput, actor: User) {
    await this.check(input, actor, user)
    if (input.password) await checkNewPassword(input.password, user)
    // What ends every session, API token and socket of the account (MLPS 8.1.4.1; ASVS 3.3).
    const ends: SessionEnd | null = input.password
      ? 'password_changed'
      : input.role !== user.role
        ? 'role_changed'
        : input.institutionId !== user.institutionId
          ? 'institution_changed'
          : input.status && input.status !== user.status && input.status !== 'active'
            ? (input.status as 'locked' | 'disabled')
            : null
    if (input.password) await rememberPassword(user, DateTime.utc())
    user.merge({
      institutionId: input.institutionId,
      fullName: input.fullName,
      role: input.role,
      title: input.title ?? null,
      status: input.status ?? user.status,
      expiresOn: input.expiresOn ? DateTime.fromJSDate(input.expiresOn, { zone: 'utc' }) : null,
    })
    // Unlocking by an administrator also clears the failed-password lock.
    if (input.status === 'active') {
      user.lockedUntil = null
      user.failedLoginCount = 0
    }
    if (input.password) {
      user.password = input.password
      user.passwordChangedAt = DateTime.utc()
    }
    await user.save()
    if (ends) await endEverySession(user, ends)
    return user
  }

  /** Checks a new password for `user` without setting it (before a reset is sent for approval). */
  async vetPassword(user: User, password: string) {
    await checkNewPassword(password, user)
  }

  /** Sets another user's password once the reset is approved (app/administration/approvals.ts). */
  async resetPassword(user: User, password: string) {
    await checkNewPassword(password, user)
    await rememberPassword(user, DateTime.utc())
    user.password = password
    user.passwordChangedAt = DateTime.utc()
    await user.save()
    await endEverySession(user, 'password_changed')
    return user
  }
}
