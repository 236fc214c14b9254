import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { useCase, done, numericParam } from '#app/platform/http/use_case'
import { EligibilityRegister } from '#app/recognition/services/eligibility_register'
import { activeCatalogues } from '#app/recognition/services/eligibility'
import { RecognitionSuspensions } from '#app/recognition/services/suspensions'
import {
  recognitionSettings,
  updateRecognitionSettings,
  type RecognitionSettings,
} from '#app/recognition/services/recognition_settings'
import { LEVEL_RANK } from '#app/recognition/services/recognition_rules'
import { mayManageRecognition } from '#app/recognition/recognition_access'
import {
  catalogueValidator,
  evaluationsQueryValidator,
  feeValidator,
  institutionRecognitionValidator,
  itemEvaluationValidator,
  settingsValidator,
} from '#app/recognition/validators/recognition_validators'

const day = (value: Date | undefined) =>
  value ? DateTime.fromJSDate(value, { zone: 'utc' }) : null

/** The administrators' eligibility table (R 6.2, R 6.4, H 一), fees, settings and suspensions (pages and /api/v1). */
@inject()
export default class EligibilityController {
  constructor(
    protected register: EligibilityRegister,
    protected suspensions: RecognitionSuspensions
  ) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.eligibility.view',
      allow: mayManageRecognition,
      input: evaluationsQueryValidator,
      run: async ({ input }) => {
        await activeCatalogues()
        const institutions = await this.register.institutions()
        const chosen =
          input.institutionId ??
          institutions.find((i) => i.kind === 'member_clinic')?.id ??
          institutions[0]?.id ??
          null
        return {
          catalogues: await this.register.catalogues(),
          institutions,
          chosen,
          evaluations: chosen ? await this.register.evaluations(chosen) : [],
          items: await db
            .from('exam_items')
            .join('recognition_catalogues', 'recognition_catalogues.code', 'exam_items.catalogue')
            .where('exam_items.active', true)
            .select('exam_items.id', 'exam_items.name', 'exam_items.catalogue', 'exam_items.seq')
            .orderBy('exam_items.catalogue')
            .orderBy('exam_items.seq'),
          suspensions: await this.suspensions.list(),
          settings: await recognitionSettings(),
          levels: Object.keys(LEVEL_RANK),
        }
      },
      json: (state) => ({
        data: {
          catalogues: state.catalogues,
          institutions: state.institutions,
          evaluations: state.evaluations,
          suspensions: state.suspensions,
          settings: state.settings,
        },
      }),
      page: (state) => ctx.view.render('pages/recognition/eligibility', state),
    })
  }

  updateInstitution(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.institution.update',
      allow: mayManageRecognition,
      input: institutionRecognitionValidator,
      run: ({ user, input }) => {
        const id = numericParam(ctx)
        return this.register.setInstitution(user.id, id ?? 0, {
          isPublic: input.isPublic ?? false,
          qcEvaluationPassedOn: day(input.qcEvaluationPassedOn),
          qcEvaluationValidUntil: day(input.qcEvaluationValidUntil),
        })
      },
      audit: { target: (r) => ({ type: 'institution', id: r.institutionId }) },
      json: (r) => ({ data: r }),
      page: (r) =>
        done(
          ctx,
          'recognition.eligibility.saved',
          {},
          `/admin/recognition?institutionId=${r.institutionId}`
        ),
    })
  }

  storeEvaluation(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.evaluation.save',
      allow: mayManageRecognition,
      input: itemEvaluationValidator,
      run: ({ user, input }) =>
        this.register.setItemEvaluation(user.id, {
          institutionId: input.institutionId,
          examItemId: input.examItemId,
          passed: input.passed ?? false,
          evaluatedOn: day(input.evaluatedOn)!,
          validUntil: day(input.validUntil),
        }),
      audit: {
        target: (r) => ({ type: 'recognition_evaluation', id: r.id }),
        details: (_r, { input }) => ({
          institutionId: input.institutionId,
          examItemId: input.examItemId,
          passed: input.passed ?? false,
        }),
      },
      json: (r) => ctx.response.created({ data: r }),
      page: (_r, { input }) =>
        done(
          ctx,
          'recognition.eligibility.saved',
          {},
          `/admin/recognition?institutionId=${input.institutionId}`
        ),
    })
  }

  storeCatalogue(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.catalogue.save',
      allow: mayManageRecognition,
      input: catalogueValidator,
      run: ({ input }) =>
        this.register.saveCatalogue({
          ...input,
          requiresPublic: input.requiresPublic ?? false,
          active: input.active ?? true,
        }),
      audit: {
        target: (r) => ({ type: 'recognition_catalogue', id: r.id }),
        details: (r) => ({ code: r.code, mark: r.mark }),
      },
      json: (r) => ({ data: r }),
      page: () => done(ctx, 'recognition.eligibility.saved', {}, '/admin/recognition'),
    })
  }

  fees(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.fees.view',
      allow: mayManageRecognition,
      audit: false,
      run: () => this.register.fees(),
      json: (rows) => ({
        data: rows.map((r) => ({
          examItemId: r.id,
          name: r.name,
          catalogue: r.catalogue,
          feeYuan: r.fee_cents === null ? null : Number(r.fee_cents) / 100,
        })),
      }),
      page: (rows) => ctx.view.render('pages/recognition/fees', { rows }),
    })
  }

  storeFee(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.fee.save',
      allow: mayManageRecognition,
      input: feeValidator,
      run: ({ user, input }) => this.register.setFee(user.id, input.examItemId, input.feeYuan),
      audit: {
        target: (r) => ({ type: 'exam_item', id: r.examItemId }),
        details: (r) => ({ feeCents: r.feeCents }),
      },
      json: (r) => ({ data: r }),
      page: () => done(ctx, 'recognition.fees.saved', {}, '/admin/recognition/fees'),
    })
  }

  updateSettings(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.settings.update',
      allow: mayManageRecognition,
      input: settingsValidator,
      run: ({ user, input }) =>
        updateRecognitionSettings(user.id, input as Partial<RecognitionSettings>),
      audit: { details: (_r, { input }) => ({ changes: input }) },
      json: (settings) => ({ data: settings }),
      page: () => done(ctx, 'recognition.settings.saved', {}, '/admin/recognition'),
    })
  }

  liftSuspension(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.suspension.lift',
      allow: mayManageRecognition,
      run: ({ user }) => this.suspensions.lift(numericParam(ctx) ?? 0, user.id),
      audit: {
        target: (r) => ({ type: 'recognition_suspension', id: r.id }),
        details: (r) => ({ institutionId: r.institutionId, modality: r.modality }),
      },
      json: (r) => ({ data: r }),
      page: () => done(ctx, 'recognition.suspensions.lifted', {}, '/admin/recognition'),
    })
  }
}
