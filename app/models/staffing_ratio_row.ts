import { BaseModel, column } from '@adonisjs/lucid/orm'
import type { WorkloadCategory } from '#app/staffing/services/staffing_rules'

const decimal = { consume: (value: string | number) => Number(value) }

/** One line of Table 1 (C 7.1.1): per N body parts a year, so many initial readers, reviewers, technologists, nurses. */
export default class StaffingRatioRow extends BaseModel {
  static timestamps = false

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare ratioSetId: number

  @column()
  declare category: WorkloadCategory

  @column()
  declare bodyPartsPerUnit: number

  @column(decimal)
  declare initialReaders: number

  @column(decimal)
  declare reviewers: number

  @column(decimal)
  declare technologists: number

  @column(decimal)
  declare nurses: number
}
