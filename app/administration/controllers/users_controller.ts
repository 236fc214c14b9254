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
import { TwoPersonApproval } from '#app/approvals/services/two_person_approval'
import { RESET_PASSWORD, resetSummary } from '#app/administration/approvals'

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
  constructor(
    protected staff: StaffDirectory,
    protected approvals: TwoPersonApproval
  ) {}

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

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.user.create',
      allow: mayAdminister,
      input: createUserValidator,
      run: ({ user, input }) => this.staff.create(input, user),
      audit: {
        target: (created) => ({ type: 'user', id: created.id }),
        details: (created) => ({ role: created.role, status: created.status }),
      },
      page: () => done(ctx, 'common.saved', {}, '/admin/users'),
    })
  }

  update(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.user.update',
      allow: mayAdminister,
      target: userTarget,
      input: updateUserValidator,
      run: async ({ user, target, input }) => {
        // Resetting another user's password: two-person rule (MLPS 8.1.4.2); the rest saves now.
        if (input.password && target.id !== user.id) {
          await this.staff.vetPassword(target, input.password)
          const approval = await this.approvals.request(
            user,
            RESET_PASSWORD,
            { userId: target.id, password: input.password },
            resetSummary(target)
          )
          const saved = await this.staff.update(target, { ...input, password: null }, user)
          return { saved, approval }
        }
        return { saved: await this.staff.update(target, input, user), approval: null }
      },
      audit: {
        details: ({ saved, approval }) => ({
          role: saved.role,
          status: saved.status,
          ...(approval ? { approvalId: approval.id, approval: 'pending' } : {}),
        }),
      },
      json: ({ saved, approval }) => ({
        id: saved.id,
        role: saved.role,
        status: saved.status,
        approvalId: approval?.id ?? null,
      }),
      page: ({ approval }) =>
        approval
          ? done(ctx, 'approvals.requested', { id: approval.id }, '/admin/users')
          : done(ctx, 'common.saved', {}, '/admin/users'),
    })
  }
}
