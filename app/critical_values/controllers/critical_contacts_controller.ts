import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import { DutyRoster } from '#app/critical_values/services/duty_roster'
import { contactValidator } from '#app/critical_values/validators/critical_value_validators'
import { mayManageCriticalValues } from '#app/critical_values/critical_value_access'
import { useCase, done } from '#app/platform/http/use_case'

const institutionValidator = vine.compile(
  vine.object({ institutionId: vine.number().positive().withoutDecimals().optional() })
)

/** Administrators name who is on duty and who is head at each clinic, and the lead hospital's duty desk. */
@inject()
export default class CriticalContactsController {
  constructor(protected roster: DutyRoster) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.critical_contact.list',
      allow: mayManageCriticalValues,
      input: institutionValidator,
      run: ({ input }) => this.roster.contactsOverview(input.institutionId),
      page: (overview) => ctx.view.render('pages/critical_values/contacts', overview),
    })
  }

  update(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'admin.critical_contact.update',
      allow: mayManageCriticalValues,
      input: contactValidator,
      run: ({ user, input }) => this.roster.assign(user, input.userId, input.duty, input.on),
      audit: {
        target: (_, { input }) => ({ type: 'user', id: input.userId }),
        details: (_, { input }) => ({ duty: input.duty, on: input.on }),
      },
      page: () => done(ctx, 'common.saved'),
    })
  }
}
