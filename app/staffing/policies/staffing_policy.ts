import { isSystemAdministrator } from '#app/access/roles'
import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'

/** Staffing plans, the roster and the ratios are administrators' work (C 7; DOMAIN: administrators plan staffing). */
export default class StaffingPolicy extends BasePolicy {
  manage(user: User) {
    return isSystemAdministrator(user)
  }
}
