import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import CriticalValueDelivery from '#models/critical_value_delivery'
import { examForRequest } from '#app/intake/exam_access'
import { criticalValueForRequest } from '#app/critical_values/critical_value_access'
import { act, guard, wantsJson } from '#app/critical_values/controllers/controller_helpers'
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

/** Raising, confirming, acknowledging and telephoning: each validates, authorises and calls one service method. */
@inject()
export default class CriticalValueActionsController {
  constructor(
    protected raising: CriticalValueRaising,
    protected acknowledgement: CriticalValueAcknowledgement,
    protected roster: DutyRoster
  ) {}

  /** POST /exams/:id/critical-values: from the exam page now, from the report editor later (same partial). */
  async raise(ctx: HttpContext) {
    const exam = await examForRequest(ctx, { id: ctx.params.id })
    await guard(ctx, 'raise', 'critical_value.raise')
    const data = await ctx.request.validateUsing(raiseValidator)
    const raised = await act(ctx, 'critical_value.raise', { type: 'exam', id: exam.id }, () => this.raising.raise(ctx.auth.user!, exam, data), (v) => ({
      criticalValueId: v.id,
      finding: v.findingName,
      status: v.status,
    }))
    if (!raised) return
    const value = raised.result
    const recipients = await CriticalValueDelivery.query().where('critical_value_id', value.id).count('* as n')
    const count = Number(recipients[0].$extras.n)
    if (wantsJson(ctx)) return ctx.response.status(201).json({ id: value.id, status: value.status, recipients: count })
    ctx.session.flash(
      'success',
      value.status === 'open'
        ? ctx.i18n.t('critical_values.raise.sent', { count })
        : ctx.i18n.t('critical_values.raise.awaiting_confirmation')
    )
    return ctx.response.redirect().back()
  }

  async confirm(ctx: HttpContext) {
    const value = await criticalValueForRequest(ctx, ctx.params.id)
    await guard(ctx, 'confirm', 'critical_value.confirm', value)
    const done = await act(ctx, 'critical_value.confirm', { type: 'critical_value', id: value.id }, () => this.raising.confirm(ctx.auth.user!, value))
    if (!done) return
    return this.answer(ctx, done.result, 'critical_values.confirm.done')
  }

  async withdraw(ctx: HttpContext) {
    const value = await criticalValueForRequest(ctx, ctx.params.id)
    await guard(ctx, 'raise', 'critical_value.withdraw', value)
    const { reason } = await ctx.request.validateUsing(withdrawValidator)
    const done = await act(ctx, 'critical_value.withdraw', { type: 'critical_value', id: value.id }, () => this.raising.withdraw(ctx.auth.user!, value, reason))
    if (!done) return
    return this.answer(ctx, done.result, 'critical_values.withdraw.done')
  }

  /** The receiver's read-back and confirmation, from the alert (fetch, JSON) or the detail page (form). */
  async acknowledge(ctx: HttpContext) {
    const value = await criticalValueForRequest(ctx, ctx.params.id)
    await guard(ctx, 'acknowledge', 'critical_value.acknowledge', value)
    const { readBack } = await ctx.request.validateUsing(acknowledgeValidator)
    const done = await act(ctx, 'critical_value.acknowledge', { type: 'critical_value', id: value.id }, () =>
      this.acknowledgement.acknowledge(ctx.auth.user!, value, readBack)
    )
    if (!done) return
    return this.answer(ctx, done.result, 'critical_values.acknowledge.done')
  }

  async recordCall(ctx: HttpContext) {
    const value = await criticalValueForRequest(ctx, ctx.params.id)
    await guard(ctx, 'recordCall', 'critical_value.call', value)
    const data = await ctx.request.validateUsing(callValidator)
    const done = await act(ctx, 'critical_value.call', { type: 'critical_value', id: value.id }, () => this.acknowledgement.recordCall(ctx.auth.user!, value, data), () => ({
      outcome: data.outcome,
    }))
    if (!done) return
    return this.answer(ctx, done.result, data.outcome === 'reached' ? 'critical_values.call.acknowledged' : 'critical_values.call.recorded')
  }

  /** Clinic staff start or end their shift for critical values. */
  async ownDuty(ctx: HttpContext) {
    const { on } = await ctx.request.validateUsing(ownDutyValidator)
    const user = ctx.auth.user!
    const done = await act(ctx, 'critical_value.duty', { type: 'user', id: user.id }, () => this.roster.setOwnDuty(user, on), () => ({ on }))
    if (!done) return
    ctx.session.flash('success', ctx.i18n.t(on ? 'critical_values.duty.now_on' : 'critical_values.duty.now_off'))
    return ctx.response.redirect().back()
  }

  protected answer(ctx: HttpContext, value: { id: number; status: string }, messageKey: string) {
    if (wantsJson(ctx)) return ctx.response.json({ id: value.id, status: value.status })
    ctx.session.flash('success', ctx.i18n.t(messageKey))
    return ctx.response.redirect().back()
  }
}
