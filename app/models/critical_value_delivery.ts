import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#models/user'

/** Why a person got the alert. */
export const DELIVERY_REASONS = [
  'on_duty',
  'clinic_staff',
  'requesting_doctor',
  'clinic_head',
  'duty_desk',
  'raiser_call',
] as const
export type DeliveryReason = (typeof DELIVERY_REASONS)[number]

/** One person an alert was pushed to; delivered when their browser confirmed receipt. */
export default class CriticalValueDelivery extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare criticalValueId: number

  @column()
  declare userId: number

  @column()
  declare reason: DeliveryReason

  @column.dateTime()
  declare notifiedAt: DateTime

  @column.dateTime()
  declare deliveredAt: DateTime | null

  @belongsTo(() => User)
  declare user: BelongsTo<typeof User>
}
