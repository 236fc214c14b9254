import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import StorageNode from '#models/storage_node'
import ArchivedStudy from '#models/archived_study'

/**
 * expected: a transfer is queued; present: instances are there but not (yet) verified;
 * verified: same instances and MD5s as the manifest; damaged: verification failed, a repair is queued;
 * deleted: removed by the retention job.
 */
export const COPY_STATES = ['expected', 'present', 'verified', 'damaged', 'deleted'] as const
export type CopyState = (typeof COPY_STATES)[number]

/** A study's copy on one storage node. */
export default class StudyCopy extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare archivedStudyId: number

  @column()
  declare storageNodeId: number

  @column()
  declare state: CopyState

  @column()
  declare instanceCount: number

  @column()
  declare manifestDigest: string | null

  @column.dateTime()
  declare verifiedAt: DateTime | null

  @column.dateTime()
  declare checkedAt: DateTime | null

  @column()
  declare problem: string | null

  @column.dateTime()
  declare deletedAt: DateTime | null

  @column()
  declare retentionDecision: string | null

  @column()
  declare retentionReason: string | null

  @column.dateTime()
  declare retentionDecidedAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => StorageNode)
  declare node: BelongsTo<typeof StorageNode>

  @belongsTo(() => ArchivedStudy)
  declare study: BelongsTo<typeof ArchivedStudy>
}
