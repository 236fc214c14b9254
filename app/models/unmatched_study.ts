import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Institution from '#models/institution'

export type UnmatchedReason = 'no_exam' | 'wrong_clinic' | 'ambiguous' | 'unknown_sender'

/** A study that arrived by DICOM and matched no exam; the sending clinic attaches or dismisses it. */
export default class UnmatchedStudy extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare institutionId: number | null

  @column()
  declare orthancStudyId: string

  @column()
  declare studyInstanceUid: string

  @column()
  declare sendingAe: string | null

  @column()
  declare dicomPatientId: string | null

  @column()
  declare dicomPatientName: string | null

  @column()
  declare dicomAccession: string | null

  @column.date()
  declare dicomStudyDate: DateTime | null

  @column()
  declare modality: string | null

  @column()
  declare instanceCount: number

  @column()
  declare reason: UnmatchedReason

  @column()
  declare status: 'open' | 'attached' | 'dismissed'

  @column()
  declare attachedExamId: number | null

  @column()
  declare resolvedById: number | null

  @column.dateTime()
  declare resolvedAt: DateTime | null

  @column.dateTime()
  declare receivedAt: DateTime

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Institution)
  declare institution: BelongsTo<typeof Institution>
}
