import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany, manyToMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany, ManyToMany } from '@adonisjs/lucid/types/relations'
import Patient from '#models/patient'
import Institution from '#models/institution'
import ExamItem, { type Modality } from '#models/exam_item'
import ExamStudy from '#models/exam_study'
import User from '#models/user'

/** R 7.1.1 priorities: emergency, routine, special-or-difficult. */
export const PRIORITIES = ['emergency', 'routine', 'special'] as const
export type Priority = (typeof PRIORITIES)[number]

/** The life of an exam, from the clinic's request to a signed (and possibly amended) report. */
export const EXAM_STATUSES = [
  'registered',
  'images_received',
  'in_progress',
  'pending_review',
  'signed',
  'amended',
] as const
export type ExamStatus = (typeof EXAM_STATUSES)[number]

export default class Exam extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare accessionNumber: string

  @column()
  declare patientId: number

  @column()
  declare institutionId: number

  @column()
  declare modality: Modality

  @column()
  declare priority: Priority

  @column()
  declare status: ExamStatus

  @column()
  declare clinicalHistory: string

  @column()
  declare purpose: string

  @column()
  declare clinicalDiagnosis: string | null

  @column()
  declare department: string | null

  @column()
  declare requestingDoctor: string

  @column()
  declare registeredById: number | null

  @column.dateTime()
  declare registeredAt: DateTime

  @column.dateTime()
  declare imagesReceivedAt: DateTime | null

  @column()
  declare instanceCount: number

  /** Images received + the turnaround limit (R 7.1.1); set by app/reading when images arrive. */
  @column.dateTime()
  declare dueAt: DateTime | null

  /** In the reading queue: from images received until the report is signed. */
  @column({ consume: Boolean })
  declare inReadingQueue: boolean

  /** The doctor writing the report (app/reading claims). */
  @column()
  declare claimedById: number | null

  @column.dateTime()
  declare claimedAt: DateTime | null

  /** First signature of the report. */
  @column.dateTime()
  declare reportSignedAt: DateTime | null

  /** A request withdrawn before images arrived: it leaves the modality worklist (app/interoperability). */
  @column.dateTime()
  declare cancelledAt: DateTime | null

  /** The technologist the clinic picked from its roster at upload (Q 4.1: image items score who acquired it). */
  @column()
  declare technologistStaffId: number | null

  /** The requesting clinic may still withdraw it: no image has arrived and it was not withdrawn already. */
  get isCancellable() {
    return this.status === 'registered' && !this.cancelledAt
  }

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Patient)
  declare patient: BelongsTo<typeof Patient>

  @belongsTo(() => Institution)
  declare institution: BelongsTo<typeof Institution>

  @belongsTo(() => User, { foreignKey: 'registeredById' })
  declare registeredBy: BelongsTo<typeof User>

  @belongsTo(() => User, { foreignKey: 'claimedById' })
  declare claimedBy: BelongsTo<typeof User>

  @manyToMany(() => ExamItem, { pivotTable: 'exam_exam_items' })
  declare items: ManyToMany<typeof ExamItem>

  @hasMany(() => ExamStudy)
  declare studies: HasMany<typeof ExamStudy>
}
