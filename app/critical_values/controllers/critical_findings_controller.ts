import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import CriticalFinding from '#models/critical_finding'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { act, guard } from '#app/critical_values/controllers/controller_helpers'
import { CriticalFindingList } from '#app/critical_values/services/critical_finding_list'
import { FINDING_CATEGORIES } from '#app/critical_values/default_findings'
import { findingValidator, policyValidator } from '#app/critical_values/validators/critical_value_validators'

/** Administrators maintain the list of critical findings and the two-person-check switch. */
@inject()
export default class CriticalFindingsController {
  constructor(protected list: CriticalFindingList) {}

  async index(ctx: HttpContext) {
    await guard(ctx, 'manage', 'admin.critical_finding.list')
    return ctx.view.render('pages/critical_values/findings', {
      findings: await this.list.all(),
      categories: FINDING_CATEGORIES,
      twoPersonCheck: await this.list.twoPersonCheck(),
    })
  }

  async store(ctx: HttpContext) {
    await guard(ctx, 'manage', 'admin.critical_finding.create')
    const data = await ctx.request.validateUsing(findingValidator)
    const finding = await act(ctx, 'admin.critical_finding.create', { type: 'critical_finding', id: null }, () => this.list.create(data), (f) => ({
      id: f.id,
      code: f.code,
      ackMinutes: f.ackMinutes,
    }))
    if (!finding) return
    ctx.session.flash('success', ctx.i18n.t('common.saved'))
    return ctx.response.redirect('/admin/critical-findings')
  }

  async update(ctx: HttpContext) {
    await guard(ctx, 'manage', 'admin.critical_finding.update')
    const finding = /^\d+$/.test(ctx.params.id) ? await CriticalFinding.find(ctx.params.id) : null
    if (!finding) throw DomainRefusal.notFound('finding')
    const data = await ctx.request.validateUsing(findingValidator)
    const saved = await act(ctx, 'admin.critical_finding.update', { type: 'critical_finding', id: finding.id }, () => this.list.update(finding, { ...data, active: data.active ?? false }), (f) => ({
      ackMinutes: f.ackMinutes,
      active: f.active,
    }))
    if (!saved) return
    ctx.session.flash('success', ctx.i18n.t('common.saved'))
    return ctx.response.redirect('/admin/critical-findings')
  }

  async policy(ctx: HttpContext) {
    await guard(ctx, 'manage', 'admin.critical_policy.update')
    const { twoPersonCheck } = await ctx.request.validateUsing(policyValidator)
    const on = twoPersonCheck ?? false
    const done = await act(ctx, 'admin.critical_policy.update', { type: 'critical_finding', id: null }, () => this.list.setTwoPersonCheck(on, ctx.auth.user!), () => ({ twoPersonCheck: on }))
    if (!done) return
    ctx.session.flash('success', ctx.i18n.t(on ? 'critical_values.findings.two_person_on' : 'critical_values.findings.two_person_off'))
    return ctx.response.redirect('/admin/critical-findings')
  }
}
