import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'
import { isSystemAdministrator } from '#app/access/roles'
import { readsForAlliance } from '#app/access/visibility'

/*
| Who does what in quality control. Which items a role may score is data
| (graded QC, Q 7.2.2, qc_role_items), asked by the scoring service; these are
| the doors: the QC form (lead-hospital readers and QC officers), the QC
| officer's work (sessions, gold standard, reports, the quarterly sheet) and the
| QC administrator's (checklists, sampling rules, graded permissions).
*/
export default class QualityPolicy extends BasePolicy {
  /** Opens QC forms and scores (what items, the role's grading says). */
  score(user: User) {
    return readsForAlliance(user)
  }

  /** The QC officer's work: sessions, gold-standard cases, follow-up, the B appendix B sheet. */
  officer(user: User) {
    return user.role === 'qc_officer' && readsForAlliance(user)
  }

  /** QC reports: the QC group and the lead hospital's doctors (C 4.2.4: results published in the alliance). */
  reports(user: User) {
    return readsForAlliance(user)
  }

  /** Checklists, sampling rules and graded permissions: the QC administrator (the QC officers) and the system administrator. */
  administer(user: User) {
    return user.role === 'qc_officer' || isSystemAdministrator(user)
  }

  /** Follow-up outcomes: the readers and QC officers. */
  followUp(user: User) {
    return readsForAlliance(user)
  }
}

export const qualityPolicy = new QualityPolicy()
