import { inject } from '@adonisjs/core'
import { createHash, randomBytes } from 'node:crypto'
import hash from '@adonisjs/core/services/hash'
import type { DateTime } from 'luxon'
import type Exam from '#models/exam'
import type User from '#models/user'
import ReportVersion, { type ReportHeader } from '#models/report_version'
import imaging from '#config/imaging'
import { reportPdf } from '#app/reading/services/report_pdf'
import { resultMarks } from '#app/platform/result_marks'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { readsForAlliance } from '#app/access/visibility'
import ShareLink from '#app/consultation/models/share_link'

/*
| Share links (C 8.2.5 online viewing; C 8.5.2 de-identification): one exam's
| images and report for a patient or an outside doctor. The token is shown
| once and kept as its SHA-256; expiry 7 days by default, at most 30; an
| optional access code; optional de-identification (pages without name, ID
| numbers, birth date or institution; DICOM through Orthanc's anonymize, never
| stored). Expired or revoked answers exactly like a link that never existed.
*/
export const DEFAULT_LINK_DAYS = 7
export const MAX_LINK_DAYS = 30

export const tokenHashOf = (token: string) => createHash('sha256').update(token).digest('hex')

export interface ShareLinkInput {
  expiresAt?: DateTime
  accessCode?: string
  deidentify?: boolean
  note?: string
}

@inject()
export class ShareLinks {
  constructor(protected clock: Clock) {}

  async create(user: User, exam: Exam, input: ShareLinkInput) {
    if (!user.institution) await user.load('institution')
    if (!(user.role === 'clinic_staff' || readsForAlliance(user)))
      throw new DomainRefusal('forbidden', 'common.errors.forbidden', {}, 403)
    const now = this.clock.now()
    const expiresAt = input.expiresAt ?? now.plus({ days: DEFAULT_LINK_DAYS })
    if (expiresAt <= now)
      throw new DomainRefusal('expiry_past', 'consultation.links.errors.expiry_past', {}, 422)
    if (expiresAt > now.plus({ days: MAX_LINK_DAYS }))
      throw new DomainRefusal(
        'expiry_too_far',
        'consultation.links.errors.expiry_too_far',
        { days: MAX_LINK_DAYS },
        422
      )
    if (!exam.imagesReceivedAt)
      throw new DomainRefusal('no_images', 'consultation.errors.no_images')
    const token = randomBytes(24).toString('base64url')
    const link = await ShareLink.create({
      tokenHash: tokenHashOf(token),
      examId: exam.id,
      createdById: user.id,
      institutionId: user.institutionId,
      expiresAt,
      accessCodeHash: input.accessCode ? await hash.make(input.accessCode) : null,
      deidentify: !!input.deidentify,
      note: input.note ?? null,
      createdAt: now,
    })
    return { link, token }
  }

  /** The link a token names, only while it is valid; otherwise null (answered 404). */
  async valid(token: string) {
    if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) return null
    const link = await ShareLink.query()
      .where('token_hash', tokenHashOf(token))
      .preload('exam')
      .first()
    if (!link || link.revokedAt || link.expiresAt <= this.clock.now()) return null
    return link
  }

  async checkCode(link: ShareLink, code: string | undefined) {
    if (!link.accessCodeHash) return true
    return !!code && (await hash.verify(link.accessCodeHash, code))
  }

  async revoke(user: User, link: ShareLink) {
    if (link.revokedAt) return link
    if (!user.institution) await user.load('institution')
    if (
      link.createdById !== user.id &&
      link.institutionId !== user.institutionId &&
      !readsForAlliance(user)
    )
      throw new DomainRefusal('forbidden', 'common.errors.forbidden', {}, 403)
    link.merge({ revokedAt: this.clock.now(), revokedById: user.id })
    await link.save()
    return link
  }

  async forExam(exam: Exam) {
    return ShareLink.query().where('exam_id', exam.id).preload('createdBy').orderBy('id', 'desc')
  }

  /** What a link's page shows: the exam's facts (without identifiers when de-identified) and the signed report. */
  async page(link: ShareLink) {
    const exam = link.exam
    await exam.load('items')
    await exam.load('patient')
    await exam.load('institution')
    const report = await ReportVersion.query()
      .where('exam_id', exam.id)
      .whereNotNull('signed_at')
      .orderBy('version_no', 'desc')
      .first()
    return {
      link,
      exam: {
        modality: exam.modality,
        items: exam.items.map((i) => i.name),
        examTime: exam.imagesReceivedAt ?? exam.registeredAt,
        patient: link.deidentify
          ? null
          : {
              name: exam.patient.name,
              sex: exam.patient.sex,
              birthDate: exam.patient.birthDate,
              nationalIdMasked: exam.patient.nationalIdMasked,
            },
        sex: exam.patient.sex,
        institution: link.deidentify ? null : exam.institution.name,
        accessionNumber: link.deidentify ? null : exam.accessionNumber,
      },
      report: report
        ? {
            findings: report.findings,
            impression: report.impression,
            technique: report.technique,
            signedAt: report.signedAt,
          }
        : null,
    }
  }

  /**
   * The signed report's PDF for a link (B appendix A layout). De-identified
   * links (C 8.5.2 数据脱敏) print it from a redacted copy of the frozen header:
   * no patient name, accession number or requesting clinic; sex and age stay,
   * as on the page. The signed row itself is never changed.
   */
  async reportPdf(link: ShareLink) {
    const exam = link.exam
    const signed = await ReportVersion.query()
      .where('exam_id', exam.id)
      .where('status', 'signed')
      .orderBy('version_no', 'desc')
      .first()
    if (!signed?.header) throw DomainRefusal.notFound('report')
    const previous =
      signed.versionNo > 1
        ? await ReportVersion.query()
            .where('exam_id', exam.id)
            .where('status', 'signed')
            .where('version_no', '<', signed.versionNo)
            .orderBy('version_no', 'desc')
            .first()
        : null
    const header: ReportHeader = link.deidentify
      ? { ...signed.header, patientName: '（已脱敏）', accessionNumber: '—', clinic: '—' }
      : signed.header
    // A copy for printing only: the signed version is immutable and is not saved here.
    const printed = new ReportVersion().merge({
      versionNo: signed.versionNo,
      technique: signed.technique,
      findings: signed.findings,
      impression: signed.impression,
      comparison: signed.comparison,
      amendmentReason: signed.amendmentReason,
      signedAt: signed.signedAt,
      header,
    })
    return reportPdf(
      printed,
      previous?.signedAt?.setZone(imaging.displayTimezone).toFormat('yyyy-MM-dd HH:mm') ?? null,
      await resultMarks.forExam(exam.id)
    )
  }
}
