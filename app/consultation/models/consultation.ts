import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import Exam from '#models/exam'
import Institution from '#models/institution'
import User from '#models/user'
import ConsultationOpinion from '#app/consultation/models/consultation_opinion'
import ConsultationMessage from '#app/consultation/models/consultation_message'
import ConsultationAttachment from '#app/consultation/models/consultation_attachment'

export const URGENCIES = ['routine', 'fast_track'] as const
export type Urgency = (typeof URGENCIES)[number]

/** open: awaiting the consultant's opinion; answered: an opinion is signed; cancelled by the requester. */
export const CONSULTATION_STATUSES = ['open', 'answered', 'cancelled'] as const
export type ConsultationStatus = (typeof CONSULTATION_STATUSES)[number]

/** A request for a remote consultation (远程会诊, C 4.2.3) on one exam. */
export default class Consultation extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare examId: number

  @column()
  declare institutionId: number

  @column()
  declare requestedById: number

  @column()
  declare question: string

  @column()
  declare clinicalSummary: string

  @column()
  declare urgency: Urgency

  @column()
  declare status: ConsultationStatus

  @column()
  declare consultantId: number | null

  @column.dateTime()
  declare requestedAt: DateTime

  @column.dateTime()
  declare dueAt: DateTime

  @column()
  declare escalationLevel: number

  @column.dateTime()
  declare escalatedAt: DateTime | null

  @column.dateTime()
  declare answeredAt: DateTime | null

  @column.dateTime()
  declare cancelledAt: DateTime | null

  @column()
  declare cancelledById: number | null

  @column()
  declare cancelReason: string | null

  @column({ serializeAs: null })
  declare requestKey: string

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Exam)
  declare exam: BelongsTo<typeof Exam>

  @belongsTo(() => Institution)
  declare institution: BelongsTo<typeof Institution>

  @belongsTo(() => User, { foreignKey: 'requestedById' })
  declare requestedBy: BelongsTo<typeof User>

  @belongsTo(() => User, { foreignKey: 'consultantId' })
  declare consultant: BelongsTo<typeof User>

  @hasMany(() => ConsultationOpinion)
  declare opinions: HasMany<typeof ConsultationOpinion>

  @hasMany(() => ConsultationMessage)
  declare messages: HasMany<typeof ConsultationMessage>

  @hasMany(() => ConsultationAttachment)
  declare attachments: HasMany<typeof ConsultationAttachment>
}
