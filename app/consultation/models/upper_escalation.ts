import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Institution from '#models/institution'
import User from '#models/user'
import Consultation from '#app/consultation/models/consultation'

/** pending: the transfer is queued or retrying; delivered: the copy there is verified; answered: the upper hospital signed. */
export const UPPER_ESCALATION_STATUSES = ['pending', 'delivered', 'answered'] as const
export type UpperEscalationStatus = (typeof UPPER_ESCALATION_STATUSES)[number]

/** A consultation sent on to the upper-level hospital (C 4.2.3), with the study copied to its Orthanc. */
export default class UpperEscalation extends BaseModel {
  static table = 'consultation_upper_escalations'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare consultationId: number

  @column()
  declare upperInstitutionId: number

  @column()
  declare storageNodeId: number

  @column()
  declare archivedStudyId: number

  @column()
  declare escalatedById: number

  @column()
  declare note: string

  @column()
  declare status: UpperEscalationStatus

  @column.dateTime()
  declare escalatedAt: DateTime

  @column.dateTime()
  declare deliveredAt: DateTime | null

  @column()
  declare answeredById: number | null

  @column()
  declare opinion: string | null

  @column()
  declare recommendation: string | null

  @column.dateTime()
  declare answeredAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Consultation)
  declare consultation: BelongsTo<typeof Consultation>

  @belongsTo(() => Institution, { foreignKey: 'upperInstitutionId' })
  declare upperInstitution: BelongsTo<typeof Institution>

  @belongsTo(() => User, { foreignKey: 'escalatedById' })
  declare escalatedBy: BelongsTo<typeof User>

  @belongsTo(() => User, { foreignKey: 'answeredById' })
  declare answeredBy: BelongsTo<typeof User>
}
