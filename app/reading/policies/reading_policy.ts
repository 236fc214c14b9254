import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'
import { readsForAlliance } from '#app/intake/exam_visibility'
import { isIntermediateOrAbove } from '#app/access/roles'

/**
 * Who may enter reading at all. The finer rules (a junior signing, signing
 * one's own report, a claim held by someone else) are the sign-off service's,
 * which refuses them with a reason.
 */
export default class ReadingPolicy extends BasePolicy {
  /** The reading queue and editor: lead-hospital radiologists (C 4.2.1). */
  read(user: User) {
    return user.role === 'radiologist' && readsForAlliance(user)
  }

  /** C 8.4.2: the department's templates and phrases, kept by its 中级+ doctors. */
  maintainTemplates(user: User) {
    return this.read(user) && isIntermediateOrAbove(user)
  }

  /** Turnaround limits and the sign-off policy are administration. */
  configure(user: User) {
    return user.role === 'admin'
  }
}
