import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#models/user'

/**
 * on_duty: clinic staff who receive critical values for their clinic now;
 * clinic_head: the clinic's head, told when an alert is not acknowledged in time;
 * duty_desk: the lead hospital's duty desk (总值班), told at the same time.
 */
export const DUTIES = ['on_duty', 'clinic_head', 'duty_desk'] as const
export type Duty = (typeof DUTIES)[number]

/** A person's standing duty for critical values, maintained by administrators (on duty also by the person). */
export default class CriticalValueContact extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare userId: number

  @column()
  declare duty: Duty

  @column()
  declare assignedById: number | null

  @column.dateTime()
  declare assignedAt: DateTime

  @belongsTo(() => User)
  declare user: BelongsTo<typeof User>
}
