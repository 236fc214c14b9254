import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Patient from '#models/patient'
import Institution from '#models/institution'

/** The patient number a clinic gave a patient. */
export default class ClinicPatient extends BaseModel {
  static table = 'clinic_patients'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare patientId: number

  @column()
  declare institutionId: number

  @column()
  declare clinicPatientNo: string

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @belongsTo(() => Patient)
  declare patient: BelongsTo<typeof Patient>

  @belongsTo(() => Institution)
  declare institution: BelongsTo<typeof Institution>
}
