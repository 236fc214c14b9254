import Consultation from '#app/consultation/models/consultation'
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
  ...recordById('consultation', (id) => Consultation.query().where('id', id).preload('exam').first()),
  visible: (ctx, consultation) => (ctx as any).bouncer.with('ConsultationPolicy').allows('view', consultation),
}
