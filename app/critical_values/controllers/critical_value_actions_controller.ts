import { inject } from '@adonisjs/core'
import { can } from '#app/platform/http/can'
import type { HttpContext } from '@adonisjs/core/http'
import CriticalValueDelivery from '#models/critical_value_delivery'
import { examTarget } from '#app/access/exam_access'
import {
  criticalValueTarget,
  mayAcknowledge,
  mayConfirm,
  mayRaise,
  mayRecordCall,
} from '#app/critical_values/critical_value_access'
import { CriticalValueRaising } from '#app/critical_values/services/critical_value_raising'
import { CriticalValueAcknowledgement } from '#app/critical_values/services/critical_value_acknowledgement'
import { DutyRoster } from '#app/critical_values/services/duty_roster'
import {
  acknowledgeValidator,
  callValidator,
  ownDutyValidator,
  raiseValidator,
  withdrawValidator,
} from '#app/critical_values/validators/critical_value_validators'
import { useCase, done } from '#app/platform/http/use_case'

/** The answer to an action on one critical value: its new status (fetch) or a message (form). */
function answered(ctx: HttpContext, messageKey: string) {
  return {
    json: (value: { id: number; status: string }) => ({ id: value.id, status: value.status }),
    page: () => done(ctx, messageKey),
  }
}

/** Raising, confirming, acknowledging and telephoning: each one use case around one service method. */
@inject()
export default class CriticalValueActionsController {
  constructor(
    protected raising: CriticalValueRaising,
    protected acknowledgement: CriticalValueAcknowledgement,
    protected roster: DutyRoster
  ) {}

  /** POST /exams/:id/critical-values: from the exam page and from the report editor (same partial). */
  raise(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'critical_value.raise',
      target: examTarget,
      allowOn: (c) => mayRaise(c),
      input: raiseValidator,
      run: async ({ user, target, input }) => {
        const value = await this.raising.raise(user, target, input)
        const recipients = Number(
          (
            await CriticalValueDelivery.query().where('critical_value_id', value.id).count('* as n')
          )[0].$extras.n
        )
        return { value, recipients }
      },
      audit: {
        details: ({ value }) => ({
          criticalValueId: value.id,
          finding: value.findingName,
          status: value.status,
        }),
      },
      json: ({ value, recipients }) =>
        ctx.response.status(201).json({ id: value.id, status: value.status, recipients }),
      page: ({ value, recipients }) =>
        done(
          ctx,
          value.status === 'open'
            ? 'critical_values.raise.sent'
            : 'critical_values.raise.awaiting_confirmation',
          { count: recipients }
        ),
    })
  }

  confirm(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'critical_value.confirm',
      target: criticalValueTarget,
      allowOn: mayConfirm,
      run: ({ user, target }) => this.raising.confirm(user, target),
      ...answered(ctx, 'critical_values.confirm.done'),
    })
  }

  withdraw(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'critical_value.withdraw',
      target: criticalValueTarget,
      allowOn: (c) => mayRaise(c),
      input: withdrawValidator,
      run: ({ user, target, input }) => this.raising.withdraw(user, target, input.reason),
      ...answered(ctx, 'critical_values.withdraw.done'),
    })
  }

  /** The receiver's read-back and confirmation, from the alert (fetch, JSON) or the detail page (form). */
  acknowledge(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'critical_value.acknowledge',
      target: criticalValueTarget,
      allowOn: mayAcknowledge,
      input: acknowledgeValidator,
      run: ({ user, target, input }) =>
        this.acknowledgement.acknowledge(user, target, input.readBack),
      ...answered(ctx, 'critical_values.acknowledge.done'),
    })
  }

  recordCall(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'critical_value.call',
      target: criticalValueTarget,
      allowOn: (c) => mayRecordCall(c),
      input: callValidator,
      run: ({ user, target, input }) => this.acknowledgement.recordCall(user, target, input),
      audit: { details: (_, { input }) => ({ outcome: input.outcome }) },
      json: (value) => ({ id: value.id, status: value.status }),
      page: (_, { input }) =>
        done(
          ctx,
          input.outcome === 'reached'
            ? 'critical_values.call.acknowledged'
            : 'critical_values.call.recorded'
        ),
    })
  }

  /** Clinic staff start or end their shift for critical values. */
  ownDuty(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'critical_value.duty',
      allow: can('CriticalValuePolicy', 'takeDuty'),
      input: ownDutyValidator,
      run: ({ user, input }) => this.roster.setOwnDuty(user, input.on),
      audit: {
        target: (_, { user }) => ({ type: 'user', id: user.id }),
        details: (_, { input }) => ({ on: input.on }),
      },
      page: (_, { input }) =>
        done(ctx, input.on ? 'critical_values.duty.now_on' : 'critical_values.duty.now_off'),
    })
  }
}
