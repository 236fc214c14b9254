import { DateTime } from 'luxon'
import { BaseModel, column, hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import ClinicPatient from '#models/clinic_patient'
import Exam from '#models/exam'

export const SEXES = ['M', 'F', 'O', 'U'] as const
export type Sex = (typeof SEXES)[number]

/** One person across the alliance; each clinic knows them by its own patient number. */
export default class Patient extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare name: string

  @column()
  declare sex: Sex

  @column.date()
  declare birthDate: DateTime

  @column({ serializeAs: null })
  declare nationalIdCipher: string | null

  @column({ serializeAs: null })
  declare nationalIdHash: string | null

  @column()
  declare nationalIdMasked: string | null

  @column()
  declare phone: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @hasMany(() => ClinicPatient)
  declare clinicNumbers: HasMany<typeof ClinicPatient>

  @hasMany(() => Exam)
  declare exams: HasMany<typeof Exam>

  /** Age in whole years on a given day (the report template shows age at the exam, B appendix A). */
  ageOn(day: DateTime) {
    return Math.floor(day.diff(this.birthDate, 'years').years)
  }
}
