import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import StorageNode from '#models/storage_node'
import StudyCopy from '#models/study_copy'
import Exam from '#models/exam'

/** C 8.2.1: transfers are graded by priority; studies with no exam behind them (back-fills) go last. */
export const TRANSFER_PRIORITIES = ['emergency', 'routine', 'bulk'] as const
export type TransferPriority = (typeof TRANSFER_PRIORITIES)[number]

export type CopyStatus = 'single' | 'copied' | 'verified'

/** Instance id → [MD5 as Orthanc records it, size in bytes]. */
export type Manifest = Record<string, [string, number]>

/** One DICOM study in the storage catalogue, with the manifest every copy is checked against. */
export default class ArchivedStudy extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare orthancStudyId: string

  @column()
  declare studyInstanceUid: string

  @column()
  declare examId: number | null

  @column()
  declare patientId: number | null

  @column()
  declare accessionNumber: string | null

  @column()
  declare dicomPatientId: string | null

  @column()
  declare modality: string | null

  @column.date()
  declare examDate: DateTime

  @column()
  declare priority: TransferPriority

  @column()
  declare originNodeId: number

  @column()
  declare instanceCount: number

  @column({ consume: Number })
  declare totalBytes: number

  @column({
    serializeAs: null,
    prepare: (value: Manifest) => JSON.stringify(value),
    consume: (value: string | Manifest) => (typeof value === 'string' ? JSON.parse(value) : value),
  })
  declare manifest: Manifest

  @column()
  declare manifestDigest: string

  @column()
  declare verifiedCopies: number

  @column()
  declare copyStatus: CopyStatus

  @column.dateTime()
  declare singleCopySince: DateTime | null

  @column.dateTime()
  declare firstSeenAt: DateTime

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => StorageNode, { foreignKey: 'originNodeId' })
  declare origin: BelongsTo<typeof StorageNode>

  @belongsTo(() => Exam)
  declare exam: BelongsTo<typeof Exam>

  @hasMany(() => StudyCopy)
  declare copies: HasMany<typeof StudyCopy>
}
