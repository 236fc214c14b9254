import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import StorageNode from '#models/storage_node'
import ArchivedStudy, { type TransferPriority } from '#models/archived_study'

/** escalate: a consultation's study sent to the upper-level hospital (C 4.2.3). */
export type TransferPurpose = 'forward' | 'replicate' | 'repair' | 'escalate'
export type TransferStatus = 'queued' | 'running' | 'done' | 'cancelled'

/** One item of the persistent replication queue: bring a study's copy on a node up to its manifest. */
export default class StorageTransfer extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare archivedStudyId: number

  @column()
  declare targetNodeId: number

  @column()
  declare sourceNodeId: number | null

  @column()
  declare purpose: TransferPurpose

  @column()
  declare priority: TransferPriority

  @column()
  declare priorityRank: number

  @column()
  declare status: TransferStatus

  @column()
  declare activeKey: string | null

  @column()
  declare attempts: number

  @column.dateTime()
  declare nextAttemptAt: DateTime

  @column()
  declare lastError: string | null

  @column()
  declare transport: 'direct' | 'relay' | 'mixed' | null

  @column()
  declare instancesCopied: number

  @column({ consume: Number })
  declare bytesCopied: number

  @column.dateTime()
  declare enqueuedAt: DateTime

  @column.dateTime()
  declare startedAt: DateTime | null

  @column.dateTime()
  declare finishedAt: DateTime | null

  @belongsTo(() => StorageNode, { foreignKey: 'targetNodeId' })
  declare target: BelongsTo<typeof StorageNode>

  @belongsTo(() => StorageNode, { foreignKey: 'sourceNodeId' })
  declare source: BelongsTo<typeof StorageNode>

  @belongsTo(() => ArchivedStudy)
  declare study: BelongsTo<typeof ArchivedStudy>
}
