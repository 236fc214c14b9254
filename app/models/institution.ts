import { DateTime } from 'luxon'
import { BaseModel, column, hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import User from '#models/user'
import DicomSender from '#models/dicom_sender'

export const INSTITUTION_KINDS = [
  'lead_hospital',
  'member_clinic',
  'upper_hospital',
  'specialty_centre',
] as const
export type InstitutionKind = (typeof INSTITUTION_KINDS)[number]

/** C 9.4: reports are shared quickly with the chest-pain, stroke and trauma centres. */
export const SPECIALTIES = ['chest_pain', 'stroke', 'trauma'] as const
export type Specialty = (typeof SPECIALTIES)[number]

/** Hospital grades (医院等级) as written on licences; R 6.2 recognises level-2 public hospitals and above. */
export const INSTITUTION_LEVELS = [
  '三级甲等',
  '三级乙等',
  '二级甲等',
  '二级乙等',
  '一级甲等',
  '一级',
  '未定级',
] as const

export default class Institution extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare code: string

  @column()
  declare name: string

  @column()
  declare kind: InstitutionKind

  @column()
  declare level: string | null

  @column()
  declare specialty: Specialty | null

  @column()
  declare address: string | null

  @column()
  declare phone: string | null

  @column({ consume: Boolean })
  declare active: boolean

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @hasMany(() => User)
  declare users: HasMany<typeof User>

  @hasMany(() => DicomSender)
  declare dicomSenders: HasMany<typeof DicomSender>

  get isLeadHospital() {
    return this.kind === 'lead_hospital'
  }

  get isMemberClinic() {
    return this.kind === 'member_clinic'
  }
}
