import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import { CATALOGUES, MODALITIES } from '#models/exam_item'
import { examItemValidator } from '#app/administration/validators/administration_validators'
import { addLocalItem, catalogueItems, toggleItem } from '#app/catalogue/catalogue_import'
import { examItemTarget, mayAdminister } from '#app/administration/administration_access'
import { useCase, done } from '#app/platform/http/use_case'

const filterValidator = vine.compile(
  vine.object({
    modality: vine.enum(MODALITIES).optional(),
    catalogue: vine.enum(CATALOGUES).optional(),
    search: vine.string().trim().maxLength(64).optional(),
  })
)

/** The exam-item catalogue: the recognition catalogues as imported, plus the alliance's local items. */
export default class CatalogueController {
  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.catalogue.list',
      allow: mayAdminister,
      input: filterValidator,
      run: ({ input }) => catalogueItems(input),
      page: (items, { input }) =>
        ctx.view.render('pages/administration/catalogue/index', {
          items,
          filters: input,
          modalities: MODALITIES,
          catalogues: CATALOGUES,
        }),
    })
  }

  toggle(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.catalogue.toggle',
      allow: mayAdminister,
      target: examItemTarget,
      run: ({ target }) => toggleItem(target),
      audit: { details: (item) => ({ active: item.active }) },
      page: () => ctx.response.redirect().back(),
    })
  }

  /** A local item, named by the same four parts as the imported ones (R 7.2). */
  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.catalogue.create',
      allow: mayAdminister,
      input: examItemValidator,
      run: ({ input }) => addLocalItem(input),
      audit: { target: (item) => ({ type: 'exam_item', id: item.id }) },
      page: () => done(ctx, 'common.saved', {}, '/admin/catalogue?catalogue=local'),
    })
  }
}
