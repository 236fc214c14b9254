import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#models/user'
import Patient from '#models/patient'

export type HoldScope = 'patient' | 'study'

/** A legal hold: while it is in force, no copy of the patient's (or the study's) images is deleted anywhere. */
export default class LegalHold extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare scope: HoldScope

  @column()
  declare patientId: number | null

  @column()
  declare studyInstanceUid: string | null

  @column()
  declare reference: string

  @column()
  declare reason: string

  @column()
  declare placedById: number | null

  @column.dateTime()
  declare placedAt: DateTime

  @column()
  declare releasedById: number | null

  @column.dateTime()
  declare releasedAt: DateTime | null

  @column()
  declare releaseReason: string | null

  @belongsTo(() => User, { foreignKey: 'placedById' })
  declare placedBy: BelongsTo<typeof User>

  @belongsTo(() => User, { foreignKey: 'releasedById' })
  declare releasedBy: BelongsTo<typeof User>

  @belongsTo(() => Patient)
  declare patient: BelongsTo<typeof Patient>

  get inForce() {
    return this.releasedAt === null
  }
}
