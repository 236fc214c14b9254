import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'
import { readsForAlliance } from '#app/access/visibility'
import { isAdministrator, isIntermediateOrAbove, isSystemAdministrator } from '#app/access/roles'
import { adminClinicalAccess } from '#app/access/clinical_access'
import { editRefusal } from '#app/reading/services/report_rules'

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

  /** Signed reports: the requesting clinics, the readers and QC (administrators only with clinical access). */
  seeReports(user: User) {
    if (isAdministrator(user)) return adminClinicalAccess()
    return user.role === 'clinic_staff' || user.role === 'radiologist' || user.role === 'qc_officer'
  }

  /**
   * Whether the queue offers this reader to review a submitted report: the
   * sign-off rule itself decides (not its author, intermediate or above), so
   * a junior never sees 审核 on his own report.
   */
  review(user: User, report: { status: string; authorId: number } | null) {
    if (!report || report.status !== 'pending_review' || !this.read(user)) return false
    const reader = { id: user.id, role: user.role, title: user.title, isReader: true }
    return !editRefusal(
      reader,
      { status: 'pending_review', authorId: report.authorId, lastModifiedById: report.authorId },
      null
    )
  }

  /** Turnaround limits and the sign-off policy are administration. */
  configure(user: User) {
    return isSystemAdministrator(user)
  }
}
