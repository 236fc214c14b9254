import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import type { FindingCategory } from '#app/critical_values/default_findings'

/** One entry of the maintained list of critical findings (危急值项目), with its acknowledgement deadline. */
export default class CriticalFinding extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare code: string

  @column()
  declare name: string

  @column()
  declare nameEn: string | null

  @column()
  declare category: FindingCategory

  /** minutes from sending until the alert escalates to the clinic's head and the duty desk */
  @column()
  declare ackMinutes: number

  @column()
  declare seq: number

  @column({ consume: Boolean })
  declare active: boolean

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  displayName(locale: string) {
    return locale === 'en' && this.nameEn ? this.nameEn : this.name
  }
}
