import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Exam from '#models/exam'
import Institution from '#models/institution'

export type ShareReason = 'request_keyword' | 'critical_value' | 'emergency' | 'match'

/** One exam shared with one specialty centre: its images from arrival, its report from signing. */
export default class ExamShare extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare examId: number

  @column()
  declare centreId: number

  @column()
  declare ruleId: number | null

  @column()
  declare reason: ShareReason

  @column.dateTime()
  declare sharedAt: DateTime

  @column()
  declare reportVersionId: number | null

  @column.dateTime()
  declare reportSharedAt: DateTime | null

  @belongsTo(() => Exam)
  declare exam: BelongsTo<typeof Exam>

  @belongsTo(() => Institution, { foreignKey: 'centreId' })
  declare centre: BelongsTo<typeof Institution>
}
