import { isAdministrator, isSystemAdministrator } from '#app/access/roles'
import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'
import type CriticalValue from '#models/critical_value'
import { adminClinicalAccess } from '#app/access/clinical_access'
import { readsForAlliance } from '#app/access/visibility'
import { canRaise, mayAcknowledge } from '#app/critical_values/critical_value_rules'

/** Who may see and act on critical values; a denied `view` is answered 404 by the controllers. */
export default class CriticalValuePolicy extends BasePolicy {
  /** The requesting clinic sees its own; lead-hospital readers see every clinic's. */
  view(user: User, value: CriticalValue) {
    if (isAdministrator(user)) return adminClinicalAccess()
    if (readsForAlliance(user)) return true
    return value.institutionId === user.institutionId
  }

  /** The registry page (its rows are scoped per user). */
  registry(user: User) {
    return !isAdministrator(user) || adminClinicalAccess()
  }

  /** B: the report writer (a lead-hospital radiologist) raises; so does the second doctor confirm. */
  raise(user: User) {
    return canRaise(user)
  }

  confirm(user: User, value: CriticalValue) {
    return canRaise(user) && value.raisedById !== user.id
  }

  acknowledge(user: User, value: CriticalValue) {
    return mayAcknowledge(user, value)
  }

  /** Clinic staff take the clinic's critical-value duty themselves (the service refuses anyone else). */
  takeDuty(user: User) {
    return user.role === 'clinic_staff'
  }

  /** The raiser, a colleague or the duty desk telephones the clinic. */
  recordCall(user: User) {
    return readsForAlliance(user)
  }

  /** The finding list, the contacts and the policy switches are administrators' work. */
  manage(user: User) {
    return isSystemAdministrator(user)
  }
}
