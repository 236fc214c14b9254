import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Institution from '#models/institution'

const list = {
  prepare: (value: string[] | string) => (Array.isArray(value) ? value.join(',') : (value ?? '')),
  consume: (value: string | null) =>
    String(value ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
}

/** Which exams are shared with one specialty centre (C 9.4). */
export default class ShareRule extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare centreId: number

  @column()
  declare name: string

  @column(list)
  declare modalities: string[]

  @column(list)
  declare bodyParts: string[]

  @column(list)
  declare requestKeywords: string[]

  @column(list)
  declare criticalCodes: string[]

  @column({ consume: Boolean })
  declare onEmergency: boolean

  @column({ consume: Boolean })
  declare active: boolean

  @column()
  declare createdById: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Institution, { foreignKey: 'centreId' })
  declare centre: BelongsTo<typeof Institution>
}
