import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import LegalHold from '#models/legal_hold'
import { LegalHolds } from '#app/storage/services/legal_holds'
import {
  legalHoldValidator,
  releaseHoldValidator,
} from '#app/storage/validators/storage_validators'
import { legalHoldTarget, mayManageStorage } from '#app/storage/storage_access'
import { useCase, done } from '#app/platform/http/use_case'

const pageValidator = vine.compile(
  vine.object({ page: vine.number().positive().withoutDecimals().optional() })
)

/** Legal holds on a patient or a study: placed and released with a reason, both audited. */
@inject()
export default class LegalHoldsController {
  constructor(protected holds: LegalHolds) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'storage.hold.list',
      allow: mayManageStorage,
      input: pageValidator,
      run: ({ input }) =>
        LegalHold.query()
          .preload('placedBy')
          .preload('releasedBy')
          .orderByRaw('CASE WHEN released_at IS NULL THEN 0 ELSE 1 END')
          .orderBy('placed_at', 'desc')
          .paginate(input.page ?? 1, 50),
      page: (holds) => {
        holds.baseUrl('/storage/holds')
        return ctx.view.render('pages/storage/holds', { holds })
      },
    })
  }

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'storage.hold.place',
      allow: mayManageStorage,
      input: legalHoldValidator,
      run: ({ user, input }) => this.holds.place(user, input),
      audit: {
        each: (placed) =>
          placed.map((hold) => ({
            type: 'legal_hold',
            id: hold.id,
            details: {
              scope: hold.scope,
              reference: hold.reference,
              patientId: hold.patientId,
              studyInstanceUid: hold.studyInstanceUid,
              reason: hold.reason,
            },
          })),
      },
      json: (placed) => ctx.response.status(201).send({ holds: placed.map((h) => h.id) }),
      page: (placed) =>
        done(ctx, 'storage.holds.placed', { count: placed.length }, '/storage/holds'),
    })
  }

  release(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'storage.hold.release',
      allow: mayManageStorage,
      target: legalHoldTarget,
      input: releaseHoldValidator,
      run: ({ user, target, input }) => this.holds.release(target, user, input.reason),
      audit: { details: (_, { input }) => ({ reason: input.reason }) },
      json: () => ({ released: true }),
      page: () => done(ctx, 'storage.holds.released', {}, '/storage/holds'),
    })
  }
}
