import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

/** R 7.1.1: the reporting limit for one priority and modality, as configured (missing = the standard's default). */
export default class TurnaroundLimit extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare priority: string

  @column()
  declare modality: string

  @column()
  declare minutes: number

  @column()
  declare updatedById: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
