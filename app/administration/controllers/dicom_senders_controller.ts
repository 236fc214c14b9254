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

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.sender.create',
      allow: mayAdminister,
      input: dicomSenderValidator,
      run: ({ input }) => this.directory.create({ ...input, active: input.active ?? true }),
      audit: {
        target: (sender) => ({ type: 'dicom_sender', id: sender.id }),
        details: (sender) => ({ ae: sender.aeTitle }),
      },
      page: () => done(ctx, 'common.saved', {}, '/admin/senders'),
    })
  }

  update(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.sender.update',
      allow: mayAdminister,
      target: dicomSenderTarget,
      input: dicomSenderValidator,
      run: ({ target, input }) =>
        this.directory.update(target, { ...input, active: input.active ?? false }),
      audit: { details: (sender) => ({ ae: sender.aeTitle }) },
      page: () => done(ctx, 'common.saved', {}, '/admin/senders'),
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
