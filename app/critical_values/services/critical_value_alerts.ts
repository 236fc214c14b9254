import { findingNameEn } from '#app/critical_values/display'
import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { Socket } from 'socket.io'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { ModelQueryBuilderContract } from '@adonisjs/lucid/types/model'
import CriticalValue from '#models/critical_value'
import CriticalValueDelivery from '#models/critical_value_delivery'
import User from '#models/user'
import { Clock } from '#app/platform/clock'
import { realtime, rooms } from '#app/realtime/realtime'
import { readsForAlliance } from '#app/access/visibility'
import logger from '@adonisjs/core/services/logger'
import { audit } from '#app/platform/audit/audit_log'
import { receiptBook } from '#app/critical_values/services/receipt_book'
import { mayAcknowledge } from '#app/critical_values/critical_value_rules'
import { sqlTime } from '#app/critical_values/hand_off_log'
import type { Recipient } from '#app/critical_values/services/duty_roster'

/*
| Pushing critical values over socket.io. socket.io alone delivers at most
| once, so every alert is a stored delivery row first (who, why, when) and
| is pushed to the person's own room after the transaction commits; each
| browser tab confirms receipt with the alert's id ('critical:received'),
| and every socket that connects is sent every open alert addressed to its
| user. Repeats are harmless: the client keeps alerts by id, receipts are
| recorded once.
|
| Events to the browser:
|   critical:alert          an open alert for this person (blocking, with sound)
|   critical:closed         the alert was acknowledged or withdrawn: take it down
|   critical:acknowledged   (to the raiser) the clinic confirmed
|   critical:confirmations  (to radiologists) how many alerts wait for a second doctor
*/

export const EVENTS = {
  alert: 'critical:alert',
  closed: 'critical:closed',
  acknowledged: 'critical:acknowledged',
  confirmations: 'critical:confirmations',
  received: 'critical:received',
} as const

export interface AlertPayload {
  id: number
  status: string
  escalationLevel: number
  phoneRequired: boolean
  examId: number
  accessionNumber: string
  modality: string
  items: string[]
  patient: { name: string; sex: string; age: number | null }
  clinic: { id: number; name: string; phone: string | null }
  requestingDoctor: string
  department: string | null
  finding: string
  /** the finding's English name, for an English page (null: shown as named) */
  findingEn: string | null
  message: string
  raisedBy: string
  raisedAt: string
  sentAt: string | null
  dueAt: string | null
  canAcknowledge: boolean
  canRecordCall: boolean
  detailUrl: string
}

type BasePayload = Omit<AlertPayload, 'canAcknowledge' | 'canRecordCall'>

/**
 * What an open alert says, by id and state: the same for every recipient, so
 * built once. A change of status or escalation level is a new key, so a
 * stale entry is never served; the oldest entries are dropped beyond the cap.
 */
class PayloadCache {
  #entries = new Map<string, BasePayload>()
  constructor(protected cap: number) {}

  get(key: string) {
    return this.#entries.get(key)
  }

  has(key: string) {
    return this.#entries.has(key)
  }

  set(key: string, payload: BasePayload) {
    if (this.#entries.size >= this.cap) this.#entries.delete(this.#entries.keys().next().value!)
    this.#entries.set(key, payload)
  }
}

const payloadCache = new PayloadCache(5000)
// The request key (a UUID) makes the key unique even where an engine reuses the id of a rolled-back row.
const payloadKey = (
  value: Pick<CriticalValue, 'id' | 'requestKey' | 'status' | 'escalationLevel'>
) => `${value.id}:${value.requestKey}:${value.status}:${value.escalationLevel}`

@inject()
export class CriticalValueAlerts {
  constructor(protected clock: Clock) {}

