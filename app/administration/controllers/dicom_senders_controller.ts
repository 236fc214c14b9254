import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import DicomSender from '#models/dicom_sender'
import Institution from '#models/institution'
import { dicomSenderValidator } from '#app/administration/validators/administration_validators'
import { DicomSenderDirectory } from '#app/administration/services/dicom_sender_directory'
import { audit } from '#app/audit/audit_log'
import { DomainRefusal } from '#app/platform/domain_refusal'
import imaging from '#config/imaging'

@inject()
export default class DicomSendersController {
  constructor(protected directory: DicomSenderDirectory) {}

  async index({ view, bouncer }: HttpContext) {
    await bouncer.with('AdministrationPolicy').authorize('manage')
    const senders = await DicomSender.query().preload('institution').orderBy('institution_id').orderBy('ae_title')
    const institutions = await Institution.query().whereNot('kind', 'lead_hospital').orderBy('code')
    return view.render('pages/administration/senders/index', {
      senders,
      institutions,
      centre: { aet: imaging.orthanc.aet, port: imaging.orthanc.dicomPort },
    })
  }

  async store(ctx: HttpContext) {
    await ctx.bouncer.with('AdministrationPolicy').authorize('manage')
    const data = await ctx.request.validateUsing(dicomSenderValidator)
    return this.save(ctx, () => this.directory.create({ ...data, active: data.active ?? true }), 'admin.sender.create')
  }

  async update(ctx: HttpContext) {
    await ctx.bouncer.with('AdministrationPolicy').authorize('manage')
    const sender = await DicomSender.findOrFail(ctx.params.id)
    const data = await ctx.request.validateUsing(dicomSenderValidator)
    return this.save(ctx, () => this.directory.update(sender, { ...data, active: data.active ?? false }), 'admin.sender.update')
  }

  async destroy(ctx: HttpContext) {
    await ctx.bouncer.with('AdministrationPolicy').authorize('manage')
    const sender = await DicomSender.findOrFail(ctx.params.id)
    await this.directory.remove(sender)
    await audit.fromContext(ctx, { action: 'admin.sender.delete', targetType: 'dicom_sender', targetId: sender.id, details: { ae: sender.aeTitle } })
    ctx.session.flash('success', ctx.i18n.t('common.deleted'))
    return ctx.response.redirect('/admin/senders')
  }

  protected async save(ctx: HttpContext, work: () => Promise<DicomSender>, action: string) {
    try {
      const sender = await work()
      await audit.fromContext(ctx, { action, targetType: 'dicom_sender', targetId: sender.id, details: { ae: sender.aeTitle } })
      ctx.session.flash('success', ctx.i18n.t('common.saved'))
    } catch (error) {
      if (!(error instanceof DomainRefusal)) throw error
      await audit.fromContext(ctx, { action, outcome: 'refused', details: { code: error.code } })
      ctx.session.flashAll()
      ctx.session.flash('error', ctx.i18n.t(error.messageKey, error.messageData))
    }
    return ctx.response.redirect('/admin/senders')
  }
}
