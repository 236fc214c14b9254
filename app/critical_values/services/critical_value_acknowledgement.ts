import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import CriticalValue from '#models/critical_value'
import type User from '#models/user'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { readsForAlliance } from '#app/access/visibility'
import { mayAcknowledge, readBackMatches } from '#app/critical_values/critical_value_rules'
import { logHandOff, sqlTime } from '#app/critical_values/hand_off_log'
import { CriticalValueAlerts } from '#app/critical_values/services/critical_value_alerts'
import { formatInZone } from '#app/critical_values/display'

export interface CallInput {
  outcome: 'reached' | 'not_reached'
  contactName?: string | null
  readBack?: string | null
  note?: string | null
}

/*
| Closing the loop (core rules: the receiver reads the message back and
| confirms). In the system: a person of the requesting clinic types the
| read-back and confirms. By telephone: the raising radiologist (or the
| duty desk) calls, the person who answers reads back, and the call is
| recorded; a call that reached nobody is recorded too and the alert stays.
*/
@inject()
export class CriticalValueAcknowledgement {
  constructor(
    protected clock: Clock,
    protected alerts: CriticalValueAlerts
  ) {}

  protected stillOpen(value: CriticalValue) {
    if (value.status === 'acknowledged') {
      return new DomainRefusal(
        'already_acknowledged',
        'critical_values.acknowledge.already_acknowledged',
        {
          name: value.acknowledgedByName ?? '—',
          time: value.acknowledgedAt ? formatInZone(value.acknowledgedAt) : '—',
        },
        409
      )
    }
    if (value.status !== 'open')
      return new DomainRefusal('not_open', 'critical_values.acknowledge.not_open', {}, 409)
    return null
  }

  /** Someone else closed it between our check and our write: say who, and write nothing. */
  protected async refusalNow(id: number, trx: TransactionClientContract) {
    const current = await CriticalValue.query({ client: trx }).where('id', id).firstOrFail()
    return (
      this.stillOpen(current) ??
      new DomainRefusal('not_open', 'critical_values.acknowledge.not_open', {}, 409)
    )
  }

  async acknowledge(user: User, value: CriticalValue, readBack: string) {
    if (!mayAcknowledge(user, value))
      throw new DomainRefusal('forbidden', 'critical_values.acknowledge.clinic_only', {}, 403)
    const closed = this.stillOpen(value)
    if (closed) throw closed
    const said = readBack.trim()
    if (!readBackMatches(value.message, value.findingName, said)) {
      throw new DomainRefusal(
        'read_back_mismatch',
        'critical_values.acknowledge.read_back_mismatch'
      )
    }
    const now = this.clock.now()
    await db.transaction(async (trx) => {
      const claimed = await trx
        .from('critical_values')
        .where('id', value.id)
        .where('status', 'open')
        .update({
          status: 'acknowledged',
          acknowledged_at: sqlTime(now),
          acknowledged_by_id: user.id,
          acknowledged_by_name: user.fullName,
          ack_channel: 'system',
          read_back: said,
        })
      if (Number(claimed) !== 1) throw await this.refusalNow(value.id, trx)
      // Whoever acknowledges has seen it, whether or not their browser's receipt arrived first.
      await trx
        .from('critical_value_deliveries')
        .where('critical_value_id', value.id)
        .where('user_id', user.id)
        .whereNull('delivered_at')
        .update({ delivered_at: sqlTime(now, true) })
      await trx
        .from('critical_values')
        .where('id', value.id)
        .whereNull('first_delivered_at')
        .update({ first_delivered_at: sqlTime(now) })
      await logHandOff(
        value.id,
        'acknowledged',
        now,
        user,
        { channel: 'system', readBack: said },
        trx
      )
    })
    await value.refresh()
    await this.alerts.closed(value)
    return value
  }

  async recordCall(user: User, value: CriticalValue, input: CallInput) {
    // Radiologists and the duty desk (lead-hospital readers) telephone the clinic.
    if (!readsForAlliance(user))
      throw new DomainRefusal('forbidden', 'critical_values.call.lead_only', {}, 403)
    const closed = this.stillOpen(value)
    if (closed) throw closed
    const contactName = (input.contactName ?? '').trim()
    const readBack = (input.readBack ?? '').trim()
    const note = (input.note ?? '').trim() || null
    if (input.outcome === 'reached') {
      if (!contactName)
        throw new DomainRefusal('contact_required', 'critical_values.call.contact_required')
      if (!readBackMatches(value.message, value.findingName, readBack)) {
        throw new DomainRefusal(
          'read_back_mismatch',
          'critical_values.acknowledge.read_back_mismatch'
        )
      }
    }
    const now = this.clock.now()
    let acknowledged = false
    await db.transaction(async (trx) => {
      await logHandOff(
        value.id,
        'call_recorded',
        now,
        user,
        { outcome: input.outcome, contactName: contactName || null, note },
        trx
      )
      if (input.outcome !== 'reached') return
      const claimed = await trx
        .from('critical_values')
        .where('id', value.id)
        .where('status', 'open')
        .update({
          status: 'acknowledged',
          acknowledged_at: sqlTime(now),
          acknowledged_by_id: null,
          acknowledged_by_name: contactName.slice(0, 64),
          ack_channel: 'phone',
          read_back: readBack,
        })
      if (Number(claimed) !== 1) throw await this.refusalNow(value.id, trx)
      await logHandOff(
        value.id,
        'acknowledged',
        now,
        user,
        { channel: 'phone', contactName, readBack },
        trx
      )
      acknowledged = true
    })
    await value.refresh()
    if (acknowledged) await this.alerts.closed(value)
    return value
  }
}