  /** Stores one delivery row per recipient (a person already addressed keeps their first reason). */
  async addDeliveries(
    value: CriticalValue,
    recipients: Recipient[],
    client: TransactionClientContract
  ) {
    if (!recipients.length) return
    const at = sqlTime(this.clock.now())
    // One statement for every recipient; a person already addressed keeps their row.
    await client
      .knexQuery()
      .table('critical_value_deliveries')
      .insert(
        recipients.map((r) => ({
          critical_value_id: value.id,
          user_id: r.user.id,
          reason: r.reason,
          notified_at: at,
        }))
      )
      .onConflict(['critical_value_id', 'user_id'])
      .ignore()
  }

  /** The relations an alert's content is built from, loaded in a few queries however many alerts. */
  protected withPayloadRelations(query: ModelQueryBuilderContract<typeof CriticalValue>) {
    return query
      .preload('exam', (q) => q.preload('patient').preload('items'))
      .preload('institution')
      .preload('raisedBy')
  }

  /** The alert's content common to every recipient (relations preloaded by withPayloadRelations). */
  basePayload(value: CriticalValue) {
    const cached = payloadCache.get(payloadKey(value))
    if (cached) return cached
    const payload = this.buildPayload(value)
    payloadCache.set(payloadKey(value), payload)
    return payload
  }

  protected buildPayload(value: CriticalValue) {
    const exam = value.exam
    const now = this.clock.now()
    const age = exam.patient.birthDate
      ? Math.floor(now.diff(exam.patient.birthDate, 'years').years)
      : null
    return {
      id: value.id,
      status: value.status,
      escalationLevel: value.escalationLevel,
      phoneRequired: value.escalationLevel >= 2,
      examId: exam.id,
      accessionNumber: exam.accessionNumber,
      modality: exam.modality,
      items: exam.items.map((item) => item.name),
      patient: { name: exam.patient.name, sex: exam.patient.sex, age },
      clinic: {
        id: value.institution.id,
        name: value.institution.name,
        phone: value.institution.phone,
      },
      requestingDoctor: exam.requestingDoctor,
      department: exam.department,
      finding: value.findingName,
      findingEn: findingNameEn(value.findingName),
      message: value.message,
      raisedBy: value.raisedBy.fullName,
      raisedAt: value.raisedAt.toISO()!,
      sentAt: value.sentAt?.toISO() ?? null,
      dueAt: value.dueAt?.toISO() ?? null,
      detailUrl: `/critical-values/${value.id}`,
    }
  }

  /** What this person may do from the alert itself. */
  actionsFor(user: User, value: Pick<CriticalValue, 'institutionId'>) {
    return {
      canAcknowledge: mayAcknowledge(user, value),
      // The raiser, any lead-hospital radiologist or QC officer on the duty desk may telephone and record it.
      canRecordCall: readsForAlliance(user),
    }
  }

  /** Pushes a just-opened alert, its relations (exam with patient, items, institution; raisedBy) already in hand. */
  pushTo(value: CriticalValue, recipients: Recipient[]) {
    const base = this.basePayload(value)
    for (const recipient of recipients) {
      const payload: AlertPayload = { ...base, ...this.actionsFor(recipient.user, value) }
      realtime.emit(rooms.user(recipient.user.id), EVENTS.alert, payload)
    }
  }

  /** Pushes an open alert to everyone it is addressed to (or only to `userIds`). */
  async push(value: CriticalValue, userIds?: number[]) {
    const current = await this.withPayloadRelations(
      CriticalValue.query().where('id', value.id)
    ).first()
    if (!current || current.status !== 'open') return
    const deliveries = await CriticalValueDelivery.query()
      .where('critical_value_id', value.id)
      .if(userIds, (q) => q.whereIn('user_id', userIds!))
      .preload('user', (q) => q.preload('institution'))
    if (!deliveries.length) return
    const base = this.basePayload(current)
    for (const delivery of deliveries) {
      const payload: AlertPayload = { ...base, ...this.actionsFor(delivery.user, current) }
      realtime.emit(rooms.user(delivery.userId), EVENTS.alert, payload)
    }
  }

