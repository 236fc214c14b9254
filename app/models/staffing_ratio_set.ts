import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import User from '#models/user'
import StaffingRatioRow from '#models/staffing_ratio_row'

/**
 * One version of the staffing parameters: Table 1 (C 7.1.1) as rows, plus the
 * small-centre floor, the title mix (C 7.1.2) and the member device rule (C 7.2).
 * Versions are never edited: a change is a new version, so history is kept and
 * every saved plan can say which version it used.
 */
export default class StaffingRatioSet extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare version: number

  @column()
  declare note: string

  @column()
  declare floorDoctors: number

  @column()
  declare floorTechnologists: number

  @column()
  declare floorNurses: number

  @column()
  declare minIntermediatePct: number

  @column()
  declare minSeniorPct: number

  @column()
  declare memberTechnologistsFirstDevice: number

  @column()
  declare memberTechnologistsPerAdditionalDevice: number

  @column()
  declare memberNursesPerContrastDevice: number

  @column()
  declare createdById: number | null

  @column.dateTime()
  declare createdAt: DateTime

  @hasMany(() => StaffingRatioRow, { foreignKey: 'ratioSetId' })
  declare rows: HasMany<typeof StaffingRatioRow>

  @belongsTo(() => User, { foreignKey: 'createdById' })
  declare createdBy: BelongsTo<typeof User>
}
