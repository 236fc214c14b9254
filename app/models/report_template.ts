import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

/** C 8.4.2: a report template, chosen by exam item (modality + body part) and by diagnosis. */
export default class ReportTemplate extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare name: string

  @column()
  declare modality: string | null

  @column()
  declare bodyPart: string | null

  @column()
  declare diagnosis: string

  @column()
  declare technique: string | null

  @column()
  declare findings: string

  @column()
  declare impression: string

  @column({ consume: Boolean })
  declare active: boolean

  @column()
  declare updatedById: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
