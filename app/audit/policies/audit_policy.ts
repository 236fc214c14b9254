import { isAuditAdministrator } from '#app/access/roles'
import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'

/** Who reads and exports the audit log (C 8.3.4). */
export default class AuditPolicy extends BasePolicy {
  read(user: User) {
    return isAuditAdministrator(user)
  }
}
