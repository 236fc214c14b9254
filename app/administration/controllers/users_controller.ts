import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import User from '#models/user'
import Institution from '#models/institution'
import { ROLES, TITLES } from '#app/access/roles'
import { createUserValidator, updateUserValidator } from '#app/administration/validators/administration_validators'
import { StaffDirectory } from '#app/administration/services/staff_directory'
import { audit } from '#app/audit/audit_log'
import { DomainRefusal } from '#app/platform/domain_refusal'

@inject()
export default class UsersController {
  constructor(protected staff: StaffDirectory) {}

  protected async options() {
    return { roles: ROLES, titles: TITLES, institutions: await Institution.query().orderBy('code') }
  }

  async index({ view, bouncer, request }: HttpContext) {
    await bouncer.with('AdministrationPolicy').authorize('manage')
    const { institutionId, role, status, search } = request.qs()
    const users = await User.query()
      .preload('institution')
      .if(institutionId, (q) => q.where('institution_id', institutionId))
      .if(role, (q) => q.where('role', role))
      .if(status, (q) => q.where('status', status))
      .if(search, (q) => q.where((s) => s.where('username', 'like', `%${search}%`).orWhere('full_name', 'like', `%${search}%`)))
      .orderBy('institution_id')
      .orderBy('username')
      .paginate(request.input('page', 1), 50)
    users.baseUrl('/admin/users').queryString({ institutionId, role, status, search })
    return view.render('pages/administration/users/index', { users, filters: { institutionId, role, status, search }, ...(await this.options()) })
  }

  async create({ view, bouncer }: HttpContext) {
    await bouncer.with('AdministrationPolicy').authorize('manage')
    return view.render('pages/administration/users/form', { user: null, ...(await this.options()) })
  }

  async edit({ view, bouncer, params }: HttpContext) {
    await bouncer.with('AdministrationPolicy').authorize('manage')
    const user = await User.findOrFail(params.id)
    return view.render('pages/administration/users/form', { user, ...(await this.options()) })
  }

  async store(ctx: HttpContext) {
    await ctx.bouncer.with('AdministrationPolicy').authorize('manage')
    const data = await ctx.request.validateUsing(createUserValidator)
    return this.save(ctx, () => this.staff.create(data, ctx.auth.user!), 'admin.user.create')
  }

  async update(ctx: HttpContext) {
    await ctx.bouncer.with('AdministrationPolicy').authorize('manage')
    const user = await User.findOrFail(ctx.params.id)
    const data = await ctx.request.validateUsing(updateUserValidator)
    return this.save(ctx, () => this.staff.update(user, data, ctx.auth.user!), 'admin.user.update')
  }

  protected async save(ctx: HttpContext, work: () => Promise<User>, action: string) {
    try {
      const user = await work()
      await audit.fromContext(ctx, { action, targetType: 'user', targetId: user.id, details: { role: user.role, status: user.status } })
      ctx.session.flash('success', ctx.i18n.t('common.saved'))
      return ctx.response.redirect('/admin/users')
    } catch (error) {
      if (!(error instanceof DomainRefusal)) throw error
      await audit.fromContext(ctx, { action, outcome: 'refused', details: { code: error.code } })
      ctx.session.flashExcept(['password'])
      ctx.session.flash('error', ctx.i18n.t(error.messageKey, error.messageData))
      return ctx.response.redirect().back()
    }
  }
}
