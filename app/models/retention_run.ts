import { DateTime } from 'luxon'
import { BaseModel, column, hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import RetentionDecision from '#models/retention_decision'

/** One run of the retention job (nightly, or started by an administrator), real or dry. */
export default class RetentionRun extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare trigger: 'schedule' | 'manual'

  @column()
  declare triggeredById: number | null

  @column({ consume: Boolean })
  declare dryRun: boolean

  @column.dateTime()
  declare asOf: DateTime

  @column.dateTime()
  declare startedAt: DateTime

  @column.dateTime()
  declare finishedAt: DateTime | null

  @column()
  declare candidates: number

  @column()
  declare deleted: number

  @column()
  declare kept: number

  @column()
  declare failed: number

  @hasMany(() => RetentionDecision)
  declare decisions: HasMany<typeof RetentionDecision>
}