  /** The alert is closed: every tab of every recipient takes it down; the raiser hears back. */
  async closed(value: CriticalValue) {
    const deliveries = await CriticalValueDelivery.query()
      .where('critical_value_id', value.id)
      .select('user_id')
    const payload = {
      id: value.id,
      status: value.status,
      acknowledgedBy: value.acknowledgedByName,
      acknowledgedAt: value.acknowledgedAt?.toISO() ?? null,
      channel: value.ackChannel,
    }
    const userRooms = deliveries.map((d) => rooms.user(d.userId))
    if (userRooms.length) realtime.emit(userRooms, EVENTS.closed, payload)
    if (value.status === 'acknowledged') {
      realtime.emit(rooms.user(value.raisedById), EVENTS.acknowledged, {
        ...payload,
        finding: value.findingName,
      })
    }
  }

  /** Radiologists see how many alerts wait for a second doctor's check. */
  async announceConfirmations() {
    realtime.emit(rooms.readers, EVENTS.confirmations, { count: await this.awaitingConfirmation() })
  }

  async awaitingConfirmation(exceptRaisedBy?: number) {
    const row = await db
      .from('critical_values')
      .where('status', 'awaiting_confirmation')
      .if(exceptRaisedBy, (q) => q.whereNot('raised_by_id', exceptRaisedBy!))
      .count('* as total')
      .first()
    return Number(row?.total ?? 0)
  }

  /**
   * On every (re)connection: every open alert addressed to this person, to
   * this socket. After an outage every browser reconnects at once, so this is
   * one small query per socket; alert content comes from the payload cache
   * and only alerts not seen since the process started are loaded in full.
   */
  async resendOnConnect(socket: Socket, user: User) {
    const open = await CriticalValue.query()
      .where('status', 'open')
      .whereIn('id', (q) =>
        q.from('critical_value_deliveries').where('user_id', user.id).select('critical_value_id')
      )
      .select('id', 'request_key', 'status', 'escalation_level', 'institution_id', 'sent_at')
      .orderBy('sent_at')
    const missing = open.filter((v) => !payloadCache.has(payloadKey(v))).map((v) => v.id)
    if (missing.length) {
      for (const value of await this.withPayloadRelations(
        CriticalValue.query().whereIn('id', missing)
      ))
        this.basePayload(value)
    }
    for (const value of open) {
      const base = payloadCache.get(payloadKey(value))
      if (base)
        socket.emit(EVENTS.alert, {
          ...base,
          ...this.actionsFor(user, value),
        } satisfies AlertPayload)
    }
    if (user.role === 'radiologist' && readsForAlliance(user)) {
      const count = await this.awaitingConfirmation(user.id)
      if (count) socket.emit(EVENTS.confirmations, { count })
    }
  }

  /**
   * A browser tab confirms it showed the alert. The first receipt per person
   * (and the first for the alert) is recorded; later ones change nothing.
   * Returns false when the alert was never addressed to this person.
   */
  confirmReceipt(user: User, criticalValueId: number) {
    return receiptBook.record(user, criticalValueId, this.clock.now())
  }

  /** Sockets: receipts come back on 'critical:received'; open alerts go out on connect. */
  attach(socket: Socket, user: User) {
    socket.on(EVENTS.received, async (message: unknown, ack?: (reply: unknown) => void) => {
      const id = Number((message as any)?.id ?? message)
      let ok = false
      try {
        ok = Number.isInteger(id) && id > 0 && (await this.confirmReceipt(user, id))
        if (!ok) {
          await audit.record(
            {
              user,
              ip: socket.handshake.address,
              userAgent: socket.handshake.headers['user-agent'] ?? null,
            },
            {
              action: 'critical_value.receipt',
              outcome: 'denied',
              targetType: 'critical_value',
              targetId: Number.isInteger(id) ? id : null,
            }
          )
        }
      } catch (error) {
        // Never let a database hiccup take the server down: the alert stays open and the tab confirms again.
        logger.warn({ err: error, criticalValueId: id }, 'critical-value receipt not recorded')
      } finally {
        if (typeof ack === 'function') ack({ ok, id })
      }
    })
    return this.resendOnConnect(socket, user)
  }
}
