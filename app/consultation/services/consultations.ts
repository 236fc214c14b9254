import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type Exam from '#models/exam'
import type User from '#models/user'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import Consultation, { type Urgency } from '#app/consultation/models/consultation'
import ConsultationOpinion from '#app/consultation/models/consultation_opinion'
import ConsultationMessage from '#app/consultation/models/consultation_message'
import { canConsult, canRequest, dueAtFor } from '#app/consultation/consultation_rules'
import { ConsultantRoster } from '#app/consultation/services/consultant_roster'
import { consultationNews } from '#app/consultation/services/consultation_news'

export interface ConsultationRequestInput {
  question: string
  clinicalSummary: string
  urgency: Urgency
  requestKey: string
}

/*
| The consultation itself (C 4.2.3): a clinic or a lead-hospital reader asks,
| the duty desk's consultant answers with a signed opinion (advice: the
| requesting side keeps the clinical responsibility), both sides talk in the
| thread. Each rule refuses before anything is written.
*/
@inject()
export class Consultations {
  constructor(
    protected clock: Clock,
    protected roster: ConsultantRoster
  ) {}

  async request(user: User, exam: Exam, input: ConsultationRequestInput) {
    const replay = await Consultation.findBy('request_key', input.requestKey)
    if (replay) {
      if (replay.requestedById !== user.id)
        throw new DomainRefusal('replayed_key', 'consultation.errors.replayed_key', {}, 409)
      return replay
    }
    if (!user.institution) await user.load('institution')
    if (!canRequest(user)) throw new DomainRefusal('forbidden', 'common.errors.forbidden', {}, 403)
    if (!exam.imagesReceivedAt)
      throw new DomainRefusal('no_images', 'consultation.errors.no_images')
    const open = await Consultation.query()
      .where('exam_id', exam.id)
      .where('status', 'open')
      .first()
    if (open)
      throw new DomainRefusal(
        'already_open',
        'consultation.errors.already_open',
        { id: open.id },
        409
      )

    const now = this.clock.now()
    const consultant = await this.roster.pickConsultant(user.id)
    const consultation = await db.transaction(async (trx) => {
      const created = await Consultation.create(
        {
          examId: exam.id,
          institutionId: user.institutionId,
          requestedById: user.id,
          question: input.question,
          clinicalSummary: input.clinicalSummary,
          urgency: input.urgency,
          status: 'open',
          consultantId: consultant?.id ?? null,
          requestedAt: now,
          dueAt: dueAtFor(input.urgency, now),
          escalationLevel: 0,
          requestKey: input.requestKey,
        },
        { client: trx }
      )
      await this.systemLine(
        created,
        consultant ? `assigned:${consultant.fullName}` : 'unassigned',
        trx
      )
      return created
    })
    if (consultant) consultationNews.assigned(consultation, [consultant.id], 'assigned')
    return consultation
  }

  /** What the person may do on this consultation. */
  async mayAnswer(user: User, consultation: Consultation) {
    return consultation.consultantId === user.id
  }

  /** The duty desk or head of department, once told of an overdue consultation, takes it over. */
  async takeOver(user: User, consultation: Consultation) {
    if (!user.institution) await user.load('institution')
    if (!canConsult(user))
      throw new DomainRefusal('not_consultant', 'consultation.errors.not_consultant', {}, 403)
    if (consultation.status !== 'open')
      throw new DomainRefusal('already_answered', 'consultation.errors.already_answered', {}, 409)
    if (consultation.consultantId === user.id) return consultation
    // Anyone may pick up a request nobody holds; taking one from a colleague waits for its due time.
    if (consultation.consultantId && consultation.escalationLevel === 0)
      throw new DomainRefusal('not_overdue', 'consultation.errors.not_overdue', {}, 409)
    const claimed = await db.transaction(async (trx) => {
      const changed = await trx
        .from('consultations')
        .where('id', consultation.id)
        .where('status', 'open')
        .where((q) =>
          consultation.consultantId
            ? q.where('consultant_id', consultation.consultantId)
            : q.whereNull('consultant_id')
        )
        .update({
          consultant_id: user.id,
          updated_at: this.clock.now().toSQL({ includeOffset: false }),
        })
      if (Number(changed) !== 1) return false
      await this.systemLine(consultation, `taken_over:${user.fullName}`, trx)
      return true
    })
    if (!claimed)
      throw new DomainRefusal('changed_meanwhile', 'consultation.errors.changed_meanwhile', {}, 409)
    await consultation.refresh()
    consultationNews.assigned(consultation, [user.id], 'assigned')
    return consultation
  }

