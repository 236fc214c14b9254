import type { HttpContext } from '@adonisjs/core/http'
import ReportTemplate from '#models/report_template'
import PhraseTemplate, { PHRASE_SECTIONS } from '#models/phrase_template'
import { MODALITIES } from '#models/exam_item'
import { loadStarterSet } from '#app/reading/services/templates'
import { phraseValidator, templateValidator } from '#app/reading/validators/reading_validators'
import { audit } from '#app/audit/audit_log'
import { authorizeReading } from '#app/reading/controllers/reading_access'

/** C 8.4.2: the department's report templates (by item and diagnosis) and phrase templates. */
export default class TemplatesController {
  async index(ctx: HttpContext) {
    await authorizeReading(ctx)
    const canMaintain = await ctx.bouncer.with('ReadingPolicy').allows('maintainTemplates')
    const templates = await ReportTemplate.query().orderBy('modality').orderBy('body_part').orderBy('diagnosis')
    const phrases = await PhraseTemplate.query().orderBy('section').orderBy('category').orderBy('sort')
    const editing = ctx.request.input('edit') ? templates.find((t) => t.id === Number(ctx.request.input('edit'))) ?? null : null
    return ctx.view.render('pages/reading/templates', { templates, phrases, canMaintain, editing, modalities: MODALITIES, sections: PHRASE_SECTIONS })
  }

  async storeTemplate(ctx: HttpContext) {
    await authorizeReading(ctx, 'maintainTemplates')
    const data = await ctx.request.validateUsing(templateValidator)
    const template = await ReportTemplate.create({
      ...data,
      modality: data.modality ?? null,
      bodyPart: data.bodyPart || null,
      technique: data.technique ?? null,
      active: true,
      updatedById: ctx.auth.user!.id,
    })
    await audit.fromContext(ctx, { action: 'reading.template.create', targetType: 'report_template', targetId: template.id })
    ctx.session.flash('success', ctx.i18n.t('common.saved'))
    return ctx.response.redirect('/reading/templates')
  }

  async updateTemplate(ctx: HttpContext) {
    await authorizeReading(ctx, 'maintainTemplates')
    const template = await ReportTemplate.findOrFail(ctx.params.id)
    const data = await ctx.request.validateUsing(templateValidator)
    template.merge({ ...data, modality: data.modality ?? null, bodyPart: data.bodyPart || null, technique: data.technique ?? null, updatedById: ctx.auth.user!.id })
    await template.save()
    await audit.fromContext(ctx, { action: 'reading.template.update', targetType: 'report_template', targetId: template.id })
    ctx.session.flash('success', ctx.i18n.t('common.saved'))
    return ctx.response.redirect('/reading/templates')
  }

  async toggleTemplate(ctx: HttpContext) {
    await authorizeReading(ctx, 'maintainTemplates')
    const template = await ReportTemplate.findOrFail(ctx.params.id)
    template.merge({ active: !template.active, updatedById: ctx.auth.user!.id })
    await template.save()
    await audit.fromContext(ctx, { action: 'reading.template.toggle', targetType: 'report_template', targetId: template.id, details: { active: template.active } })
    return ctx.response.redirect('/reading/templates')
  }

  async storePhrase(ctx: HttpContext) {
    await authorizeReading(ctx, 'maintainTemplates')
    const data = await ctx.request.validateUsing(phraseValidator)
    const phrase = await PhraseTemplate.create({ ...data, modality: data.modality ?? null, sort: data.sort ?? 0, active: true, updatedById: ctx.auth.user!.id })
    await audit.fromContext(ctx, { action: 'reading.phrase.create', targetType: 'phrase_template', targetId: phrase.id })
    ctx.session.flash('success', ctx.i18n.t('common.saved'))
    return ctx.response.redirect('/reading/templates#phrases')
  }

  async togglePhrase(ctx: HttpContext) {
    await authorizeReading(ctx, 'maintainTemplates')
    const phrase = await PhraseTemplate.findOrFail(ctx.params.id)
    phrase.merge({ active: !phrase.active, updatedById: ctx.auth.user!.id })
    await phrase.save()
    await audit.fromContext(ctx, { action: 'reading.phrase.toggle', targetType: 'phrase_template', targetId: phrase.id, details: { active: phrase.active } })
    return ctx.response.redirect('/reading/templates#phrases')
  }

  async loadStarter(ctx: HttpContext) {
    await authorizeReading(ctx, 'maintainTemplates')
    const added = await loadStarterSet(ctx.auth.user!.id)
    await audit.fromContext(ctx, { action: 'reading.template.starter', details: { added } })
    ctx.session.flash('success', ctx.i18n.t('reading.templates.starter_loaded', { count: added }))
    return ctx.response.redirect('/reading/templates')
  }
}
