import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import LegalHold from '#models/legal_hold'
import { audit } from '#app/audit/audit_log'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { LegalHolds } from '#app/storage/services/legal_holds'
import { legalHoldValidator, releaseHoldValidator } from '#app/storage/validators/storage_validators'
import { authorizeStorage, refusable, routeId, wantsJson } from './storage_access.js'

/** Legal holds on a patient or a study: placed and released with a reason, both audited. */
@inject()
export default class LegalHoldsController {
  constructor(protected holds: LegalHolds) {}

  async index(ctx: HttpContext) {
    await authorizeStorage(ctx)
    const holds = await LegalHold.query().preload('placedBy').preload('releasedBy').orderByRaw('CASE WHEN released_at IS NULL THEN 0 ELSE 1 END').orderBy('placed_at', 'desc').paginate(Number(ctx.request.input('page', 1)) || 1, 50)
    holds.baseUrl('/storage/holds')
    return ctx.view.render('pages/storage/holds', { holds })
  }

  async store(ctx: HttpContext) {
    await authorizeStorage(ctx)
    const data = await ctx.request.validateUsing(legalHoldValidator)
    const placed = await refusable(ctx, { action: 'storage.hold.place' }, () => this.holds.place(ctx.auth.user!, data))
    if (placed) {
      for (const hold of placed) {
        await audit.fromContext(ctx, {
          action: 'storage.hold.place',
          targetType: 'legal_hold',
          targetId: hold.id,
          details: { scope: hold.scope, reference: hold.reference, patientId: hold.patientId, studyInstanceUid: hold.studyInstanceUid, reason: hold.reason },
        })
      }
      if (wantsJson(ctx)) return ctx.response.status(201).send({ holds: placed.map((h) => h.id) })
      ctx.session.flash('success', ctx.i18n.t('storage.holds.placed', { count: placed.length }))
    }
    return ctx.response.redirect('/storage/holds')
  }

  async release(ctx: HttpContext) {
    await authorizeStorage(ctx)
    const id = routeId(ctx)
    const hold = id ? await LegalHold.find(id) : null
    if (!hold) throw DomainRefusal.notFound('legal_hold')
    const { reason } = await ctx.request.validateUsing(releaseHoldValidator)
    const released = await refusable(ctx, { action: 'storage.hold.release', targetType: 'legal_hold', targetId: hold.id }, () => this.holds.release(hold, ctx.auth.user!, reason))
    if (released) {
      await audit.fromContext(ctx, { action: 'storage.hold.release', targetType: 'legal_hold', targetId: hold.id, details: { reason } })
      if (wantsJson(ctx)) return { released: true }
      ctx.session.flash('success', ctx.i18n.t('storage.holds.released'))
    }
    return ctx.response.redirect('/storage/holds')
  }
}
