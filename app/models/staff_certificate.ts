import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import StaffMember from '#models/staff_member'

/**
 * Certificates C 7.1.2–7.1.4 name: 医师资格证, 医师执业证 (scope 医学影像和放射治疗专业),
 * 放射工作人员证, 医学影像技术专业职称证, 专业技术人员职业资格证 (nurse), 护士执业证.
 */
export const CERTIFICATE_KINDS = [
  'physician_qualification',
  'physician_practice',
  'radiation_worker',
  'technologist_title',
  'nurse_qualification',
  'nurse_practice',
] as const
export type CertificateKind = (typeof CERTIFICATE_KINDS)[number]

export default class StaffCertificate extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare staffMemberId: number

  @column()
  declare kind: CertificateKind

  @column()
  declare number: string | null

  @column({ consume: Boolean })
  declare imagingScope: boolean

  @column.date()
  declare issuedOn: DateTime | null

  @column.date()
  declare expiresOn: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => StaffMember)
  declare staffMember: BelongsTo<typeof StaffMember>
}
