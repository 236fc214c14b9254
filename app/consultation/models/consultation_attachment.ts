import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

/** A non-DICOM attachment (a photo of an outside film, a PDF), kept in Orthanc as DICOM; the row only points to it. */
export default class ConsultationAttachment extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare consultationId: number

  @column()
  declare fileName: string

  @column()
  declare contentType: string

  @column()
  declare sizeBytes: number

  @column()
  declare orthancInstanceId: string

  @column()
  declare addedById: number

  @column.dateTime()
  declare createdAt: DateTime
}
