import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import ArchivedStudy from '#models/archived_study'
import ExamStudy from '#models/exam_study'
import StorageNode from '#models/storage_node'
import StorageTransfer from '#models/storage_transfer'
import StudyCopy from '#models/study_copy'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { realtime, rooms } from '#app/realtime/realtime'
import { StudyCatalogue } from '#app/storage/services/study_catalogue'
import { enqueueTransfer } from '#app/storage/services/transfer_queue'
import Consultation from '#app/consultation/models/consultation'
import ConsultationMessage from '#app/consultation/models/consultation_message'
import UpperEscalation from '#app/consultation/models/upper_escalation'
import { Consultations } from '#app/consultation/services/consultations'
import { consultationNews } from '#app/consultation/services/consultation_news'

const sql = (t: { toUTC: () => any }) => t.toUTC().toSQL({ includeOffset: false })!

/*
| C 4.2.3 (疑难病例转上级医院会诊) and C 8.2.3 (跨机构会诊): the assigned
| consultant sends a consultation on to the upper-level hospital. The study
| goes through the storage capability's own transfer queue (purpose
| "escalate") to the upper hospital's Orthanc, registered as a storage node of
| role "upper": the queue retries with back-off while that Orthanc is down and
| ends each attempt with the MD5 manifest verification, so nothing is lost and
| "delivered" means verified there. The upper hospital's radiologists see the
| escalations to their hospital only, answer once with a signed opinion, and
| the answer comes back into the consultation's thread, live. The opinion is
| advice: the requesting side keeps the clinical responsibility.
*/
@inject()
export class UpperEscalations {
  constructor(
    protected clock: Clock,
    protected catalogue: StudyCatalogue,
    protected consultations: Consultations
  ) {}

  async escalate(user: User, consultation: Consultation, input: { note: string }) {
    if (consultation.consultantId !== user.id)
      throw new DomainRefusal('not_assigned', 'consultation.errors.not_assigned_escalate', {}, 403)
    if (consultation.status !== 'open')
      throw new DomainRefusal('not_open', 'consultation.errors.not_open', {}, 409)
    if (await UpperEscalation.findBy('consultation_id', consultation.id))
      throw new DomainRefusal('already_escalated', 'consultation.errors.already_escalated', {}, 409)
    const node = await StorageNode.query()
      .where('role', 'upper')
      .where('active', true)
      .orderBy('id')
      .first()
    if (!node || !node.institutionId)
      throw new DomainRefusal('no_upper_node', 'consultation.errors.no_upper_node', {}, 409)
    const study = await this.archivedStudyOf(consultation)

    const now = this.clock.now()
    const escalation = await db.transaction(async (trx) => {
      const created = await UpperEscalation.create(
        {
          consultationId: consultation.id,
          upperInstitutionId: node.institutionId!,
          storageNodeId: node.id,
          archivedStudyId: study.id,
          escalatedById: user.id,
          note: input.note,
          status: 'pending',
          escalatedAt: now,
        },
        { client: trx }
      )
      await trx
        .from('consultations')
        .where('id', consultation.id)
        .update({ escalated_at: sql(now), updated_at: sql(now) })
      return created
    })
    // The storage queue's row: written before anything is sent, drained by storage.replicate.
    await enqueueTransfer(study, node.id, 'escalate', now)
    await this.lineAndPush(consultation, 'escalated_upper', await this.institutionName(node))
    return escalation
  }

  /** The study of the consultation's exam as the storage catalogue knows it (catalogued now from the centre if new). */
  protected async archivedStudyOf(consultation: Consultation) {
    const linked = await ExamStudy.query().where('exam_id', consultation.examId).orderBy('id')
    for (const link of linked) {
      const known = await ArchivedStudy.findBy('orthanc_study_id', link.orthancStudyId)
      if (known) return known
    }
    const central = await StorageNode.query().where('role', 'central').where('active', true).first()
    if (central) {
      for (const link of linked) {
        await this.catalogue.noteStableStudy(central, link.orthancStudyId)
        const known = await ArchivedStudy.findBy('orthanc_study_id', link.orthancStudyId)
        if (known) return known
      }
    }
    throw new DomainRefusal('no_archived_study', 'consultation.errors.no_archived_study', {}, 409)
  }

