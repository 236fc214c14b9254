import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'
import { isSecurityAdministrator } from '#app/access/roles'

/** The second person of every two-person change is the security administrator (MLPS 8.1.4.2). */
export default class ApprovalPolicy extends BasePolicy {
  decide(user: User) {
    return isSecurityAdministrator(user)
  }
}
