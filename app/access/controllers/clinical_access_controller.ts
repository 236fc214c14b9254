import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import type User from '#models/user'
import { isSecurityAdministrator, isSystemAdministrator } from '#app/access/roles'
import { ClinicalAccessSwitch } from '#app/access/services/clinical_access_switch'
import { useCase, done } from '#app/platform/http/use_case'

const requestValidator = vine.compile(
  vine.object({ reason: vine.string().trim().maxLength(255).optional() })
)
const systemAdministrator = (ctx: HttpContext) => isSystemAdministrator(ctx.auth.user as User)
const eitherAdministrator = (ctx: HttpContext) =>
  isSystemAdministrator(ctx.auth.user as User) || isSecurityAdministrator(ctx.auth.user as User)
const setting = () => ({ type: 'security_setting', id: 'admin_clinical_access' })

/** Administrators' clinical access: its state, the request to switch it on, switching it off (all audited). */
@inject()
export default class ClinicalAccessController {
  constructor(protected clinicalAccess: ClinicalAccessSwitch) {}

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'access.clinical_access.view',
      allow: eitherAdministrator,
      run: () => this.clinicalAccess.state(),
      audit: { target: setting },
      json: ({ on, pending }) => ({ on, pendingApprovalId: pending?.id ?? null }),
      page: (state) => ctx.view.render('pages/access/clinical_access', state),
    })
  }

  requestOn(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'access.clinical_access.request_on',
      allow: systemAdministrator,
      input: requestValidator,
      run: ({ user, input }) => this.clinicalAccess.requestOn(user, input.reason ?? null),
      audit: {
        target: (approval) => ({ type: 'approval', id: approval.id }),
        details: () => ({ approval: 'pending' }),
      },
      json: (approval) =>
        ctx.response.status(202).send({ approvalId: approval.id, status: approval.status }),
      page: (approval) =>
        done(ctx, 'approvals.requested', { id: approval.id }, '/admin/clinical-access'),
    })
  }

  switchOff(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'access.clinical_access.off',
      allow: eitherAdministrator,
      run: ({ user }) => this.clinicalAccess.switchOff(user),
      audit: {
        target: setting,
        details: (change) => ({ from: change.from, to: change.to, withdrawn: change.withdrawn }),
      },
      json: (change) => ({ on: change.on, withdrawn: change.withdrawn }),
      page: () => done(ctx, 'access.clinical_access.switched_off', {}, '/admin/clinical-access'),
    })
  }
}
