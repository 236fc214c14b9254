import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Institution from '#models/institution'

/**
 * Imaging equipment kinds named by C 6.1 / C 6.2: DR, mobile DR, digital GI (数字胃肠机),
 * mammography (乳腺钼靶), CT, MRI, and the optional QCT / dual-energy bone densitometer (DXA).
 */
export const EQUIPMENT_KINDS = [
  'dr',
  'mobile_dr',
  'digital_gi',
  'mammography',
  'ct',
  'mri',
  'qct',
  'dxa',
] as const
export type EquipmentKind = (typeof EQUIPMENT_KINDS)[number]

/** Only CT and MRI count as contrast devices for the nurse rule (C 7.2.3). */
export const CONTRAST_KINDS: readonly EquipmentKind[] = ['ct', 'mri']

export const EQUIPMENT_STATUSES = ['in_service', 'under_repair', 'retired'] as const
export type EquipmentStatus = (typeof EQUIPMENT_STATUSES)[number]

export default class Equipment extends BaseModel {
  static table = 'equipment'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare institutionId: number

  @column()
  declare kind: EquipmentKind

  @column()
  declare assetNo: string

  @column()
  declare model: string | null

  @column()
  declare manufacturer: string | null

  @column({ consume: Boolean })
  declare contrastCapable: boolean

  @column()
  declare status: EquipmentStatus

  @column.date()
  declare installedOn: DateTime | null

  @column.date()
  declare lastQcOn: DateTime | null

  @column()
  declare notes: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Institution)
  declare institution: BelongsTo<typeof Institution>

  /** A device that is not retired still needs its people (a repaired CT comes back). */
  get counts() {
    return this.status !== 'retired'
  }
}
