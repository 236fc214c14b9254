import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'
import { hasRole, isAdministrator } from '#app/access/roles'

/*
| C 9.3: the centre's QC officers run the quarterly assessment of the members
| (training, staff assessments, spot checks, corrective actions, the bulletin);
| administrators see all of it too. A member clinic's staff see their own
| clinic's assessment and the published bulletins.
*/
export default class AssessmentPolicy extends BasePolicy {
  /** The QC officers' and administrators' work: plan, record, close, publish. */
  manage(user: User) {
    return hasRole(user, 'qc_officer') || isAdministrator(user)
  }

  /** Every member's figures and rank. */
  seeAll(user: User) {
    return this.manage(user)
  }

  /** The quarterly assessment: every member (QC, administrators) or one's own clinic (clinic staff). */
  view(user: User) {
    return this.manage(user) || hasRole(user, 'clinic_staff')
  }

  /** Published bulletins: everyone in the alliance who signs in. */
  readBulletins(_user: User) {
    return true
  }
}