  /**
   * Escalations whose copy the queue has verified become delivered: the upper
   * hospital's radiologists are told live, the thread says so. Run by the
   * consultation job every few seconds; the conditional update makes each
   * delivery happen once.
   */
  async noteDeliveries() {
    const pending = await UpperEscalation.query().where('status', 'pending').limit(200)
    let delivered = 0
    for (const escalation of pending) {
      const copy = await StudyCopy.query()
        .where('archived_study_id', escalation.archivedStudyId)
        .where('storage_node_id', escalation.storageNodeId)
        .first()
      if (copy?.state !== 'verified') continue
      const now = this.clock.now()
      const changed = await db
        .from('consultation_upper_escalations')
        .where('id', escalation.id)
        .where('status', 'pending')
        .update({ status: 'delivered', delivered_at: sql(now), updated_at: sql(now) })
      if (Number(changed) !== 1) continue
      delivered++
      escalation.merge({ status: 'delivered', deliveredAt: now })
      const consultation = await Consultation.findOrFail(escalation.consultationId)
      await this.lineAndPush(consultation, 'upper_delivered', '')
      const readers = await User.query()
        .where('institution_id', escalation.upperInstitutionId)
        .where('role', 'radiologist')
        .where('status', 'active')
        .select('id')
      realtime.emit(
        readers.map((r) => rooms.user(r.id)),
        'consultation:upper_escalated',
        {
          id: escalation.id,
          urgency: consultation.urgency,
          url: `/upper-consultations/${escalation.id}`,
        }
      )
    }
    return { delivered }
  }

  /** The transfer behind a pending escalation: attempts and the last error, for the page. */
  async transferOf(escalation: UpperEscalation) {
    return StorageTransfer.query()
      .where('archived_study_id', escalation.archivedStudyId)
      .where('target_node_id', escalation.storageNodeId)
      .orderBy('id', 'desc')
      .first()
  }

  /** The upper hospital answers once, with a signed opinion; it comes back into the consultation's thread. */
  async answer(
    user: User,
    escalation: UpperEscalation,
    input: { opinion: string; recommendation?: string | null }
  ) {
    if (user.role !== 'radiologist' || user.institutionId !== escalation.upperInstitutionId)
      throw new DomainRefusal('forbidden', 'common.errors.forbidden', {}, 403)
    if (escalation.status === 'answered')
      throw new DomainRefusal('already_answered', 'consultation.errors.already_answered', {}, 409)
    if (escalation.status !== 'delivered')
      throw new DomainRefusal('not_delivered', 'consultation.errors.not_delivered', {}, 409)
    const now = this.clock.now()
    const consultation = await Consultation.findOrFail(escalation.consultationId)
    if (consultation.status === 'cancelled')
      throw new DomainRefusal('closed', 'consultation.errors.closed', {}, 409)
    const message = await db.transaction(async (trx) => {
      const changed = await trx
        .from('consultation_upper_escalations')
        .where('id', escalation.id)
        .where('status', 'delivered')
        .update({
          status: 'answered',
          answered_by_id: user.id,
          opinion: input.opinion,
          recommendation: input.recommendation || null,
          answered_at: sql(now),
          updated_at: sql(now),
        })
      if (Number(changed) !== 1)
        throw new DomainRefusal('already_answered', 'consultation.errors.already_answered', {}, 409)
      // Still open on the lead hospital's side: the upper hospital's opinion answers it.
      await trx
        .from('consultations')
        .where('id', consultation.id)
        .where('status', 'open')
        .update({ status: 'answered', answered_at: sql(now), updated_at: sql(now) })
      const body = input.recommendation
        ? `${input.opinion}\n\n${input.recommendation}`
        : input.opinion
      return ConsultationMessage.create(
        {
          consultationId: consultation.id,
          authorId: user.id,
          institutionId: user.institutionId,
          kind: 'upper_opinion',
          body,
          createdAt: now,
        },
        { client: trx }
      )
    })
    await escalation.refresh()
    await consultation.refresh()
    consultationNews.message(consultation, message, user.fullName, [escalation.escalatedById])
    return { escalation, consultation }
  }

  /** The upper hospital's queue: what was escalated to this user's hospital, nothing else. */
  async queueFor(user: User, page = 1) {
    return UpperEscalation.query()
      .where('upper_institution_id', user.institutionId)
      .preload('consultation', (q) => q.preload('exam', (e) => e.preload('items')))
      .orderByRaw("CASE status WHEN 'delivered' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END")
      .orderBy('escalated_at', 'desc')
      .paginate(page, 30)
  }

  protected async institutionName(node: StorageNode) {
    await node.load('institution')
    return node.institution?.name ?? node.name
  }

  protected async lineAndPush(consultation: Consultation, code: string, detail: string) {
    const line = await this.consultations.systemLine(
      consultation,
      detail ? `${code}:${detail}` : code
    )
    consultationNews.message(consultation, line, null)
  }
}
