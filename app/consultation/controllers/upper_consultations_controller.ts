import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { useCase, done } from '#app/platform/http/use_case'
import {
  mayAnswerUpper,
  mayListUpper,
  upperEscalationTarget,
} from '#app/consultation/consultation_access'
import {
  opinionValidator,
  pageValidator,
} from '#app/consultation/validators/consultation_validators'
import type UpperEscalation from '#app/consultation/models/upper_escalation'
import { UpperEscalations } from '#app/consultation/services/upper_escalations'

function asJson(escalation: UpperEscalation) {
  const consultation = escalation.consultation
  return {
    id: escalation.id,
    consultationId: escalation.consultationId,
    status: escalation.status,
    urgency: consultation?.urgency,
    question: consultation?.question,
    clinicalSummary: consultation?.clinicalSummary,
    note: escalation.note,
    modality: consultation?.exam?.modality,
    escalatedAt: escalation.escalatedAt.toISO(),
    deliveredAt: escalation.deliveredAt?.toISO() ?? null,
    answeredAt: escalation.answeredAt?.toISO() ?? null,
    opinion: escalation.opinion,
    recommendation: escalation.recommendation,
  }
}

/**
 * C 4.2.3: the upper-level hospital's consultation queue. Its users see the
 * escalations sent to their hospital (the question, the clinical summary, the
 * lead hospital's note; the study is in their own Orthanc) and answer once.
 */
@inject()
export default class UpperConsultationsController {
  constructor(protected escalations: UpperEscalations) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'consultation.upper_list',
      allow: mayListUpper,
      input: pageValidator,
      run: ({ user, input }) => this.escalations.queueFor(user, input.page ?? 1),
      json: (page) => ({ data: page.all().map(asJson), meta: page.getMeta() }),
      page: (page) => {
        page.baseUrl('/upper-consultations')
        return ctx.view.render('pages/consultation/upper_index', { escalations: page })
      },
    })
  }

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'consultation.upper_view',
      target: upperEscalationTarget,
      run: async ({ target }) => {
        await target.load('consultation', (q) =>
          q.preload('exam', (e) => e.preload('items').preload('studies')).preload('institution')
        )
        await target.load('escalatedBy')
        if (target.answeredById) await target.load('answeredBy')
        return target
      },
      json: (escalation) => ({
        ...asJson(escalation),
        studyInstanceUids: escalation.consultation.exam.studies.map((s) => s.studyInstanceUid),
      }),
      page: (escalation) =>
        ctx.view.render('pages/consultation/upper_show', {
          escalation,
          consultation: escalation.consultation,
          canAnswer: escalation.status === 'delivered' && ctx.auth.user!.role === 'radiologist',
        }),
    })
  }

  answer(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'consultation.upper_answer',
      target: upperEscalationTarget,
      allowOn: (c) => mayAnswerUpper(c),
      input: opinionValidator,
      run: ({ user, target, input }) => this.escalations.answer(user, target, input),
      audit: { details: ({ consultation }) => ({ consultationId: consultation.id }) },
      json: ({ escalation }) =>
        ctx.response.status(201).json({ id: escalation.id, status: escalation.status }),
      page: ({ escalation }) =>
        done(ctx, 'consultation.upper.answered', {}, `/upper-consultations/${escalation.id}`),
    })
  }
}
