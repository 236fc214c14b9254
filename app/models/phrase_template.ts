import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export const PHRASE_SECTIONS = ['technique', 'findings', 'impression'] as const
export type PhraseSection = (typeof PHRASE_SECTIONS)[number]

/** C 8.4.2: a phrase (常用词条) the department maintains, inserted into a report section. */
export default class PhraseTemplate extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare modality: string | null

  @column()
  declare section: PhraseSection

  @column()
  declare category: string

  @column()
  declare text: string

  @column()
  declare sort: number

  @column({ consume: Boolean })
  declare active: boolean

  @column()
  declare updatedById: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
