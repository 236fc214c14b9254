import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Exam from '#models/exam'
import User from '#models/user'

export const REPORT_STATUSES = ['draft', 'pending_review', 'signed'] as const
export type ReportStatus = (typeof REPORT_STATUSES)[number]

/** The report header as printed (B appendix A), frozen when the version is signed. */
export interface ReportHeader {
  hospital: string
  accessionNumber: string
  patientName: string
  sex: string
  age: string
  department: string | null
  clinicalDiagnosis: string | null
  clinic: string
  examName: string
  examTime: string | null
  modality: string
  authorName: string
  signerName: string
}

/**
 * One version of an exam's report: 1 is the original, 2.. are amendments.
 * Written by app/reading/services/sign_off.ts only; a signed version is
 * immutable (the database refuses updates and deletes too).
 */
export default class ReportVersion extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare examId: number

  @column()
  declare versionNo: number

  @column()
  declare status: ReportStatus

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

  @column()
  declare authorId: number

  @column()
  declare lastModifiedById: number

  @column()
  declare signerId: number | null

  @column()
  declare amendmentReason: string | null

  @column()
  declare returnComment: string | null

  @column()
  declare returnedById: number | null

  @column.dateTime()
  declare returnedAt: DateTime | null

  @column()
  declare revision: number

  @column.dateTime()
  declare submittedAt: DateTime | null

  @column.dateTime()
  declare signedAt: DateTime | null

  @column({
    prepare: (value: ReportHeader | null) => (value ? JSON.stringify(value) : null),
    consume: (value: string | null) => (value ? (JSON.parse(value) as ReportHeader) : null),
  })
  declare header: ReportHeader | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Exam)
  declare exam: BelongsTo<typeof Exam>

  @belongsTo(() => Exam, { foreignKey: 'priorExamId' })
  declare priorExam: BelongsTo<typeof Exam>

  @belongsTo(() => User, { foreignKey: 'authorId' })
  declare author: BelongsTo<typeof User>

  @belongsTo(() => User, { foreignKey: 'lastModifiedById' })
  declare lastModifiedBy: BelongsTo<typeof User>

  @belongsTo(() => User, { foreignKey: 'signerId' })
  declare signer: BelongsTo<typeof User>

  @belongsTo(() => User, { foreignKey: 'returnedById' })
  declare returnedBy: BelongsTo<typeof User>

  get isSigned() {
    return this.status === 'signed'
  }
}
