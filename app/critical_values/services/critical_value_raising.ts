import { publish } from '#app/platform/domain_events'
import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import CriticalValue from '#models/critical_value'
import CriticalFinding from '#models/critical_finding'
import type Exam from '#models/exam'
import User from '#models/user'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { canRaise, escalationTimes, raiseRefusal } from '#app/critical_values/critical_value_rules'
import { isDuplicateKey, logHandOff, sqlTime } from '#app/critical_values/hand_off_log'
import { DutyRoster, type Recipient } from '#app/critical_values/services/duty_roster'
import { CriticalFindingList } from '#app/critical_values/services/critical_finding_list'
import { CriticalValueAlerts } from '#app/critical_values/services/critical_value_alerts'

export interface RaiseInput {
  findingId: number
  message: string
  /** generated with the form: the same key twice is the same critical value (double click, resent form) */
  requestKey: string
}

/*
| B: the report writer who finds a life-threatening result starts the
| critical-value process. Raising stores the critical value and, unless the
| two-person check is on, sends it at once; with the check on, a second
| radiologist confirms first (or withdraws it).
*/
@inject()
export class CriticalValueRaising {
  constructor(
    protected clock: Clock,
    protected roster: DutyRoster,
    protected findings: CriticalFindingList,
    protected alerts: CriticalValueAlerts
  ) {}

  /** Raises a critical value on an exam. A replayed request key is refused without creating a second one. */
  async raise(user: User, exam: Exam, input: RaiseInput): Promise<CriticalValue> {
    if (!canRaise(user))
      throw new DomainRefusal('forbidden', 'critical_values.raise.radiologists_only', {}, 403)
    const message = input.message.trim()
    // The checks and what sending needs are independent lookups: run them side by side (a critical value is
    // pushed as soon as it is stored, so every round trip before the push is time the clinic waits).
    const [replayed, finding, open, twoPersonCheck, [requestingDoctor, recipients]] =
      await Promise.all([
        CriticalValue.findBy('request_key', input.requestKey),
        CriticalFinding.query().where('id', input.findingId).where('active', true).first(),
        CriticalValue.query()
          .where('exam_id', exam.id)
          .where('finding_id', input.findingId)
          .whereIn('status', ['awaiting_confirmation', 'open'])
          .first(),
        this.findings.twoPersonCheck(),
        this.roster
          .requestingDoctor(exam.institutionId, exam.requestingDoctor)
          .then(
            async (doctor) =>
              [doctor, await this.roster.clinicRecipients(exam.institutionId, doctor)] as const
          ),
        exam.load((loader) => loader.load('patient').load('items').load('institution')),
      ])
    if (replayed) throw this.replayRefusal(replayed)
    const refusal = raiseRefusal(exam, message)
    if (refusal) throw refusal
    if (!finding)
      throw new DomainRefusal('unknown_finding', 'critical_values.raise.unknown_finding')
    if (open)
      throw new DomainRefusal(
        'already_open',
        'critical_values.raise.already_open',
        { id: open.id },
        409
      )

    const now = this.clock.now()
    let value: CriticalValue
    try {
      value = await db.transaction(async (trx) => {
        const created = await CriticalValue.create(
          {
            examId: exam.id,
            institutionId: exam.institutionId,
            findingId: finding.id,
            findingName: finding.name,
            message,
            status: twoPersonCheck ? 'awaiting_confirmation' : 'open',
            escalationLevel: 0,
            requestKey: input.requestKey,
            raisedById: user.id,
            raisedAt: now,
            requestingDoctorUserId: requestingDoctor?.id ?? null,
            ...(twoPersonCheck ? {} : this.deadlines(finding, now, recipients.length)),
          },
          { client: trx }
        )
        await logHandOff(
          created.id,
          'raised',
          now,
          user,
          { finding: finding.name, message, examStatus: exam.status },
          trx
        )
        if (twoPersonCheck)
          await logHandOff(created.id, 'confirmation_requested', now, user, null, trx)
        else await this.recordSending(created, recipients, now, trx)
        return created
      })
    } catch (error) {
      // Two submissions of the same form at the same moment: the unique key lets only one through.
      if (isDuplicateKey(error)) {
        const first = await CriticalValue.findBy('request_key', input.requestKey)
        if (first) throw this.replayRefusal(first)
      }
      throw error
    }
    if (value.status === 'open') {
      value.$setRelated('exam', exam)
      value.$setRelated('institution', exam.institution)
      value.$setRelated('raisedBy', user)
      this.alerts.pushTo(value, recipients)
    } else {
      await this.alerts.announceConfirmations()
    }
    publish('critical_value:raised', {
      criticalValueId: value.id,
      examId: exam.id,
      status: value.status,
    })
    return value
  }

