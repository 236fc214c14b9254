import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'
import type Consultation from '#app/consultation/models/consultation'
import { adminClinicalAccess } from '#app/access/clinical_access'
import { isAdministrator, isSystemAdministrator } from '#app/access/roles'
import { canSeeExam, readsForAlliance } from '#app/access/visibility'
import { canConsult, canRequest } from '#app/consultation/consultation_rules'

/** Who may see and act on consultations; a denied `view` is answered 404 by the pipeline. */
export default class ConsultationPolicy extends BasePolicy {
  /** The consultations page: clinics see their own, lead-hospital readers the alliance's. Upper hospital and centres see none here. */
  list(user: User) {
    if (isAdministrator(user)) return adminClinicalAccess()
    return readsForAlliance(user) || canRequest(user)
  }

  request(user: User) {
    return canRequest(user)
  }

  /** Whoever may see the exam sees its consultations: its clinic and the lead hospital's readers. */
  view(user: User, consultation: Consultation) {
    return canSeeExam(user, consultation.exam)
  }

  consult(user: User) {
    return canConsult(user)
  }

  /** C 9.4: a specialty centre's users see the exams shared with their centre, and nothing else of the clinics. */
  sharedList(user: User) {
    return user.institution?.kind === 'specialty_centre'
  }

  viewShare(user: User, share: { centreId: number }) {
    return user.institution?.kind === 'specialty_centre' && share.centreId === user.institutionId
  }

  /** The centre's dashboard (figures, no patient): lead-hospital readers and administrators. */
  dashboard(user: User) {
    return readsForAlliance(user) || isAdministrator(user)
  }

  /** C 4.2.3: the upper-level hospital's queue holds what was escalated to it, and nothing else of the alliance. */
  upperList(user: User) {
    return user.institution?.kind === 'upper_hospital'
  }

  viewUpper(user: User, escalation: { upperInstitutionId: number }) {
    return (
      user.institution?.kind === 'upper_hospital' &&
      escalation.upperInstitutionId === user.institutionId
    )
  }

  /** Its radiologists answer (one signed opinion per escalation). */
  answerUpper(user: User) {
    return user.institution?.kind === 'upper_hospital' && user.role === 'radiologist'
  }

  /** The share rules are the system administrator's. */
  manageSharing(user: User) {
    return isSystemAdministrator(user)
  }
}
