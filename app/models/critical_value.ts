import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import Exam from '#models/exam'
import Institution from '#models/institution'
import User from '#models/user'
import CriticalFinding from '#models/critical_finding'
import CriticalValueDelivery from '#models/critical_value_delivery'
import CriticalValueEvent from '#models/critical_value_event'

/**
 * awaiting_confirmation: the two-person check is on and a second radiologist has not confirmed yet;
 * open: sent to the clinic, not yet acknowledged; acknowledged: read back and confirmed;
 * withdrawn: the second radiologist (or the raiser, before confirmation) stopped it.
 */
export const CRITICAL_VALUE_STATUSES = [
  'awaiting_confirmation',
  'open',
  'acknowledged',
  'withdrawn',
] as const
export type CriticalValueStatus = (typeof CRITICAL_VALUE_STATUSES)[number]

/** A critical value (危急值) raised on an exam, from raising to acknowledgement. */
export default class CriticalValue extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare examId: number

  @column()
  declare institutionId: number

  @column()
  declare findingId: number

  @column()
  declare findingName: string

  @column()
  declare message: string

  @column()
  declare status: CriticalValueStatus

  /** 0 none; 1 the clinic's head and the duty desk were told; 2 the raiser was told to telephone */
  @column()
  declare escalationLevel: number

  @column()
  declare requestKey: string

  @column()
  declare raisedById: number

  @column.dateTime()
  declare raisedAt: DateTime

  @column()
  declare confirmedById: number | null

  @column.dateTime()
  declare confirmedAt: DateTime | null

  @column()
  declare withdrawnById: number | null

  @column.dateTime()
  declare withdrawnAt: DateTime | null

  @column()
  declare withdrawnReason: string | null

  @column.dateTime()
  declare sentAt: DateTime | null

  /** when an unacknowledged alert escalates to the clinic's head and the duty desk */
  @column.dateTime()
  declare dueAt: DateTime | null

  /** when the raising radiologist must telephone */
  @column.dateTime()
  declare phoneDueAt: DateTime | null

  @column()
  declare requestingDoctorUserId: number | null

  @column.dateTime()
  declare firstDeliveredAt: DateTime | null

  @column.dateTime()
  declare acknowledgedAt: DateTime | null

  @column()
  declare acknowledgedById: number | null

  @column()
  declare acknowledgedByName: string | null

  @column()
  declare ackChannel: 'system' | 'phone' | null

  @column()
  declare readBack: string | null

  @column.dateTime()
  declare escalatedAt: DateTime | null

  @column.dateTime()
  declare phoneRequiredAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Exam)
  declare exam: BelongsTo<typeof Exam>

  @belongsTo(() => Institution)
  declare institution: BelongsTo<typeof Institution>

  @belongsTo(() => CriticalFinding, { foreignKey: 'findingId' })
  declare finding: BelongsTo<typeof CriticalFinding>

  @belongsTo(() => User, { foreignKey: 'raisedById' })
  declare raisedBy: BelongsTo<typeof User>

  @belongsTo(() => User, { foreignKey: 'confirmedById' })
  declare confirmedBy: BelongsTo<typeof User>

  @belongsTo(() => User, { foreignKey: 'acknowledgedById' })
  declare acknowledgedBy: BelongsTo<typeof User>

  @hasMany(() => CriticalValueDelivery)
  declare deliveries: HasMany<typeof CriticalValueDelivery>

  @hasMany(() => CriticalValueEvent)
  declare events: HasMany<typeof CriticalValueEvent>

  /** minutes from sending to the first browser's receipt */
  get minutesToDeliver() {
    return this.sentAt && this.firstDeliveredAt
      ? this.firstDeliveredAt.diff(this.sentAt, 'minutes').minutes
      : null
  }

  /** minutes from sending to acknowledgement */
  get minutesToAcknowledge() {
    return this.sentAt && this.acknowledgedAt
      ? this.acknowledgedAt.diff(this.sentAt, 'minutes').minutes
      : null
  }
}
