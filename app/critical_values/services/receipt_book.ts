import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import type { DateTime } from 'luxon'
import type User from '#models/user'
import CriticalValueEvent from '#models/critical_value_event'
import { sqlTime } from '#app/critical_values/hand_off_log'

/*
| Receipts ("this tab showed alert N") arrive in bursts: every recipient's
| every tab at once, and again after every reconnection. They are written in
| small batches, one transaction per batch, so a burst costs one commit
| instead of hundreds and never starves the pool the raises need. Each receipt
| keeps its own arrival time. A crash inside the batch window (≤ 100 ms)
| loses only receipt times, never an alert: an alert stays open, and is
| re-sent and re-confirmed, until it is acknowledged.
*/

interface Pending {
  user: Pick<User, 'id' | 'fullName'>
  criticalValueId: number
  at: DateTime
  done: (addressed: boolean) => void
  fail: (error: unknown) => void
}

const FLUSH_EVERY_MS = 100
const FLUSH_AT = 200

/** Receipts already stored, so the repeats every reconnection brings cost nothing (bounded; forgetting only costs a lookup). */
const KNOWN_CAP = 200_000

class ReceiptBook {
  #known = new Set<string>()
  #pending: Pending[] = []
  #timer: NodeJS.Timeout | null = null
  #flushing: Promise<void> = Promise.resolve()

  /** Resolves true once recorded (or already recorded), false when the alert was never addressed to this person. */
  record(user: Pick<User, 'id' | 'fullName'>, criticalValueId: number, at: DateTime) {
    if (this.#known.has(`${criticalValueId}:${user.id}`)) return Promise.resolve(true)
    return new Promise<boolean>((done, fail) => {
      this.#pending.push({ user, criticalValueId, at, done, fail })
      if (this.#pending.length >= FLUSH_AT) this.flush()
      else if (!this.#timer) this.#timer = setTimeout(() => this.flush(), FLUSH_EVERY_MS)
    })
  }

  /** Writes what is pending (batches run one after another). */
  flush() {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    const batch = this.#pending.splice(0)
    if (!batch.length) return this.#flushing
    this.#flushing = this.#flushing.then(() => this.write(batch))
    return this.#flushing
  }

  protected async write(batch: Pending[]) {
    try {
      const pairs = new Map<string, Pending>()
      for (const item of batch) {
        const key = `${item.criticalValueId}:${item.user.id}`
        const known = pairs.get(key)
        if (!known || item.at < known.at) pairs.set(key, item)
      }
      const rows = await db
        .from('critical_value_deliveries')
        .where((q) => {
          for (const item of pairs.values())
            q.orWhere((w) =>
              w.where('critical_value_id', item.criticalValueId).where('user_id', item.user.id)
            )
        })
        .select('id', 'critical_value_id', 'user_id', 'reason', 'delivered_at')
      const addressed = new Map(rows.map((r) => [`${r.critical_value_id}:${r.user_id}`, r]))
      const firsts = [...pairs.entries()].filter(
        ([key]) => addressed.has(key) && !addressed.get(key).delivered_at
      )
      if (firsts.length) {
        await db.transaction(async (trx) => {
          const recorded: Pending[] = []
          for (const [key, item] of firsts) {
            const updated = await trx
              .from('critical_value_deliveries')
              .where('id', addressed.get(key).id)
              .whereNull('delivered_at')
              .update({ delivered_at: sqlTime(item.at, true) })
            if (Number(updated) === 1) recorded.push(item)
          }
          const earliest = new Map<number, DateTime>()
          for (const item of recorded) {
            const current = earliest.get(item.criticalValueId)
            if (!current || item.at < current) earliest.set(item.criticalValueId, item.at)
          }
          for (const [id, at] of earliest) {
            await trx
              .from('critical_values')
              .where('id', id)
              .whereNull('first_delivered_at')
              .update({ first_delivered_at: sqlTime(at) })
          }
          if (recorded.length) {
            await CriticalValueEvent.createMany(
              recorded.map((item) => ({
                criticalValueId: item.criticalValueId,
                kind: 'delivered' as const,
                occurredAt: item.at,
                actorUserId: item.user.id,
                actorName: item.user.fullName,
                details: {
                  reason: addressed.get(`${item.criticalValueId}:${item.user.id}`).reason,
                },
              })),
              { client: trx }
            )
          }
        })
      }
      if (this.#known.size + addressed.size > KNOWN_CAP) this.#known.clear()
      for (const key of addressed.keys()) this.#known.add(key)
      for (const item of batch) item.done(addressed.has(`${item.criticalValueId}:${item.user.id}`))
    } catch (error) {
      logger.error(
        { err: error },
        'critical-value receipts could not be written; the alerts stay open and are confirmed again'
      )
      for (const item of batch) item.fail(error)
    }
  }
}

export const receiptBook = new ReceiptBook()
