import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Exam from '#models/exam'
import User from '#models/user'

/** A link for a patient or an outside doctor to one exam's images and report; expires, may need a code, revocable. */
export default class ShareLink extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column({ serializeAs: null })
  declare tokenHash: string

  @column()
  declare examId: number

  @column()
  declare createdById: number

  @column()
  declare institutionId: number

  @column.dateTime()
  declare expiresAt: DateTime

  @column({ serializeAs: null })
  declare accessCodeHash: string | null

  @column({ consume: Boolean })
  declare deidentify: boolean

  @column()
  declare note: string | null

  @column.dateTime()
  declare revokedAt: DateTime | null

  @column()
  declare revokedById: number | null

  @column.dateTime()
  declare createdAt: DateTime

  @belongsTo(() => Exam)
  declare exam: BelongsTo<typeof Exam>

  @belongsTo(() => User, { foreignKey: 'createdById' })
  declare createdBy: BelongsTo<typeof User>
}
