import { inject } from '@adonisjs/core'
import type User from '#models/user'
import Exam from '#models/exam'
import { Clock } from '#app/platform/clock'
import { readsForAlliance, scopeExams } from '#app/access/visibility'
import Consultation from '#app/consultation/models/consultation'
import ConsultationOpinion from '#app/consultation/models/consultation_opinion'
import ConsultationMessage from '#app/consultation/models/consultation_message'
import ConsultationAttachment from '#app/consultation/models/consultation_attachment'
import { Consultations } from '#app/consultation/services/consultations'
import UpperEscalation from '#app/consultation/models/upper_escalation'
import { UpperEscalations } from '#app/consultation/services/upper_escalations'

/** What the consultation pages show: the queue or the clinic's list, and one consultation with its exam, priors and thread. */
@inject()
export class ConsultationList {
  constructor(
    protected clock: Clock,
    protected consultations: Consultations,
    protected upper: UpperEscalations
  ) {}

  async list(user: User, filters: { status?: string; mine?: boolean; page?: number }) {
    const query = Consultation.query()
      .preload('exam', (q) => q.preload('patient').preload('items'))
      .preload('institution')
      .preload('consultant')
      .preload('requestedBy')
    if (!readsForAlliance(user))
      query.whereIn('exam_id', scopeExams(Exam.query().select('id'), user))
    if (filters.status) query.where('status', filters.status)
    if (filters.mine) query.where('consultant_id', user.id)
    // Open first, the soonest due first; then the most recent.
    query
      .orderByRaw("CASE WHEN status = 'open' THEN 0 ELSE 1 END")
      .orderByRaw("CASE WHEN status = 'open' THEN due_at END ASC")
      .orderBy('requested_at', 'desc')
    return query.paginate(filters.page ?? 1, 30)
  }

  async detail(user: User, consultation: Consultation) {
    await consultation.load('exam', (q) =>
      q.preload('patient').preload('items').preload('institution').preload('studies')
    )
    await consultation.load('institution')
    await consultation.load('requestedBy')
    await consultation.load('consultant')
    const opinions = await ConsultationOpinion.query()
      .where('consultation_id', consultation.id)
      .preload('author')
      .preload('institution')
      .orderBy('version_no', 'desc')
    const messages = await ConsultationMessage.query()
      .where('consultation_id', consultation.id)
      .preload('author')
      .preload('institution')
      .orderBy('id')
    const attachments = await ConsultationAttachment.query()
      .where('consultation_id', consultation.id)
      .orderBy('id')
    const priors = await scopeExams(Exam.query(), user)
      .where('patient_id', consultation.exam.patientId)
      .whereNot('id', consultation.examId)
      .where('registered_at', '<', consultation.exam.registeredAt.toSQL({ includeOffset: false })!)
      .preload('items')
      .orderBy('registered_at', 'desc')
      .limit(10)
    const now = this.clock.now()
    const escalation = await UpperEscalation.query()
      .where('consultation_id', consultation.id)
      .preload('upperInstitution')
      .preload('answeredBy')
      .first()
    const transfer =
      escalation?.status === 'pending' ? await this.upper.transferOf(escalation) : null
    return {
      escalation,
      transfer,
      consultation,
      opinions,
      messages,
      attachments,
      priors,
      overdue: consultation.status === 'open' && consultation.dueAt <= now,
      canAnswer: await this.consultations.mayAnswer(user, consultation),
    }
  }

  /** A consultant's open consultations, pushed again when their socket (re)connects. */
  async openFor(userId: number) {
    return Consultation.query()
      .where('consultant_id', userId)
      .where('status', 'open')
      .orderBy('due_at')
      .limit(50)
  }
}
