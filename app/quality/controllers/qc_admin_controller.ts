import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import Institution from '#models/institution'
import { numericParam, useCase, done } from '#app/platform/http/use_case'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { Clock } from '#app/platform/clock'
import { readingDoctors } from '#app/reading/services/doctors'
import {
  currentChecklists,
  reviseChecklist,
  roleItems,
  setRoleItems,
} from '#app/quality/services/checklists'
import {
  defaultRatePercent,
  retireSamplingRule,
  samplingRules,
  saveSamplingRule,
} from '#app/quality/services/forced_qc'
import { QC_ITEMS, type QcItem } from '#app/quality/services/scoring'
import { mayAdminister } from '#app/quality/quality_access'
import {
  checklistValidator,
  roleItemsValidator,
  samplingRuleValidator,
} from '#app/quality/validators/quality_validators'

/** The QC administrator's settings: checklists (versioned), sampling rules, graded QC. */
@inject()
export default class QcAdminController {
  constructor(protected clock: Clock) {}

  checklists(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.checklists',
      allow: mayAdminister,
      audit: 'refusals',
      run: async () => ({
        checklists: [...(await currentChecklists(this.clock.now())).values()],
        grants: await roleItems(this.clock.now()),
      }),
      json: (result) => ({ data: result.checklists }),
      page: (result) =>
        ctx.view.render('pages/quality/checklists', {
          checklists: result.checklists,
          items: QC_ITEMS,
          roles: ['clinic_staff', 'radiologist', 'qc_officer'],
          grants: Object.fromEntries([...result.grants].map(([role, set]) => [role, [...set]])),
        }),
    })
  }

  reviseChecklist(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.checklist_revise',
      allow: mayAdminister,
      input: checklistValidator,
      run: ({ user, input }) => {
        const item = String(ctx.params.item) as QcItem
        if (!QC_ITEMS.includes(item)) throw DomainRefusal.notFound('checklist')
        return reviseChecklist(
          item,
          input.entries.map((e, i) => ({ kind: e.kind, no: i + 1, text: e.text ?? '' })),
          user.id,
          this.clock.now()
        )
      },
      audit: {
        target: (saved) => ({ type: 'qc_checklist', id: saved.id }),
        details: (saved) => ({ item: ctx.params.item, version: saved.version }),
      },
      json: (saved) => ({ data: saved }),
      page: (saved) =>
        done(
          ctx,
          'quality.flash.checklist_saved',
          { version: saved.version },
          '/quality/checklists'
        ),
    })
  }

  permissions(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.permissions',
      allow: mayAdminister,
      input: roleItemsValidator,
      run: async ({ input }) => {
        await currentChecklists(this.clock.now())
        await setRoleItems(input.role, input.items ?? [])
        return { role: input.role, items: input.items ?? [] }
      },
      audit: { details: (saved) => saved },
      json: (saved) => ({ data: saved }),
      page: () => done(ctx, 'quality.flash.permissions_saved', {}, '/quality/checklists'),
    })
  }

  sampling(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.sampling',
      allow: mayAdminister,
      audit: 'refusals',
      run: async () => ({ rules: await samplingRules(), defaultRate: defaultRatePercent() }),
      json: (result) => ({ data: result.rules, defaultRatePercent: result.defaultRate }),
      page: async (result) =>
        ctx.view.render('pages/quality/sampling', {
          ...result,
          institutions: await Institution.query().whereNot('kind', 'lead_hospital').orderBy('code'),
          doctors: await readingDoctors(),
        }),
    })
  }

  saveRule(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.sampling_save',
      allow: mayAdminister,
      input: samplingRuleValidator,
      run: ({ user, input }) =>
        saveSamplingRule(input, user.id, this.clock.now(), numericParam(ctx) ?? undefined),
      audit: {
        target: (id) => ({ type: 'qc_sampling_rule', id }),
        details: (_, { input }) => ({
          ratePercent: input.ratePercent,
          modality: input.modality,
          institutionId: input.institutionId,
          readerId: input.readerId,
        }),
      },
      json: (id) => ({ data: { id } }),
      page: () => done(ctx, 'quality.flash.rule_saved', {}, '/quality/sampling'),
    })
  }

  retireRule(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.sampling_retire',
      allow: mayAdminister,
      run: ({ user }) => retireSamplingRule(numericParam(ctx) ?? 0, user.id, this.clock.now()),
      audit: { target: () => ({ type: 'qc_sampling_rule', id: numericParam(ctx) }) },
      json: () => ({ data: { retired: numericParam(ctx) } }),
      page: () => done(ctx, 'quality.flash.rule_retired', {}, '/quality/sampling'),
    })
  }
}
