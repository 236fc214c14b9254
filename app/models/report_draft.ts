import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

/** A person's latest unsubmitted report text for an exam, saved as they type (one per exam and author). */
export default class ReportDraft extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare examId: number

  @column()
  declare authorId: number

  @column()
  declare versionNo: number

  @column()
  declare baseRevision: number

  @column()
  declare technique: string | null

  @column()
  declare findings: string | null

  @column()
  declare impression: string | null

  @column()
  declare comparison: string | null

  @column()
  declare priorExamId: number | null

  @column()
  declare noComparisonReason: string | null

  @column()
  declare templateId: number | null

  @column.dateTime()
  declare savedAt: DateTime
}
