import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import Institution from '#models/institution'
import User from '#models/user'
import CriticalValueContact from '#models/critical_value_contact'
import { act, guard } from '#app/critical_values/controllers/controller_helpers'
import { DutyRoster } from '#app/critical_values/services/duty_roster'
import { contactValidator } from '#app/critical_values/validators/critical_value_validators'

/** Administrators name who is on duty and who is head at each clinic, and the lead hospital's duty desk. */
@inject()
export default class CriticalContactsController {
  constructor(protected roster: DutyRoster) {}

  async index(ctx: HttpContext) {
    await guard(ctx, 'manage', 'admin.critical_contact.list')
    const institutions = await Institution.query().where('active', true).orderBy('code')
    const chosen = Number(ctx.request.input('institutionId')) || institutions.find((i) => i.kind === 'lead_hospital')?.id || institutions[0]?.id
    const institution = institutions.find((i) => i.id === chosen) ?? null
    const users = institution
      ? await User.query().where('institution_id', institution.id).whereIn('role', ['clinic_staff', 'radiologist', 'qc_officer']).orderBy('role').orderBy('full_name')
      : []
    const contacts = await CriticalValueContact.query().preload('user', (q) => q.preload('institution'))
    const dutiesByUser = new Map<number, string[]>()
    for (const contact of contacts) dutiesByUser.set(contact.userId, [...(dutiesByUser.get(contact.userId) ?? []), contact.duty])
    // Per clinic at a glance: who is on duty, who is head; and the duty desk.
    const summary = institutions
      .filter((i) => i.kind !== 'lead_hospital')
      .map((i) => ({
        institution: i,
        onDuty: contacts.filter((c) => c.duty === 'on_duty' && c.user.institutionId === i.id).map((c) => c.user.fullName),
        heads: contacts.filter((c) => c.duty === 'clinic_head' && c.user.institutionId === i.id).map((c) => c.user.fullName),
      }))
    const dutyDesk = contacts.filter((c) => c.duty === 'duty_desk').map((c) => c.user)
    return ctx.view.render('pages/critical_values/contacts', {
      institutions,
      institution,
      users: users.map((u) => ({ user: u, duties: dutiesByUser.get(u.id) ?? [] })),
      summary,
      dutyDesk,
    })
  }

  async update(ctx: HttpContext) {
    await guard(ctx, 'manage', 'admin.critical_contact.update')
    const { userId, duty, on } = await ctx.request.validateUsing(contactValidator)
    const user = await act(ctx, 'admin.critical_contact.update', { type: 'user', id: userId }, () => this.roster.assign(ctx.auth.user!, userId, duty, on), () => ({
      duty,
      on,
    }))
    if (!user) return
    ctx.session.flash('success', ctx.i18n.t('common.saved'))
    return ctx.response.redirect().back()
  }
}
