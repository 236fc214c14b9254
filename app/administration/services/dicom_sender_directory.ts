import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import DicomSender from '#models/dicom_sender'
import Institution from '#models/institution'
import type User from '#models/user'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { TwoPersonApproval } from '#app/approvals/services/two_person_approval'
import { CHANGE_SENDER, DECLARE_SENDER, senderSummary } from '#app/administration/approvals'

export interface DicomSenderInput {
  institutionId: number
  aeTitle: string
  host: string
  port?: number | null
  description?: string | null
  active?: boolean
  /** 'ISO_IR 192' (UTF-8, the default) or 'GB18030': how the device reads its modality worklist */
  worklistCharset?: string
}

const MODALITY_PREFIX = 'clinic-'

/**
 * The clinic modalities allowed to send by DICOM. Orthanc accepts C-STORE only
 * from declared modalities (DicomAlwaysAllowStore false, host checked), so
 * every change here is mirrored into Orthanc's /modalities.
 */
@inject()
export class DicomSenderDirectory {
  constructor(
    protected orthanc: OrthancClient,
    protected approvals: TwoPersonApproval
  ) {}

  /*
  | Two-person rule (MLPS 8.1.4.2): a declared AE title may C-STORE into the centre's Orthanc under a
  | clinic's name, so declaring one, or changing which device (AE title, host, port), which clinic it
  | speaks for, or switching it back on, waits for the security administrator. The request is vetted
  | now (a refusal is immediate) and nothing reaches the database or Orthanc before the approval
  | (app/administration/approvals.ts carries it out). Taking access away (switching a sender off,
  | deleting it) and the description or worklist character set apply at once.
  */
  async requestDeclaration(requester: User, input: DicomSenderInput) {
    await this.check(input)
    const institution = await Institution.findOrFail(input.institutionId)
    return this.approvals.request(
      requester,
      DECLARE_SENDER,
      input,
      senderSummary(input, institution)
    )
  }

  /** Applies what needs no approval; returns the approval when the change does. */
  async requestChange(requester: User, sender: DicomSender, input: DicomSenderInput) {
    await this.check(input, sender)
    if (!DicomSenderDirectory.widensAccess(sender, input)) {
      return { sender: await this.update(sender, input), approval: null }
    }
    const institution = await Institution.findOrFail(input.institutionId)
    const approval = await this.approvals.request(
      requester,
      CHANGE_SENDER,
      { senderId: sender.id, input },
      senderSummary(input, institution, sender)
    )
    return { sender, approval }
  }

  /** Whether the change lets a different device, or the same one again, store under a clinic's name. */
  static widensAccess(sender: DicomSender, input: DicomSenderInput) {
    const active = input.active ?? true
    if (!active) return false
    return (
      !sender.active ||
      sender.aeTitle !== input.aeTitle ||
      sender.host !== input.host ||
      (sender.port ?? 104) !== (input.port ?? 104) ||
      sender.institutionId !== input.institutionId
    )
  }

  protected async check(input: DicomSenderInput, existing?: DicomSender) {
    const institution = await Institution.find(input.institutionId)
    if (!institution || institution.kind === 'lead_hospital') {
      throw new DomainRefusal('sender_institution', 'admin.senders.sender_institution')
    }
    const same = await DicomSender.findBy('ae_title', input.aeTitle)
    if (same && same.id !== existing?.id)
      throw new DomainRefusal('ae_title_taken', 'admin.senders.ae_title_taken')
  }

  protected async declare(sender: DicomSender) {
    if (!sender.active) {
      await this.orthanc.deleteModality(sender.orthancModalityName).catch(() => undefined)
      return
    }
    await this.orthanc.putModality(sender.orthancModalityName, {
      AET: sender.aeTitle,
      Host: sender.host,
      Port: sender.port ?? 104,
      // Least privilege: clinics store and echo; they may not query or retrieve others' studies.
      AllowEcho: true,
      AllowStore: true,
      AllowFind: false,
      AllowMove: false,
      AllowGet: false,
    })
  }

  async create(input: DicomSenderInput) {
    await this.check(input)
    const sender = await DicomSender.create({
      ...input,
      port: input.port ?? null,
      description: input.description ?? null,
      active: input.active ?? true,
      worklistCharset: input.worklistCharset ?? 'ISO_IR 192',
    })
    await this.declare(sender)
    return sender
  }

  async update(sender: DicomSender, input: DicomSenderInput) {
    await this.check(input, sender)
    const previousName = sender.orthancModalityName
    sender.merge({
      ...input,
      port: input.port ?? null,
      description: input.description ?? null,
      active: input.active ?? true,
      worklistCharset: input.worklistCharset ?? sender.worklistCharset,
    })
    await sender.save()
    if (previousName !== sender.orthancModalityName)
      await this.orthanc.deleteModality(previousName).catch(() => undefined)
    await this.declare(sender)
    return sender
  }

  async remove(sender: DicomSender) {
    await this.orthanc.deleteModality(sender.orthancModalityName).catch(() => undefined)
    await sender.delete()
  }

  /**
   * Makes Orthanc's list of clinic modalities equal to the database's (at boot
   * and every few minutes): a restored or replaced Orthanc gets them back.
   */
  async syncToOrthanc() {
    const senders = await DicomSender.all()
    const declared = await this.orthanc.modalities()
    const wanted = new Set(senders.filter((s) => s.active).map((s) => s.orthancModalityName))
    for (const sender of senders) {
      const current = declared[sender.orthancModalityName]
      if (!sender.active) {
        if (current) await this.orthanc.deleteModality(sender.orthancModalityName)
        continue
      }
      if (
        !current ||
        current.AET !== sender.aeTitle ||
        current.Host !== sender.host ||
        current.Port !== (sender.port ?? 104)
      ) {
        await this.declare(sender)
      }
    }
    for (const name of Object.keys(declared)) {
      if (name.startsWith(MODALITY_PREFIX) && !wanted.has(name)) {
        logger.info({ modality: name }, 'removing a clinic modality that is no longer declared')
        await this.orthanc.deleteModality(name)
      }
    }
  }
}
