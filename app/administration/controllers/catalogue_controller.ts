import type { HttpContext } from '@adonisjs/core/http'
import ExamItem, { CATALOGUES, MODALITIES } from '#models/exam_item'
import { examItemValidator } from '#app/administration/validators/administration_validators'
import { audit } from '#app/audit/audit_log'
import { addLocalItem } from '#app/catalogue/catalogue_import'

/** The exam-item catalogue: the recognition catalogues as imported, plus the alliance's local items. */
export default class CatalogueController {
  async index({ view, bouncer, request }: HttpContext) {
    await bouncer.with('AdministrationPolicy').authorize('manage')
    const { modality, catalogue, search } = request.qs()
    const items = await ExamItem.query()
      .if(modality, (q) => q.where('modality', modality))
      .if(catalogue, (q) => q.where('catalogue', catalogue))
      .if(search, (q) => q.where((s) => s.where('name', 'like', `%${search}%`).orWhere('source_name', 'like', `%${search}%`)))
      .orderBy('catalogue')
      .orderBy('seq')
    return view.render('pages/administration/catalogue/index', { items, filters: { modality, catalogue, search }, modalities: MODALITIES, catalogues: CATALOGUES })
  }

  async toggle(ctx: HttpContext) {
    await ctx.bouncer.with('AdministrationPolicy').authorize('manage')
    const item = await ExamItem.findOrFail(ctx.params.id)
    item.active = !item.active
    await item.save()
    await audit.fromContext(ctx, { action: 'admin.catalogue.toggle', targetType: 'exam_item', targetId: item.id, details: { active: item.active } })
    return ctx.response.redirect().back()
  }

  /** A local item, named by the same four parts as the imported ones (R 7.2). */
  async store(ctx: HttpContext) {
    await ctx.bouncer.with('AdministrationPolicy').authorize('manage')
    const data = await ctx.request.validateUsing(examItemValidator)
    const item = await addLocalItem(data)
    await audit.fromContext(ctx, { action: 'admin.catalogue.create', targetType: 'exam_item', targetId: item.id })
    ctx.session.flash('success', ctx.i18n.t('common.saved'))
    return ctx.response.redirect('/admin/catalogue?catalogue=local')
  }
}
