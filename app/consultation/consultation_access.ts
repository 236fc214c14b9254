import Consultation from '#app/consultation/models/consultation'
import ExamShare from '#app/consultation/models/exam_share'
import UpperEscalation from '#app/consultation/models/upper_escalation'
import { can } from '#app/platform/http/can'
import { recordById, type RecordLoader } from '#app/platform/http/use_case'

/*
| Consultation's pipeline steps. Another clinic's consultation is answered
| exactly like a missing one (404) and the attempt is audited with its id.
*/
export const mayListConsultations = can('ConsultationPolicy', 'list')
export const mayRequestConsultation = can('ConsultationPolicy', 'request')
export const mayConsult = can('ConsultationPolicy', 'consult')

export const consultationTarget: RecordLoader<Consultation> = {
  ...recordById('consultation', (id) =>
    Consultation.query().where('id', id).preload('exam').first()
  ),
  visible: (ctx, consultation) =>
    (ctx as any).bouncer.with('ConsultationPolicy').allows('view', consultation),
}

export const mayListShares = can('ConsultationPolicy', 'sharedList')
export const mayManageSharing = can('ConsultationPolicy', 'manageSharing')

/** A share names its exam for a centre user; another centre's share (or any exam not shared) answers 404. */
export const shareTarget: RecordLoader<ExamShare> = {
  ...recordById('exam_share', (id) => ExamShare.query().where('id', id).preload('exam').first()),
  visible: (ctx, share) =>
    (ctx as any).bouncer.with('ConsultationPolicy').allows('viewShare', share),
}

/** C 4.2.3: an escalation is the upper hospital's it was sent to; any other (or a consultation never escalated) answers 404. */
export const mayListUpper = can('ConsultationPolicy', 'upperList')
export const mayAnswerUpper = can('ConsultationPolicy', 'answerUpper')
export const upperEscalationTarget: RecordLoader<UpperEscalation> = {
  ...recordById('upper_escalation', (id) => UpperEscalation.find(id)),
  visible: (ctx, escalation) =>
    (ctx as any).bouncer.with('ConsultationPolicy').allows('viewUpper', escalation),
}
