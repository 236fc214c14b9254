import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import Institution from '#models/institution'
import { recordById, useCase, done } from '#app/platform/http/use_case'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { QcSessions } from '#app/quality/services/qc_sessions'
import { mayOfficer } from '#app/quality/quality_access'
import {
  openSessionValidator,
  sessionFilterValidator,
} from '#app/quality/validators/quality_validators'
import { QC_ITEMS } from '#app/quality/services/scoring'

/** Centralised QC sessions (Q 7.2.1): filter, open, work through, close. */
@inject()
export default class QcSessionsController {
  constructor(protected sessions: QcSessions) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.sessions',
      allow: mayOfficer,
      input: sessionFilterValidator,
      run: async ({ input }) => ({
        sessions: await this.sessions.list(),
        candidates: Object.keys(input).length ? await this.sessions.candidates(input) : [],
      }),
      json: (result) => ({ data: result.sessions, candidates: result.candidates }),
      page: async (result, { input }) =>
        ctx.view.render('pages/quality/sessions', {
          ...result,
          filters: input,
          items: QC_ITEMS,
          institutions: await Institution.query().whereNot('kind', 'lead_hospital').orderBy('code'),
        }),
    })
  }

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.session_open',
      allow: mayOfficer,
      input: openSessionValidator,
      run: async ({ user, input }) => {
        const { title, purpose, examIds, ...filters } = input
        const ids = examIds?.length
          ? examIds
          : (await this.sessions.candidates(filters)).map((e) => e.id)
        return this.sessions.open({
          title,
          purpose: purpose ?? null,
          examIds: ids,
          openedBy: user.id,
        })
      },
      audit: {
        target: (session) => ({ type: 'qc_session', id: session.id }),
        details: (session) => ({ exams: session.examIds.length }),
      },
      json: (session) => ({ data: { ...session, openedAt: session.openedAt.toISO() } }),
      page: (session) =>
        done(
          ctx,
          'quality.flash.session_opened',
          { count: session.examIds.length },
          `/quality/sessions/${session.id}`
        ),
    })
  }

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.session',
      allow: mayOfficer,
      target: recordById('qc_session', (id) => this.sessions.find(id)),
      run: ({ target }) => target,
      audit: 'refusals',
      json: (session) => ({ data: session }),
      page: (session) => ctx.view.render('pages/quality/session', { session }),
    })
  }

  close(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.session_close',
      allow: mayOfficer,
      target: recordById('qc_session', (id) => this.sessions.find(id)),
      run: async ({ user, target }) => {
        const closed = await this.sessions.close(target.id, user.id)
        if (!closed) throw DomainRefusal.notFound('qc_session')
        return closed
      },
      json: (session) => ({ data: session }),
      page: (session) =>
        done(ctx, 'quality.flash.session_closed', {}, `/quality/sessions/${session.id}`),
    })
  }
}
