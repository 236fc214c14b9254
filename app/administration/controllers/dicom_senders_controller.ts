import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import DicomSender from '#models/dicom_sender'
import Institution from '#models/institution'
import { dicomSenderValidator } from '#app/administration/validators/administration_validators'
import { DicomSenderDirectory } from '#app/administration/services/dicom_sender_directory'
import { dicomSenderTarget, mayAdminister } from '#app/administration/administration_access'
import { useCase, done } from '#app/platform/http/use_case'
import imaging from '#config/imaging'
import { worklistSettings } from '#app/interoperability/worklist/worklist_settings'
import { approvalRequested } from '#app/approvals/approval_requested'

/** The clinics' devices allowed to send by DICOM C-STORE (mirrored into Orthanc's modality list). */
@inject()
export default class DicomSendersController {
  constructor(protected directory: DicomSenderDirectory) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.sender.list',
      allow: mayAdminister,
      run: async () => ({
        senders: await DicomSender.query()
          .preload('institution')
          .orderBy('institution_id')
          .orderBy('ae_title'),
        institutions: await Institution.query().whereNot('kind', 'lead_hospital').orderBy('code'),
      }),
      page: (state) =>
        ctx.view.render('pages/administration/senders/index', {
          ...state,
          centre: { aet: imaging.orthanc.aet, port: imaging.orthanc.dicomPort },
          worklist: worklistSettings(),
        }),
    })
  }

  /** A new sender waits for the security administrator (two-person rule, in the directory). */
  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.sender.create',
      allow: mayAdminister,
      input: dicomSenderValidator,
      run: ({ user, input }) =>
        this.directory.requestDeclaration(user, { ...input, active: input.active ?? true }),
      ...approvalRequested(ctx, '/admin/senders'),
    })
  }

  update(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.sender.update',
      allow: mayAdminister,
      target: dicomSenderTarget,
      input: dicomSenderValidator,
      run: ({ user, target, input }) =>
        this.directory.requestChange(user, target, { ...input, active: input.active ?? false }),
      audit: {
        details: ({ sender, approval }, { input }) => ({
          ae: input.aeTitle,
          previousAe: sender.aeTitle,
          ...(approval ? { approvalId: approval.id, approval: 'pending' } : {}),
        }),
      },
      json: ({ sender, approval }) => {
        if (approval)
          return ctx.response.status(202).send({ approvalId: approval.id, status: approval.status })
        return { id: sender.id, aeTitle: sender.aeTitle, active: sender.active, approvalId: null }
      },
      page: ({ approval }) =>
        approval
          ? done(ctx, 'approvals.requested', { id: approval.id }, '/admin/senders')
          : done(ctx, 'common.saved', {}, '/admin/senders'),
    })
  }

  destroy(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.sender.delete',
      allow: mayAdminister,
      target: dicomSenderTarget,
      run: async ({ target }) => {
        await this.directory.remove(target)
        return target
      },
      audit: { details: (sender) => ({ ae: sender.aeTitle }) },
      page: () => done(ctx, 'common.deleted', {}, '/admin/senders'),
    })
  }
}
