import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export const CRITICAL_VALUE_EVENT_KINDS = [
  'raised',
  'confirmation_requested',
  'confirmed',
  'withdrawn',
  'sent',
  'delivered',
  'acknowledged',
  'escalated',
  'phone_required',
  'call_recorded',
] as const
export type CriticalValueEventKind = (typeof CRITICAL_VALUE_EVENT_KINDS)[number]

/** One hand-off of a critical value: who, when, what. Written once, never changed. */
export default class CriticalValueEvent extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare criticalValueId: number

  @column.dateTime()
  declare occurredAt: DateTime

  @column()
  declare kind: CriticalValueEventKind

  @column()
  declare actorUserId: number | null

  @column()
  declare actorName: string | null

  @column({
    prepare: (value: Record<string, unknown> | null) => (value ? JSON.stringify(value) : null),
    consume: (value: string | null) => (value ? JSON.parse(value) : null),
  })
  declare details: Record<string, unknown> | null
}
