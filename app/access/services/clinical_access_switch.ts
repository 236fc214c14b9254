import { inject } from '@adonisjs/core'
import type User from '#models/user'
import Approval from '#app/approvals/approval'
import { TwoPersonApproval } from '#app/approvals/services/two_person_approval'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import {
  adminClinicalAccess,
  refreshAdminClinicalAccess,
  setAdminClinicalAccess,
} from '#app/access/clinical_access'
import { SWITCH_ON_CLINICAL_ACCESS } from '#app/access/approvals'

/*
| Switching administrators' clinical access (MLPS 8.1.4.2; C 8.5 least privilege). On: the system
| administrator asks, the security administrator approves (app/approvals), and it is on from then.
| Off: the system or the security administrator, at once — taking a right away needs no second person.
*/
@inject()
export class ClinicalAccessSwitch {
  constructor(
    protected approvals: TwoPersonApproval,
    protected clock: Clock
  ) {}

  async state() {
    return {
      on: await refreshAdminClinicalAccess(),
      pending: await Approval.query()
        .where('kind', SWITCH_ON_CLINICAL_ACCESS)
        .where('status', 'pending')
        .preload('requestedBy')
        .orderBy('id')
        .first(),
    }
  }

  async requestOn(requester: User, reason: string | null) {
    const { on, pending } = await this.state()
    if (on) throw new DomainRefusal('already_on', 'access.clinical_access.already_on', {}, 409)
    if (pending)
      throw new DomainRefusal(
        'already_requested',
        'access.clinical_access.already_requested',
        { id: pending.id },
        409
      )
    return this.approvals.request(
      requester,
      SWITCH_ON_CLINICAL_ACCESS,
      { reason },
      reason ? { reason } : {}
    )
  }

  async switchOff(user: User) {
    const change = await setAdminClinicalAccess(false, user.id, this.clock.now())
    // A request still waiting would switch it on again once approved: it is withdrawn with the switch-off.
    const withdrawn = await Approval.query()
      .where('kind', SWITCH_ON_CLINICAL_ACCESS)
      .where('status', 'pending')
      .update({
        status: 'rejected',
        decided_by_id: user.id,
        decided_at: this.clock.now().toJSDate(),
        decision_note: 'switched off',
      })
    return { ...change, on: adminClinicalAccess(), withdrawn: Number(withdrawn) || 0 }
  }
}
