import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Institution from '#models/institution'

/** A clinic modality (AE title + host) allowed to send studies to the centre by DICOM C-STORE. */
export default class DicomSender extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare institutionId: number

  @column()
  declare aeTitle: string

  @column()
  declare host: string

  @column()
  declare port: number | null

  @column()
  declare description: string | null

  @column({ consume: Boolean })
  declare active: boolean

  /** The character set the device reads its modality worklist in: 'ISO_IR 192' (UTF-8) or 'GB18030'. */
  @column()
  declare worklistCharset: string

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Institution)
  declare institution: BelongsTo<typeof Institution>

  /** The name under which the sender is declared in Orthanc's /modalities. */
  get orthancModalityName() {
    return `clinic-${this.aeTitle.toLowerCase()}`
  }
}
