import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import Exam from '#models/exam'

/** The upper-level recognition platform's FHIR endpoint, set by the administrator (one row). */
export class FhirPushSetting extends BaseModel {
  static table = 'fhir_push_settings'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare endpointUrl: string

  @column()
  declare username: string | null

  @column({ serializeAs: null })
  declare secretCipher: string | null

  @column({ consume: Boolean })
  declare active: boolean

  @column()
  declare updatedById: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}

export type DeliveryStatus = 'queued' | 'delivered'

/** One signed report version to be pushed (C 8.2.4); retried until the platform accepts it. */
export class FhirDelivery extends BaseModel {
  static table = 'fhir_deliveries'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare examId: number

  @column()
  declare reportVersionId: number

  @column()
  declare status: DeliveryStatus

  @column()
  declare attempts: number

  @column.dateTime()
  declare nextAttemptAt: DateTime | null

  @column.dateTime()
  declare deliveredAt: DateTime | null

  @column()
  declare lastError: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Exam)
  declare exam: BelongsTo<typeof Exam>

  @hasMany(() => FhirDeliveryAttempt, { foreignKey: 'deliveryId' })
  declare attemptLog: HasMany<typeof FhirDeliveryAttempt>
}

/** Every attempt of a delivery, as it went. */
export class FhirDeliveryAttempt extends BaseModel {
  static table = 'fhir_delivery_attempts'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare deliveryId: number

  @column.dateTime()
  declare attemptedAt: DateTime

  @column()
  declare httpStatus: number | null

  @column()
  declare error: string | null

  @column()
  declare durationMs: number
}