  /** The first signed opinion answers the consultation; answering again is refused (an amendment is its own action). */
  async answer(
    user: User,
    consultation: Consultation,
    input: { opinion: string; recommendation?: string | null }
  ) {
    if (consultation.consultantId !== user.id)
      throw new DomainRefusal('not_assigned', 'consultation.errors.not_assigned', {}, 403)
    if (consultation.status !== 'open')
      throw new DomainRefusal('already_answered', 'consultation.errors.already_answered', {}, 409)
    const now = this.clock.now()
    const opinion = await db.transaction(async (trx) => {
      const changed = await trx
        .from('consultations')
        .where('id', consultation.id)
        .where('status', 'open')
        .where('consultant_id', user.id)
        .update({
          status: 'answered',
          answered_at: now.toSQL({ includeOffset: false }),
          updated_at: now.toSQL({ includeOffset: false }),
        })
      if (Number(changed) !== 1)
        throw new DomainRefusal('already_answered', 'consultation.errors.already_answered', {}, 409)
      const signed = await ConsultationOpinion.create(
        {
          consultationId: consultation.id,
          versionNo: 1,
          authorId: user.id,
          institutionId: user.institutionId,
          opinion: input.opinion,
          recommendation: input.recommendation || null,
          signedAt: now,
        },
        { client: trx }
      )
      await this.systemLine(consultation, 'answered', trx)
      return signed
    })
    await consultation.refresh()
    consultationNews.answered(consultation, {
      versionNo: 1,
      opinion: opinion.opinion,
      recommendation: opinion.recommendation,
      author: user.fullName,
    })
    return { consultation, opinion }
  }

  /** Like a report's amendment: the author signs a new version with a reason; the earlier one stays as it was. */
  async amend(
    user: User,
    consultation: Consultation,
    input: { opinion: string; recommendation?: string | null; reason: string }
  ) {
    const latest = await ConsultationOpinion.query()
      .where('consultation_id', consultation.id)
      .orderBy('version_no', 'desc')
      .first()
    if (!latest || consultation.status !== 'answered')
      throw new DomainRefusal('not_answered', 'consultation.errors.not_answered', {}, 409)
    if (latest.authorId !== user.id)
      throw new DomainRefusal('not_author', 'consultation.errors.not_author', {}, 403)
    const now = this.clock.now()
    const opinion = await db.transaction(async (trx) => {
      const signed = await ConsultationOpinion.create(
        {
          consultationId: consultation.id,
          versionNo: latest.versionNo + 1,
          authorId: user.id,
          institutionId: user.institutionId,
          opinion: input.opinion,
          recommendation: input.recommendation || null,
          amendmentReason: input.reason,
          signedAt: now,
        },
        { client: trx }
      )
      await this.systemLine(consultation, `amended:${signed.versionNo}`, trx)
      return signed
    })
    consultationNews.answered(consultation, {
      versionNo: opinion.versionNo,
      opinion: opinion.opinion,
      recommendation: opinion.recommendation,
      author: user.fullName,
    })
    return { consultation, opinion }
  }

  /** The thread: the requester and the consultant ask each other; everyone in it sees it live. */
  async postMessage(user: User, consultation: Consultation, body: string) {
    if (consultation.status === 'cancelled')
      throw new DomainRefusal('closed', 'consultation.errors.closed', {}, 409)
    const message = await ConsultationMessage.create({
      consultationId: consultation.id,
      authorId: user.id,
      institutionId: user.institutionId,
      kind: 'message',
      body,
      createdAt: this.clock.now(),
    })
    consultationNews.message(consultation, message, user.fullName)
    return message
  }

  /**
   * The requester withdraws the request while nobody has answered it, with a
   * reason (kept on the row, in the thread and in the audit line). Once
   * answered it stays: the opinion is part of the record.
   */
  async cancel(user: User, consultation: Consultation, reason: string) {
    if (consultation.requestedById !== user.id)
      throw new DomainRefusal('not_requester', 'consultation.errors.not_requester', {}, 403)
    if (consultation.status === 'answered')
      throw new DomainRefusal('already_answered', 'consultation.errors.already_answered', {}, 409)
    if (consultation.status !== 'open')
      throw new DomainRefusal('closed', 'consultation.errors.closed', {}, 409)
    const now = this.clock.now()
    const at = now.toSQL({ includeOffset: false })
    const line = await db.transaction(async (trx) => {
      const changed = await trx
        .from('consultations')
        .where('id', consultation.id)
        .where('status', 'open')
        .update({
          status: 'cancelled',
          cancelled_at: at,
          cancelled_by_id: user.id,
          cancel_reason: reason,
          updated_at: at,
        })
      if (Number(changed) !== 1)
        throw new DomainRefusal(
          'changed_meanwhile',
          'consultation.errors.changed_meanwhile',
          {},
          409
        )
      return this.systemLine(consultation, `cancelled:${reason}`, trx)
    })
    await consultation.refresh()
    consultationNews.message(consultation, line, null)
    return consultation
  }

  /** A line the system writes into the thread (who it went to, escalations, the answer); `body` is a code the page translates. */
  async systemLine(
    consultation: Pick<Consultation, 'id'>,
    body: string,
    trx?: TransactionClientContract
  ) {
    return ConsultationMessage.create(
      {
        consultationId: consultation.id,
        authorId: null,
        institutionId: null,
        kind: 'system',
        body,
        createdAt: this.clock.now(),
      },
      trx ? { client: trx } : undefined
    )
  }
}
