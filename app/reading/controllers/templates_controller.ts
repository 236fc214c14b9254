import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import ReportTemplate from '#models/report_template'
import PhraseTemplate, { PHRASE_SECTIONS } from '#models/phrase_template'
import { MODALITIES } from '#models/exam_item'
import { loadStarterSet, TemplateBook } from '#app/reading/services/templates'
import { phraseValidator, templateValidator } from '#app/reading/validators/reading_validators'
import { mayMaintainTemplates, mayRead } from '#app/reading/reading_access'
import { useCase, done, recordById } from '#app/platform/http/use_case'
import vine from '@vinejs/vine'

const templateTarget = recordById('report_template', (id) => ReportTemplate.find(id))
const phraseTarget = recordById('phrase_template', (id) => PhraseTemplate.find(id))
const listValidator = vine.compile(
  vine.object({ edit: vine.number().positive().withoutDecimals().optional() })
)

/** C 8.4.2: the department's report templates (by item and diagnosis) and phrase templates. */
@inject()
export default class TemplatesController {
  constructor(protected book: TemplateBook) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'reading.templates.list',
      allow: mayRead,
      input: listValidator,
      run: async ({ input }) => ({
        ...(await this.book.list(input.edit)),
        canMaintain: await mayMaintainTemplates(ctx),
      }),
      page: (state) =>
        ctx.view.render('pages/reading/templates', {
          ...state,
          modalities: MODALITIES,
          sections: PHRASE_SECTIONS,
        }),
    })
  }

  storeTemplate(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'reading.template.create',
      allow: mayMaintainTemplates,
      input: templateValidator,
      run: ({ user, input }) => this.book.createTemplate(user.id, input),
      audit: { target: (template) => ({ type: 'report_template', id: template.id }) },
      page: () => done(ctx, 'common.saved', {}, '/reading/templates'),
    })
  }

  updateTemplate(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'reading.template.update',
      allow: mayMaintainTemplates,
      target: templateTarget,
      input: templateValidator,
      run: ({ user, target, input }) => this.book.updateTemplate(user.id, target, input),
      page: () => done(ctx, 'common.saved', {}, '/reading/templates'),
    })
  }

  toggleTemplate(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'reading.template.toggle',
      allow: mayMaintainTemplates,
      target: templateTarget,
      run: ({ user, target }) => this.book.toggleTemplate(user.id, target),
      audit: { details: (template) => ({ active: template.active }) },
      page: () => ctx.response.redirect('/reading/templates'),
    })
  }

  storePhrase(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'reading.phrase.create',
      allow: mayMaintainTemplates,
      input: phraseValidator,
      run: ({ user, input }) => this.book.createPhrase(user.id, input),
      audit: { target: (phrase) => ({ type: 'phrase_template', id: phrase.id }) },
      page: () => done(ctx, 'common.saved', {}, '/reading/templates#phrases'),
    })
  }

  togglePhrase(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'reading.phrase.toggle',
      allow: mayMaintainTemplates,
      target: phraseTarget,
      run: ({ user, target }) => this.book.togglePhrase(user.id, target),
      audit: { details: (phrase) => ({ active: phrase.active }) },
      page: () => ctx.response.redirect('/reading/templates#phrases'),
    })
  }

  loadStarter(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'reading.template.starter',
      allow: mayMaintainTemplates,
      run: ({ user }) => loadStarterSet(user.id),
      audit: { details: (added) => ({ added }) },
      page: (added) =>
        done(ctx, 'reading.templates.starter_loaded', { count: added }, '/reading/templates'),
    })
  }
}
