import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Exam from '#models/exam'

/** A DICOM study in Orthanc, linked to the one exam it belongs to. */
export default class ExamStudy extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare examId: number

  @column()
  declare studyInstanceUid: string

  @column()
  declare orthancStudyId: string

  @column()
  declare receivedVia: 'upload' | 'dicom'

  @column()
  declare sendingAe: string | null

  @column()
  declare seriesCount: number

  @column()
  declare instanceCount: number

  @column.date()
  declare studyDate: DateTime | null

  @column.dateTime()
  declare firstReceivedAt: DateTime

  @column.dateTime()
  declare lastReceivedAt: DateTime

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Exam)
  declare exam: BelongsTo<typeof Exam>
}
