import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import Institution from '#models/institution'
import User from '#models/user'
import StaffCertificate from '#models/staff_certificate'
import type { Title } from '#app/access/roles'

/** The three professions C 7 staffs. */
export const PROFESSIONS = ['doctor', 'technologist', 'nurse'] as const
export type Profession = (typeof PROFESSIONS)[number]

/** One person on an institution's imaging roster (C 7). */
export default class StaffMember extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare institutionId: number

  @column()
  declare staffNo: string

  @column()
  declare fullName: string

  @column()
  declare profession: Profession

  @column()
  declare title: Title

  /** Full-time equivalent (MySQL returns DECIMAL as a string). */
  @column({ consume: (value: string | number) => Number(value) })
  declare fte: number

  @column()
  declare userId: number | null

  @column({ consume: Boolean })
  declare active: boolean

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Institution)
  declare institution: BelongsTo<typeof Institution>

  @belongsTo(() => User)
  declare user: BelongsTo<typeof User>

  @hasMany(() => StaffCertificate)
  declare certificates: HasMany<typeof StaffCertificate>
}
