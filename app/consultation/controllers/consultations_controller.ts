import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { randomUUID } from 'node:crypto'
import { examTarget } from '#app/access/exam_access'
import { useCase, done } from '#app/platform/http/use_case'
import { normaliseQuery, withoutPage } from '#app/platform/http/request_input'
import {
  consultationTarget,
  mayConsult,
  mayListConsultations,
  mayRequestConsultation,
} from '#app/consultation/consultation_access'
import {
  cancelValidator,
  escalateUpperValidator,
  amendValidator,
  listValidator,
  messageValidator,
  opinionValidator,
  requestValidator,
} from '#app/consultation/validators/consultation_validators'
import { Consultations } from '#app/consultation/services/consultations'
import { ConsultationList } from '#app/consultation/services/consultation_list'
import { UpperEscalations } from '#app/consultation/services/upper_escalations'
import { ConsultationAttachments } from '#app/consultation/services/consultation_attachments'
import ConsultationAttachment from '#app/consultation/models/consultation_attachment'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { numericParam } from '#app/platform/http/use_case'
import { readFile } from 'node:fs/promises'
import { URGENCIES } from '#app/consultation/models/consultation'
import type Consultation from '#app/consultation/models/consultation'
import { minutesFor } from '#app/consultation/consultation_rules'

function asJson(consultation: Consultation) {
  return {
    id: consultation.id,
    examId: consultation.examId,
    accessionNumber: consultation.exam?.accessionNumber,
    urgency: consultation.urgency,
    status: consultation.status,
    question: consultation.question,
    clinicalSummary: consultation.clinicalSummary,
    consultantId: consultation.consultantId,
    requestedAt: consultation.requestedAt.toISO(),
    dueAt: consultation.dueAt.toISO(),
    escalationLevel: consultation.escalationLevel,
    answeredAt: consultation.answeredAt?.toISO() ?? null,
  }
}

