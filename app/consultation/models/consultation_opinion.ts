import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#models/user'
import Institution from '#models/institution'

/** A signed consultation opinion. Never updated: an amendment is the next version. */
export default class ConsultationOpinion extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare consultationId: number

  @column()
  declare versionNo: number

  @column()
  declare authorId: number

  @column()
  declare institutionId: number

  @column()
  declare opinion: string

  @column()
  declare recommendation: string | null

  @column()
  declare amendmentReason: string | null

  @column.dateTime()
  declare signedAt: DateTime

  @belongsTo(() => User, { foreignKey: 'authorId' })
  declare author: BelongsTo<typeof User>

  @belongsTo(() => Institution)
  declare institution: BelongsTo<typeof Institution>
}
