import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#models/user'
import Institution from '#models/institution'

/** One line of a consultation's thread: a person's message, or what the system did (assigned, escalated, answered). */
export default class ConsultationMessage extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare consultationId: number

  @column()
  declare authorId: number | null

  @column()
  declare institutionId: number | null

  @column()
  /** upper_opinion: the upper-level hospital's signed answer to an escalation (C 4.2.3), shown in the thread. */
  declare kind: 'message' | 'system' | 'upper_opinion'

  @column()
  declare body: string

  @column.dateTime()
  declare createdAt: DateTime

  @belongsTo(() => User, { foreignKey: 'authorId' })
  declare author: BelongsTo<typeof User>

  @belongsTo(() => Institution)
  declare institution: BelongsTo<typeof Institution>
}
