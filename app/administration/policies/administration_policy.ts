import { isSystemAdministrator } from '#app/access/roles'
import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'

/** Institutions, users, devices, catalogue and audit are administrators' work. */
export default class AdministrationPolicy extends BasePolicy {
  manage(user: User) {
    return isSystemAdministrator(user)
  }
}