/** Remote consultation: the list, the request form, one consultation, the opinion, the thread. */
@inject()
export default class ConsultationsController {
  constructor(
    protected consultations: Consultations,
    protected listing: ConsultationList,
    protected upper: UpperEscalations,
    protected attachments: ConsultationAttachments
  ) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'consultation.list',
      allow: mayListConsultations,
      input: listValidator,
      run: ({ user, input }) => this.listing.list(user, input),
      json: (page) => ({ data: page.all().map(asJson), meta: page.getMeta() }),
      page: (page, { input }) => {
        page.baseUrl('/consultations').queryString(withoutPage(normaliseQuery(ctx.request.qs())))
        return ctx.view.render('pages/consultation/index', { consultations: page, filters: input })
      },
    })
  }

  create(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'consultation.form',
      allow: mayRequestConsultation,
      target: examTarget,
      audit: false,
      run: async ({ target }) => {
        await target.load('patient')
        await target.load('items')
        return target
      },
      page: (exam) =>
        ctx.view.render('pages/consultation/new', {
          exam,
          urgencies: URGENCIES,
          requestKey: randomUUID(),
          fastTrackMinutes: minutesFor('fast_track'),
        }),
    })
  }

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'consultation.request',
      allow: mayRequestConsultation,
      target: examTarget,
      input: requestValidator,
      run: ({ user, target, input }) => this.consultations.request(user, target, input),
      audit: {
        target: (consultation) => ({ type: 'consultation', id: consultation.id }),
        details: (consultation) => ({
          examId: consultation.examId,
          urgency: consultation.urgency,
          consultantId: consultation.consultantId,
        }),
      },
      json: async (consultation) => {
        await consultation.load('exam')
        return ctx.response.status(201).json(asJson(consultation))
      },
      page: (consultation) =>
        done(ctx, 'consultation.request.sent', {}, `/consultations/${consultation.id}`),
    })
  }

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'consultation.view',
      target: consultationTarget,
      run: ({ user, target }) => this.listing.detail(user, target),
      json: ({ consultation, opinions, messages, escalation, attachments }) => ({
        ...asJson(consultation),
        upperEscalation: escalation
          ? {
              id: escalation.id,
              status: escalation.status,
              institution: escalation.upperInstitution.name,
              escalatedAt: escalation.escalatedAt.toISO(),
              deliveredAt: escalation.deliveredAt?.toISO() ?? null,
              opinion: escalation.opinion,
              recommendation: escalation.recommendation,
              answeredAt: escalation.answeredAt?.toISO() ?? null,
            }
          : null,
        attachments: attachments.map((a) => ({
          id: a.id,
          fileName: a.fileName,
          contentType: a.contentType,
          sizeBytes: a.sizeBytes,
          url: `/consultations/${consultation.id}/attachments/${a.id}`,
        })),
        opinions: opinions.map((o) => ({
          versionNo: o.versionNo,
          opinion: o.opinion,
          recommendation: o.recommendation,
          author: o.author.fullName,
          institution: o.institution.name,
          signedAt: o.signedAt.toISO(),
          amendmentReason: o.amendmentReason,
        })),
        messages: messages.map((m) => ({
          id: m.id,
          kind: m.kind,
          body: m.body,
          author: m.author?.fullName ?? null,
          at: m.createdAt.toISO(),
        })),
      }),
      page: (detail) => ctx.view.render('pages/consultation/show', detail),
    })
  }

  answer(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'consultation.answer',
      target: consultationTarget,
      allowOn: (c) => mayConsult(c),
      input: opinionValidator,
      run: ({ user, target, input }) => this.consultations.answer(user, target, input),
      audit: { details: ({ opinion }) => ({ versionNo: opinion.versionNo }) },
      json: ({ consultation, opinion }) =>
        ctx.response
          .status(201)
          .json({ id: consultation.id, status: consultation.status, versionNo: opinion.versionNo }),
      page: ({ consultation }) =>
        done(ctx, 'consultation.answer.signed', {}, `/consultations/${consultation.id}`),
    })
  }

  amend(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'consultation.amend',
      target: consultationTarget,
      allowOn: (c) => mayConsult(c),
      input: amendValidator,
      run: ({ user, target, input }) => this.consultations.amend(user, target, input),
      audit: { details: ({ opinion }) => ({ versionNo: opinion.versionNo }) },
      json: ({ consultation, opinion }) =>
        ctx.response
          .status(201)
          .json({ id: consultation.id, status: consultation.status, versionNo: opinion.versionNo }),
      page: ({ consultation }) =>
        done(ctx, 'consultation.answer.amended', {}, `/consultations/${consultation.id}`),
    })
  }

  takeOver(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'consultation.take_over',
      target: consultationTarget,
      allowOn: (c) => mayConsult(c),
      run: ({ user, target }) => this.consultations.takeOver(user, target),
      json: (consultation) => asJson(consultation),
      page: (consultation) =>
        done(ctx, 'consultation.take_over.done', {}, `/consultations/${consultation.id}`),
    })
  }

  message(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'consultation.message',
      target: consultationTarget,
      input: messageValidator,
      run: ({ user, target, input }) => this.consultations.postMessage(user, target, input.body),
      audit: { details: (message) => ({ messageId: message.id }) },
      json: (message) =>
        ctx.response
          .status(201)
          .json({ id: message.id, body: message.body, at: message.createdAt.toISO() }),
      page: (_, { target }) =>
        done(ctx, 'consultation.thread.sent', {}, `/consultations/${target.id}#thread`),
    })
  }

  /** C 4.2.3: the assigned consultant sends the consultation on to the upper-level hospital. */
  escalateUpper(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'consultation.escalate_upper',
      target: consultationTarget,
      allowOn: (c) => mayConsult(c),
      input: escalateUpperValidator,
      run: ({ user, target, input }) => this.upper.escalate(user, target, input),
      audit: {
        details: (escalation) => ({
          escalationId: escalation.id,
          upperInstitutionId: escalation.upperInstitutionId,
          storageNodeId: escalation.storageNodeId,
        }),
      },
      json: (escalation) =>
        ctx.response.status(202).json({
          id: escalation.id,
          consultationId: escalation.consultationId,
          status: escalation.status,
        }),
      page: (_, { target }) =>
        done(ctx, 'consultation.upper.escalated', {}, `/consultations/${target.id}`),
    })
  }

  /** The requester withdraws a consultation nobody has answered yet, saying why. */
  cancel(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'consultation.cancel',
      target: consultationTarget,
      input: cancelValidator,
      run: ({ user, target, input }) => this.consultations.cancel(user, target, input.reason),
      audit: { details: (_, { input }) => ({ reason: input.reason }) },
      json: (consultation) => asJson(consultation),
      page: (consultation) =>
        done(ctx, 'consultation.cancel.done', {}, `/consultations/${consultation.id}`),
    })
  }

  /** C 8.3.1: a photo of an outside film or a PDF (multipart field `file`), kept in Orthanc as DICOM. */
  attach(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'consultation.attach',
      target: consultationTarget,
      input: async () => {
        const file = ctx.request.file('file')
        if (!file || !file.tmpPath)
          throw new DomainRefusal('attachment_missing', 'consultation.errors.attachment_missing')
        if (!file.isValid)
          throw new DomainRefusal(
            'attachment_too_large',
            'consultation.errors.attachment_too_large',
            {
              mb: 10,
            }
          )
        return { fileName: file.clientName, bytes: await readFile(file.tmpPath) }
      },
      run: ({ user, target, input }) => this.attachments.add(user, target, input),
      audit: {
        details: (attachment) => ({
          attachmentId: attachment.id,
          contentType: attachment.contentType,
          sizeBytes: attachment.sizeBytes,
        }),
      },
      json: (attachment) =>
        ctx.response.status(201).json({
          id: attachment.id,
          fileName: attachment.fileName,
          contentType: attachment.contentType,
          sizeBytes: attachment.sizeBytes,
          url: `/consultations/${attachment.consultationId}/attachments/${attachment.id}`,
        }),
      page: (attachment) =>
        done(
          ctx,
          'consultation.attachments.added',
          {},
          `/consultations/${attachment.consultationId}#attachments`
        ),
    })
  }

  attachment(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'consultation.attachment_view',
      target: consultationTarget,
      run: async ({ target }) => {
        const id = numericParam(ctx, 'attachmentId')
        const attachment = id
          ? await ConsultationAttachment.query()
              .where('id', id)
              .where('consultation_id', target.id)
              .first()
          : null
        if (!attachment) throw DomainRefusal.notFound('consultation_attachment')
        return this.attachments.content(attachment)
      },
      page: ({ contentType, body }) => {
        ctx.response.header('Content-Type', contentType)
        ctx.response.header('Cache-Control', 'private, no-store')
        ctx.response.header('X-Content-Type-Options', 'nosniff')
        return Buffer.isBuffer(body) ? ctx.response.send(body) : ctx.response.stream(body)
      },
      json: ({ contentType, body }) => {
        ctx.response.header('Content-Type', contentType)
        return Buffer.isBuffer(body) ? ctx.response.send(body) : ctx.response.stream(body)
      },
    })
  }
}
