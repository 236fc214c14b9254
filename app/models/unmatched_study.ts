import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Institution from '#models/institution'

import type { IntakeRefusalReason } from '#app/intake/services/intake_rules'

/** Why no exam took the study: no match, or a match the intake rules refused. */
export type UnmatchedReason =
  'no_exam' | 'wrong_clinic' | 'ambiguous' | 'unknown_sender' | IntakeRefusalReason

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

  /** what the reason is about, e.g. { field: 'AccessionNumber', length: 20, limit: 16 } */
  @column({
    prepare: (value: Record<string, unknown> | null) => (value ? JSON.stringify(value) : null),
    consume: (value: string | null) => (value ? JSON.parse(value) : null),
  })
  declare reasonDetail: Record<string, string | number> | null

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
