import { isSystemAdministrator } from '#app/access/roles'
import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'

/**
 * Storage nodes, retention, legal holds and the storage dashboard are the
 * administrator's (C 8.5 least privilege: nobody else needs node credentials
 * or the power to delete a clinic's originals).
 */
export default class StoragePolicy extends BasePolicy {
  manage(user: User) {
    return isSystemAdministrator(user)
  }
}
