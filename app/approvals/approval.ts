import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#models/user'

export type ApprovalStatus = 'pending' | 'approved' | 'rejected'

/** A change one administrator asked for and the security administrator decides (only this capability uses it). */
export default class Approval extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare kind: string

  @column()
  declare status: ApprovalStatus

  @column()
  declare requestedById: number

  @column.dateTime()
  declare requestedAt: DateTime

  @column({ serializeAs: null })
  declare payloadCipher: string

  @column({
    prepare: (v: unknown) => JSON.stringify(v ?? {}),
    consume: (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v),
  })
  declare summary: Record<string, unknown>

  @column()
  declare decidedById: number | null

  @column.dateTime()
  declare decidedAt: DateTime | null

  @column()
  declare decisionNote: string | null

  @column()
  declare resultType: string | null

  @column()
  declare resultId: string | null

  /** For an approved export: when its one download happened (null: not yet). */
  @column.dateTime()
  declare downloadedAt: DateTime | null

  @belongsTo(() => User, { foreignKey: 'requestedById' })
  declare requestedBy: BelongsTo<typeof User>

  @belongsTo(() => User, { foreignKey: 'decidedById' })
  declare decidedBy: BelongsTo<typeof User>
}
