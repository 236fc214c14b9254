import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import Institution from '#models/institution'
import { ROLES, TITLES } from '#app/access/roles'
import {
  createUserValidator,
  updateUserValidator,
} from '#app/administration/validators/administration_validators'
import { StaffDirectory } from '#app/administration/services/staff_directory'
import { mayAdminister, userTarget } from '#app/administration/administration_access'
import { useCase, done } from '#app/platform/http/use_case'

const filterValidator = vine.compile(
  vine.object({
    institutionId: vine.number().positive().withoutDecimals().optional(),
    role: vine.enum(ROLES).optional(),
    status: vine.enum(['active', 'locked', 'disabled'] as const).optional(),
    search: vine.string().trim().maxLength(64).optional(),
    page: vine.number().positive().withoutDecimals().optional(),
  })
)

async function options() {
  return { roles: ROLES, titles: TITLES, institutions: await Institution.query().orderBy('code') }
}

/** The alliance's user accounts: roles, titles, status and expiry (C 8.5.4). */
@inject()
export default class UsersController {
  constructor(protected staff: StaffDirectory) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.user.list',
      allow: mayAdminister,
      input: filterValidator,
      run: ({ input }) => this.staff.list(input),
      page: async (users, { input }) => {
        users.baseUrl('/admin/users').queryString({ ...input, page: undefined })
        return ctx.view.render('pages/administration/users/index', {
          users,
          filters: input,
          ...(await options()),
        })
      },
    })
  }

  create(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.user.new',
      allow: mayAdminister,
      audit: false,
      run: () => options(),
      page: (opts) => ctx.view.render('pages/administration/users/form', { user: null, ...opts }),
    })
  }

  edit(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.user.view',
      allow: mayAdminister,
      target: userTarget,
      run: () => options(),
      page: (opts, { target }) =>
        ctx.view.render('pages/administration/users/form', { user: target, ...opts }),
    })
  }

  /** A guarded role (app/access/roles.ts) is created only once the security administrator approves: 202. */
  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.user.create',
      allow: mayAdminister,
      input: createUserValidator,
      run: ({ user, input }) => this.staff.createAccount(input, user),
      audit: {
        target: ({ created, approval }) =>
          created ? { type: 'user', id: created.id } : { type: 'approval', id: approval!.id },
        details: ({ created, approval }) =>
          created
            ? { role: created.role, status: created.status }
            : {
                role: approval!.summary.grantedRole,
                approvalId: approval!.id,
                approval: 'pending',
              },
      },
      json: ({ created, approval }) =>
        created
          ? { id: created.id, role: created.role, status: created.status, approvalId: null }
          : ctx.response
              .status(202)
              .send({ id: null, approvalId: approval!.id, status: approval!.status }),
      page: ({ approval }) =>
        approval
          ? done(ctx, 'approvals.requested', { id: approval.id }, '/admin/users')
          : done(ctx, 'common.saved', {}, '/admin/users'),
    })
  }

  /** Another user's password and a guarded role or institution wait for approval; the rest saves now. */
  update(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.user.update',
      allow: mayAdminister,
      target: userTarget,
      input: updateUserValidator,
      run: ({ user, target, input }) => this.staff.updateAccount(target, input, user),
      audit: {
        details: ({ saved, approvals }) => ({
          role: saved.role,
          status: saved.status,
          ...(approvals.length
            ? { approvalIds: approvals.map((a) => a.id), approval: 'pending' }
            : {}),
        }),
      },
      json: ({ saved, approvals }) => ({
        id: saved.id,
        role: saved.role,
        status: saved.status,
        approvalId: approvals[0]?.id ?? null,
        approvalIds: approvals.map((a) => a.id),
      }),
      page: ({ approvals }) =>
        approvals.length
          ? done(
              ctx,
              'approvals.requested',
              { id: approvals.map((a) => a.id).join(', ') },
              '/admin/users'
            )
          : done(ctx, 'common.saved', {}, '/admin/users'),
    })
  }
}
