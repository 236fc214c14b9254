import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Institution from '#models/institution'

/**
 * C 8.3.2–8.3.3: the lead hospital's archive, a member clinic's local store, or a disaster-recovery backup;
 * C 4.2.3: or the upper-level hospital's Orthanc, which receives only the studies of consultations escalated to it
 * (never planned copies, never counted as one of the alliance's copies, never swept by retention).
 */
export const NODE_ROLES = ['central', 'member', 'backup', 'upper'] as const
export type NodeRole = (typeof NODE_ROLES)[number]

export type NodeStatus = 'up' | 'down' | 'unknown'

/** An Orthanc that holds images, registered by the administrator. */
export default class StorageNode extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare name: string

  @column()
  declare role: NodeRole

  @column()
  declare institutionId: number | null

  @column()
  declare url: string

  /** How other Orthanc nodes reach this one (direct transfers); null: transfers to it are relayed through the app. */
  @column()
  declare peerUrl: string | null

  @column()
  declare username: string

  @column({ serializeAs: null })
  declare passwordCipher: string

  @column()
  declare bandwidthLimitKbps: number | null

  @column()
  declare capacityGb: number | null

  @column()
  declare retentionYears: number

  @column({ consume: Boolean })
  declare keepsThirtyYears: boolean

  @column({ consume: Boolean })
  declare retentionDryRun: boolean

  @column({ consume: Boolean })
  declare active: boolean

  @column()
  declare status: NodeStatus

  @column.dateTime()
  declare statusCheckedAt: DateTime | null

  @column.dateTime()
  declare lastUpAt: DateTime | null

  @column()
  declare lastError: string | null

  @column()
  declare orthancVersion: string | null

  @column({ consume: (v) => (v === null || v === undefined ? null : Number(v)) })
  declare diskUsedMb: number | null

  @column()
  declare orthancStudyCount: number | null

  @column()
  declare orthancInstanceCount: number | null

  @column({ consume: Number })
  declare changesSeq: number

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Institution)
  declare institution: BelongsTo<typeof Institution>

  /** Central and backup nodes, and members in "both keep 30 years" mode, are permanent archives (C 8.3.2). */
  get isPermanentArchive() {
    return this.role !== 'member' || this.keepsThirtyYears
  }

  /** Free space, when the administrator told us the node's capacity (Orthanc does not report it). */
  get diskFreeMb() {
    if (this.capacityGb === null || this.diskUsedMb === null) return null
    return Math.max(0, this.capacityGb * 1024 - this.diskUsedMb)
  }
}
