import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#models/user'
import StaffingRatioSet from '#models/staffing_ratio_set'
import type {
  CalculationInput,
  RatioSnapshot,
  StaffingResult,
} from '#app/staffing/services/staffing_rules'

const json = {
  prepare: (value: unknown) => JSON.stringify(value),
  consume: (value: string | object) => (typeof value === 'string' ? JSON.parse(value) : value),
}

/** A saved scenario: its input, the ratios it used (copied) and its result as computed when saved. */
export default class StaffingPlan extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare name: string

  @column()
  declare notes: string | null

  @column()
  declare ratioSetId: number

  @column()
  declare workloadSource: 'recorded' | 'typed'

  @column.date()
  declare periodFrom: DateTime | null

  @column.date()
  declare periodTo: DateTime | null

  @column(json)
  declare input: CalculationInput

  @column(json)
  declare ratios: RatioSnapshot

  @column(json)
  declare result: StaffingResult

  @column()
  declare createdById: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => StaffingRatioSet, { foreignKey: 'ratioSetId' })
  declare ratioSet: BelongsTo<typeof StaffingRatioSet>

  @belongsTo(() => User, { foreignKey: 'createdById' })
  declare createdBy: BelongsTo<typeof User>
}
