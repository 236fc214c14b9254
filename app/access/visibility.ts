import { isAdministrator } from '#app/access/roles'
import type { ModelQueryBuilderContract } from '@adonisjs/lucid/types/model'
import type Exam from '#models/exam'
import type User from '#models/user'
import { adminClinicalAccess } from '#app/access/clinical_access'

/*
| Who may see which exams (and their images and reports). Every query for
| exams goes through scopeExams; every single-record access through
| canSeeExam, whose "no" the controllers turn into an audited 404.
*/

type Viewer = Pick<User, 'role' | 'institutionId'> & { institution?: { kind: string } | null }

/** Lead-hospital radiologists and QC officers read for every member clinic. */
export function readsForAlliance(user: Viewer) {
  return (
    (user.role === 'radiologist' || user.role === 'qc_officer') &&
    user.institution?.kind === 'lead_hospital'
  )
}

export function canSeeExam(user: Viewer, exam: Pick<Exam, 'institutionId'>) {
  if (isAdministrator(user)) return adminClinicalAccess()
  if (readsForAlliance(user)) return true
  return exam.institutionId === user.institutionId
}

export function scopeExams(query: ModelQueryBuilderContract<typeof Exam>, user: Viewer) {
  if (isAdministrator(user) && !adminClinicalAccess()) return query.whereRaw('1 = 0')
  if (readsForAlliance(user)) return query
  return query.where('exams.institution_id', user.institutionId)
}
