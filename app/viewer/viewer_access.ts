import type { HttpContext } from '@adonisjs/core/http'
import type User from '#models/user'
import { adminClinicalAccess } from '#app/access/clinical_access'
import { isAdministrator } from '#app/access/roles'
import type { RecordLoader } from '#app/platform/http/use_case'
import { mayOpen, openStudy, type OpenStudy } from '#app/viewer/services/study_access'

/*
| Who opens the viewer: whoever may see exams (clinic staff for their clinic,
| the lead hospital's radiologists and QC officers for every clinic, upper-level
| and specialty users for what is shared with them). Administrators manage the
| system and do not open images unless clinical access is switched on (C 8.5).
| The viewer is read-only for everyone: the proxy answers GET only.
*/
export function mayView(ctx: HttpContext) {
  const user = ctx.auth.user as User
  return !isAdministrator(user) || adminClinicalAccess()
}

/** The study a DICOMweb request names: missing, unlinked or another clinic's answers the same 404. */
export function studyNamed(studyInstanceUid: string): RecordLoader<OpenStudy> {
  return {
    type: 'exam',
    requested: () => studyInstanceUid,
    find: () => openStudy(studyInstanceUid),
    visible: (ctx, study) => mayOpen(ctx.auth.user as User, study),
    idOf: (study) => study.exam.id,
  }
}
