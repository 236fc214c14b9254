import { inject } from '@adonisjs/core'
import type User from '#models/user'
import ExamStudy from '#models/exam_study'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import type Consultation from '#app/consultation/models/consultation'
import ConsultationAttachment from '#app/consultation/models/consultation_attachment'
import { ATTACHMENT_MAX_BYTES, sniffAttachment } from '#app/consultation/consultation_rules'
import { Consultations } from '#app/consultation/services/consultations'
import { consultationNews } from '#app/consultation/services/consultation_news'

/** DICOM Encapsulated Document (0042,0011): where Orthanc keeps an encapsulated PDF's bytes. */
export const ENCAPSULATED_DOCUMENT = '0042-0011'
export const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7'

/*
| C 8.3.1 (非DICOM数据): a photo of an outside film or a PDF attached to a
| consultation. The bytes are not kept in the database: Orthanc makes a DICOM
| instance of them (a secondary capture of the image, an encapsulated PDF) in
| the exam's own study, so it carries the exam's patient and study, travels
| with the study (backups, an escalation to the upper hospital) and is kept as
| long as the images are. The row holds the instance id and what was sent.
*/
@inject()
export class ConsultationAttachments {
  constructor(
    protected clock: Clock,
    protected orthanc: OrthancClient,
    protected consultations: Consultations
  ) {}

  async add(user: User, consultation: Consultation, file: { fileName: string; bytes: Buffer }) {
    if (user.id !== consultation.requestedById && user.id !== consultation.consultantId)
      throw new DomainRefusal('not_participant', 'consultation.errors.not_participant', {}, 403)
    if (consultation.status === 'cancelled')
      throw new DomainRefusal('closed', 'consultation.errors.closed', {}, 409)
    if (file.bytes.length === 0 || file.bytes.length > ATTACHMENT_MAX_BYTES)
      throw new DomainRefusal('attachment_too_large', 'consultation.errors.attachment_too_large', {
        mb: ATTACHMENT_MAX_BYTES / (1024 * 1024),
      })
    // The bytes say what the file is; its name may say anything.
    const sniffed = sniffAttachment(file.bytes)
    if (!sniffed) throw new DomainRefusal('attachment_type', 'consultation.errors.attachment_type')
    const study = await ExamStudy.query()
      .where('exam_id', consultation.examId)
      .orderBy('id')
      .first()
    if (!study) throw new DomainRefusal('no_images', 'consultation.errors.no_images')

    const created = await this.orthanc.createDicom({
      Parent: study.orthancStudyId,
      Tags: {
        Modality: sniffed.kind === 'pdf' ? 'DOC' : 'OT',
        SeriesDescription: `Consultation ${consultation.id} attachment`,
        ...(sniffed.kind === 'pdf'
          ? { DocumentTitle: file.fileName.slice(0, 64) }
          : // PS3.3 A.8.1: Secondary Capture Image Storage; conversion type WSD (workstation), as a scanned film is
            { SOPClassUID: SECONDARY_CAPTURE, ConversionType: 'WSD' }),
      },
      Content: `data:${sniffed.mime};base64,${file.bytes.toString('base64')}`,
    })
    const attachment = await ConsultationAttachment.create({
      consultationId: consultation.id,
      fileName: file.fileName.slice(0, 255),
      contentType: sniffed.mime,
      sizeBytes: file.bytes.length,
      orthancInstanceId: created.ID,
      addedById: user.id,
      createdAt: this.clock.now(),
    })
    const line = await this.consultations.systemLine(
      consultation,
      `attached:${attachment.fileName}`
    )
    consultationNews.message(consultation, line, null)
    return attachment
  }

  /** The attachment as the person sees it: a PNG rendering of the image, the PDF itself. */
  async content(attachment: ConsultationAttachment) {
    if (attachment.contentType === 'application/pdf') {
      const bytes = await this.orthanc.instanceContent(
        attachment.orthancInstanceId,
        ENCAPSULATED_DOCUMENT
      )
      // DICOM pads values to an even length with a NUL: trim it back to the PDF's own end.
      const end = bytes.lastIndexOf('%%EOF')
      return {
        contentType: 'application/pdf',
        body: end >= 0 ? bytes.subarray(0, end + 5) : bytes,
      }
    }
    const preview = await this.orthanc.instancePreview(attachment.orthancInstanceId)
    return { contentType: preview.contentType, body: preview.stream }
  }
}
