import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export const MODALITIES = ['DR', 'CT', 'MR'] as const
export type Modality = (typeof MODALITIES)[number]

export const CATALOGUES = ['chuanyu', 'hechi', 'local'] as const
export type Catalogue = (typeof CATALOGUES)[number]

/** An orderable exam item, normalised to category + body part + method + position (R 7.2). */
export default class ExamItem extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare catalogue: Catalogue

  @column()
  declare seq: number

  @column()
  declare modality: Modality

  @column()
  declare region: string | null

  @column()
  declare bodyPart: string

  @column()
  declare method: string

  @column()
  declare position: string | null

  @column()
  declare name: string

  @column()
  declare sourceName: string

  @column()
  declare techniqueNote: string | null

  @column({ consume: Boolean })
  declare isContrast: boolean

  @column({ consume: Boolean })
  declare active: boolean

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
