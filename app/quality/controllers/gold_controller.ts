import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import User from '#models/user'
import Exam from '#models/exam'
import vine from '@vinejs/vine'
import db from '@adonisjs/lucid/services/db'
import { examTarget } from '#app/access/exam_access'
import { numericParam, useCase, done } from '#app/platform/http/use_case'
import { GoldStandard } from '#app/quality/services/gold_standard'
import { currentChecklists } from '#app/quality/services/checklists'
import { Clock } from '#app/platform/clock'
import { mayOfficer, mayScore } from '#app/quality/quality_access'
import { goldOpenValidator, goldReviewValidator } from '#app/quality/validators/quality_validators'

const arbiterValidator = vine.compile(vine.object({ arbiterId: vine.number().positive() }))

/** The gold standard (Q 7.3.1): opened by a QC officer, scored blind by two seniors, arbitrated by a third. */
@inject()
export default class GoldController {
  constructor(
    protected gold: GoldStandard,
    protected clock: Clock
  ) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.gold_list',
      allow: mayScore,
      audit: 'refusals',
      run: async ({ user }) => ({
        waiting: await this.gold.waiting(user),
        seniors: await User.query()
          .where('role', 'radiologist')
          .where('title', 'senior')
          .where('status', 'active')
          .orderBy('full_name'),
      }),
      json: (result) => ({ data: result.waiting }),
      page: (result) => ctx.view.render('pages/quality/gold_list', result),
    })
  }

  open(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.gold_open',
      allow: mayOfficer,
      target: examTarget,
      input: goldOpenValidator,
      run: ({ user, target, input }) => this.gold.open(user, target, input),
      audit: { details: (gold) => ({ goldCaseId: gold?.id, item: gold?.item }) },
      json: (gold) => ({ data: gold }),
      page: (gold) => done(ctx, 'quality.flash.gold_opened', {}, `/quality/gold/${gold!.id}`),
    })
  }

  /** A reviewer's blind form: no author, no clinic, no other score. */
  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.gold_view',
      allow: mayScore,
      audit: 'refusals',
      run: async ({ user }) => {
        const view = await this.gold.view(user, numericParam(ctx) ?? 0)
        const exam = await Exam.findOrFail(view.gold.examId)
        const checklist = (await currentChecklists(this.clock.now())).get(view.gold.item)!
        // The report's text without its header: no author, signer or clinic reaches a blind reviewer.
        const signed = await db
          .from('report_versions')
          .where('exam_id', exam.id)
          .where('status', 'signed')
          .orderBy('version_no', 'desc')
          .select('technique', 'findings', 'impression')
          .first()
        return {
          ...view,
          exam: { id: exam.id, accessionNumber: exam.accessionNumber, modality: exam.modality },
          checklist,
          report: signed ?? null,
        }
      },
      json: (view) => ({
        data: {
          gold: view.gold,
          role: view.role,
          mine: view.mine,
          scores: view.scores,
          exam: view.exam,
          checklist: view.checklist,
          report: view.report,
        },
      }),
      page: async (view) =>
        ctx.view.render('pages/quality/gold', {
          ...view,
          seniors:
            view.role === 'officer'
              ? await User.query()
                  .where('role', 'radiologist')
                  .where('title', 'senior')
                  .where('status', 'active')
                  .orderBy('full_name')
              : [],
        }),
    })
  }

  review(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.gold_review',
      allow: mayScore,
      input: goldReviewValidator,
      run: ({ user, input }) =>
        this.gold.review(user, numericParam(ctx) ?? 0, {
          checklistId: input.checklistId,
          findings: input.findings ?? [],
          criteria: input.criteria ?? [],
          note: input.note ?? null,
        }),
      audit: {
        target: (result) => ({ type: 'qc_gold_case', id: result.gold?.id ?? null }),
        details: (result) => ({
          score: result.saved.score,
          status: result.gold?.status,
          finalScore: result.gold?.finalScore,
        }),
      },
      json: (result) => ({
        data: {
          status: result.gold?.status,
          finalScore: result.gold?.finalScore,
          score: result.saved.score,
        },
      }),
      page: (result) =>
        done(ctx, 'quality.flash.gold_scored', {}, `/quality/gold/${result.gold!.id}`),
    })
  }

  assignArbiter(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.gold_arbiter',
      allow: mayOfficer,
      input: arbiterValidator,
      run: ({ input }) => this.gold.assignArbiter(numericParam(ctx) ?? 0, input.arbiterId),
      audit: { target: (gold) => ({ type: 'qc_gold_case', id: gold?.id ?? null }) },
      json: (gold) => ({ data: gold }),
      page: (gold) => done(ctx, 'quality.flash.arbiter_assigned', {}, `/quality/gold/${gold!.id}`),
    })
  }
}