  protected replayRefusal(existing: CriticalValue) {
    return new DomainRefusal('replayed', 'critical_values.raise.replayed', { id: existing.id }, 409)
  }

  /** Deadlines from the moment it goes out; nobody at the clinic to receive it escalates at the next run. */
  protected deadlines(finding: CriticalFinding, now: DateTime, recipientCount: number) {
    const { dueAt, phoneDueAt } = escalationTimes(now, finding.ackMinutes)
    return { sentAt: now, dueAt: recipientCount ? dueAt : now, phoneDueAt }
  }

  /** One delivery row per recipient and the hand-off logged, in the transaction that opens the alert. */
  protected async recordSending(
    value: CriticalValue,
    recipients: Recipient[],
    now: DateTime,
    trx: TransactionClientContract
  ) {
    await this.alerts.addDeliveries(value, recipients, trx)
    await logHandOff(
      value.id,
      'sent',
      now,
      null,
      {
        recipients: recipients.map((r) => ({
          id: r.user.id,
          name: r.user.fullName,
          reason: r.reason,
        })),
        dueAt: value.dueAt!.toISO(),
        phoneDueAt: value.phoneDueAt!.toISO(),
        ...(recipients.length ? {} : { noRecipients: true }),
      },
      trx
    )
  }

  /** Sends a confirmed critical value (two-person check): deadlines from now, deliveries, hand-off. */
  protected async send(
    value: CriticalValue,
    finding: CriticalFinding,
    now: DateTime,
    trx: TransactionClientContract
  ) {
    const requestingDoctor = value.requestingDoctorUserId
      ? await User.find(value.requestingDoctorUserId, { client: trx })
      : null
    const recipients = await this.roster.clinicRecipients(value.institutionId, requestingDoctor)
    value.useTransaction(trx)
    value.merge({ status: 'open', ...this.deadlines(finding, now, recipients.length) })
    await value.save()
    await this.recordSending(value, recipients, now, trx)
  }

  /** The two-person check: a second lead-hospital radiologist confirms, and the alert goes out. */
  async confirm(user: User, value: CriticalValue) {
    if (!canRaise(user))
      throw new DomainRefusal('forbidden', 'critical_values.confirm.radiologists_only', {}, 403)
    if (value.status !== 'awaiting_confirmation')
      throw new DomainRefusal('not_awaiting', 'critical_values.confirm.not_awaiting', {}, 409)
    if (value.raisedById === user.id)
      throw new DomainRefusal('same_doctor', 'critical_values.confirm.same_doctor')
    const finding = await CriticalFinding.findOrFail(value.findingId)
    const now = this.clock.now()
    await db.transaction(async (trx) => {
      // Two radiologists confirming at once: only the first moves it on.
      const claimed = await trx
        .from('critical_values')
        .where('id', value.id)
        .where('status', 'awaiting_confirmation')
        .update({ status: 'open', confirmed_by_id: user.id, confirmed_at: sqlTime(now) })
      if (Number(claimed) !== 1)
        throw new DomainRefusal('not_awaiting', 'critical_values.confirm.not_awaiting', {}, 409)
      await value.useTransaction(trx).refresh()
      await logHandOff(value.id, 'confirmed', now, user, null, trx)
      await this.send(value, finding, now, trx)
    })
    await this.alerts.push(value)
    await this.alerts.announceConfirmations()
    return value
  }

  /** Before it goes out, the second radiologist (or the raiser) may stop it, saying why. */
  async withdraw(user: User, value: CriticalValue, reason: string) {
    if (!canRaise(user))
      throw new DomainRefusal('forbidden', 'critical_values.confirm.radiologists_only', {}, 403)
    if (value.status !== 'awaiting_confirmation')
      throw new DomainRefusal('already_sent', 'critical_values.withdraw.already_sent', {}, 409)
    const now = this.clock.now()
    await db.transaction(async (trx) => {
      const claimed = await trx
        .from('critical_values')
        .where('id', value.id)
        .where('status', 'awaiting_confirmation')
        .update({
          status: 'withdrawn',
          withdrawn_by_id: user.id,
          withdrawn_at: sqlTime(now),
          withdrawn_reason: reason.trim(),
        })
      if (Number(claimed) !== 1)
        throw new DomainRefusal('already_sent', 'critical_values.withdraw.already_sent', {}, 409)
      await logHandOff(value.id, 'withdrawn', now, user, { reason: reason.trim() }, trx)
    })
    await value.refresh()
    await this.alerts.announceConfirmations()
    return value
  }
}
