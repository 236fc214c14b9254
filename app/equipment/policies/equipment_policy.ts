import { isSystemAdministrator } from '#app/access/roles'
import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'

/** The equipment register is kept by administrators (C 6, C 4.2.4). */
export default class EquipmentPolicy extends BasePolicy {
  manage(user: User) {
    return isSystemAdministrator(user)
  }
}
