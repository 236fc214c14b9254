import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { examTarget } from '#app/access/exam_access'
import { useCase, done } from '#app/platform/http/use_case'
import { QcForms } from '#app/quality/services/qc_forms'
import { QcScoring } from '#app/quality/services/qc_scoring'
import { FollowUps } from '#app/quality/services/follow_ups'
import { mayFollowUp, mayScore } from '#app/quality/quality_access'
import { followUpValidator, scoreValidator } from '#app/quality/validators/quality_validators'

/** Where the form goes back to: a path inside the app only. */
function backTo(ctx: HttpContext, fallback: string) {
  const to = String(ctx.request.input('returnTo') ?? '')
  return /^\/[a-z0-9/_-]*$/i.test(to) && !to.startsWith('//') ? to : fallback
}

/** The QC form of one exam (all modes) and its scores, for pages and /api/v1. */
@inject()
export default class QcFormsController {
  constructor(
    protected forms: QcForms,
    protected scoring: QcScoring,
    protected followUps: FollowUps
  ) {}

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.form',
      allow: mayScore,
      target: examTarget,
      run: ({ user, target }) => this.forms.forExam(user, target),
      json: (form) => ({
        data: {
          examId: form.exam.id,
          accessionNumber: form.exam.accessionNumber,
          mark: form.mark,
          missing: form.missing,
          items: form.items.map((i) => ({
            item: i.item,
            checklist: i.checklist,
            scored: i.scored,
            own: i.own,
          })),
          scores: form.scores,
          findings: form.findings,
          followups: form.followups,
        },
      }),
      page: (form) =>
        ctx.view.render('pages/quality/form', {
          ...form,
          returnTo: backTo(ctx, `/quality/exams/${form.exam.id}`),
          sessionId: ctx.request.input('session') ?? null,
        }),
    })
  }

  score(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.score',
      allow: mayScore,
      target: examTarget,
      input: scoreValidator,
      run: ({ user, target, input }) =>
        this.scoring.score(user, target, {
          item: input.item,
          checklistId: input.checklistId,
          findings: input.findings ?? [],
          criteria: input.criteria ?? [],
          note: input.note ?? null,
          mode: input.mode ?? 'active',
          sessionId: input.sessionId ?? null,
        }),
      audit: {
        details: (saved) => ({
          item: saved.item,
          score: saved.score,
          band: saved.band,
          checklistVersion: saved.checklistVersion,
          scoreId: saved.id,
        }),
      },
      json: (saved) => ({
        data: {
          id: saved.id,
          item: saved.item,
          score: saved.score,
          band: saved.band,
          passed: saved.passed,
          checklistId: saved.checklistId,
          checklistVersion: saved.checklistVersion,
        },
      }),
      page: (saved, { target }) =>
        done(
          ctx,
          'quality.flash.scored',
          { item: ctx.i18n.t(`quality.items.${saved.item}`), score: saved.score },
          backTo(ctx, `/quality/exams/${target.id}`)
        ),
    })
  }

  followUp(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.follow_up',
      allow: mayFollowUp,
      target: examTarget,
      input: followUpValidator,
      run: ({ user, target, input }) => this.followUps.record(user, target, input),
      audit: { details: (_, { input }) => ({ source: input.source, agreed: input.agreed }) },
      json: (saved) => ({ data: saved }),
      page: (_, { target }) =>
        done(ctx, 'quality.flash.follow_up', {}, backTo(ctx, `/quality/exams/${target.id}`)),
    })
  }
}
