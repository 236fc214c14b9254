import type User from '#models/user'
import ClinicPatient from '#models/clinic_patient'
import UnmatchedStudy from '#models/unmatched_study'
import { can } from '#app/platform/http/can'
import { recordById, type RecordLoader } from '#app/platform/http/use_case'

/*
| Intake's pipeline steps: who registers and uploads (ExamPolicy), and the
| clinic's own records a request names. Another clinic's patient or study is
| answered exactly like a missing one.
*/
export const mayRegister = can('ExamPolicy', 'register')
export const mayListExams = can('ExamPolicy', 'list')
export const mayUploadTo = can('ExamPolicy', 'upload')

export const clinicPatientTarget: RecordLoader<ClinicPatient> = {
  ...recordById('clinic_patient', (id) =>
    ClinicPatient.query().where('id', id).preload('patient').first()
  ),
  visible: (ctx, clinicPatient) =>
    clinicPatient.institutionId === (ctx.auth.user as User).institutionId,
}

export const unmatchedStudyTarget: RecordLoader<UnmatchedStudy> = {
  ...recordById('unmatched_study', (id) => UnmatchedStudy.find(id)),
  visible: (ctx, study) => study.institutionId === (ctx.auth.user as User).institutionId,
}
