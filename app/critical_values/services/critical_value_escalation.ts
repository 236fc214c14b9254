import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import CriticalValue from '#models/critical_value'
import User from '#models/user'
import { Clock } from '#app/platform/clock'
import { audit } from '#app/platform/audit/audit_log'
import { dueEscalationSteps } from '#app/critical_values/critical_value_rules'
import { logHandOff, sqlTime } from '#app/critical_values/hand_off_log'
import { DutyRoster } from '#app/critical_values/services/duty_roster'
import { CriticalValueAlerts } from '#app/critical_values/services/critical_value_alerts'

/*
| C 8.2.2: the system warns automatically. An alert not acknowledged by its
| finding's deadline (default 10 minutes) goes to the clinic's head and the
| lead hospital's duty desk; still not acknowledged at 30 minutes, the
| raising radiologist is told to telephone (and records the call). Run by
| node-cron every few seconds under a lease; each step is claimed with a
| conditional update, so a repeated or overlapping run never repeats a step.
*/
@inject()
export class CriticalValueEscalation {
  constructor(
    protected clock: Clock,
    protected roster: DutyRoster,
    protected alerts: CriticalValueAlerts
  ) {}

  async escalateUnacknowledged(now: DateTime = this.clock.now()) {
    const candidates = await CriticalValue.query()
      .where('status', 'open')
      .where('escalation_level', '<', 2)
      .where((q) =>
        q.where('due_at', '<=', sqlTime(now)).orWhere('phone_due_at', '<=', sqlTime(now))
      )
      .orderBy('due_at')
    let escalated = 0
    let phoneRequired = 0
    for (const value of candidates) {
      for (const step of dueEscalationSteps(value, now)) {
        if (step === 'escalate' && (await this.escalate(value, now))) escalated++
        if (step === 'phone' && (await this.requirePhoneCall(value, now))) phoneRequired++
      }
    }
    return { escalated, phoneRequired }
  }

  /** Level 1: the clinic's head and the duty desk get the alert too; everyone already addressed sees it escalated. */
  protected async escalate(value: CriticalValue, now: DateTime) {
    const { recipients, dutyDeskFallback } = await this.roster.escalationRecipients(
      value.institutionId
    )
    const done = await db.transaction(async (trx) => {
      const claimed = await trx
        .from('critical_values')
        .where('id', value.id)
        .where('status', 'open')
        .where('escalation_level', 0)
        .update({ escalation_level: 1, escalated_at: sqlTime(now) })
      if (Number(claimed) !== 1) return false
      await this.alerts.addDeliveries(value, recipients, trx)
      await logHandOff(
        value.id,
        'escalated',
        now,
        null,
        {
          recipients: recipients.map((r) => ({
            id: r.user.id,
            name: r.user.fullName,
            reason: r.reason,
          })),
          dutyDeskFallback,
        },
        trx
      )
      return true
    })
    if (!done) return false
    await value.refresh()
    await audit.system({
      action: 'critical_value.escalate',
      targetType: 'critical_value',
      targetId: value.id,
      details: { level: 1, recipients: recipients.length },
    })
    await this.alerts.push(value)
    return true
  }

  /** Level 2: the raising radiologist is told to telephone the clinic and record the call. */
  protected async requirePhoneCall(value: CriticalValue, now: DateTime) {
    const raiser = await User.findOrFail(value.raisedById)
    const done = await db.transaction(async (trx) => {
      const claimed = await trx
        .from('critical_values')
        .where('id', value.id)
        .where('status', 'open')
        .where('escalation_level', 1)
        .update({ escalation_level: 2, phone_required_at: sqlTime(now) })
      if (Number(claimed) !== 1) return false
      await this.alerts.addDeliveries(value, [{ user: raiser, reason: 'raiser_call' }], trx)
      await logHandOff(
        value.id,
        'phone_required',
        now,
        null,
        { raiser: { id: raiser.id, name: raiser.fullName } },
        trx
      )
      return true
    })
    if (!done) return false
    await value.refresh()
    await audit.system({
      action: 'critical_value.escalate',
      targetType: 'critical_value',
      targetId: value.id,
      details: { level: 2 },
    })
    await this.alerts.push(value)
    return true
  }
}
