import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import StorageNode from '#models/storage_node'
import ArchivedStudy from '#models/archived_study'

export type RetentionVerdict = 'deleted' | 'kept' | 'would_delete' | 'failed'

/** What the retention job decided about one copy past its node's retention, and why. */
export default class RetentionDecision extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare retentionRunId: number

  @column()
  declare studyCopyId: number

  @column()
  declare archivedStudyId: number

  @column()
  declare storageNodeId: number

  @column()
  declare decision: RetentionVerdict

  @column()
  declare reason: string

  @column.date()
  declare keepUntil: DateTime

  @column.dateTime()
  declare decidedAt: DateTime

  @belongsTo(() => StorageNode)
  declare node: BelongsTo<typeof StorageNode>

  @belongsTo(() => ArchivedStudy)
  declare study: BelongsTo<typeof ArchivedStudy>
}
