import { isAdministrator } from '#app/access/roles'
import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'
import type Exam from '#models/exam'
import { canSeeExam } from '#app/access/visibility'
import { adminClinicalAccess } from '#app/access/clinical_access'

/** Intake rules for exams; a denied `view` is answered 404 by the controllers. */
export default class ExamPolicy extends BasePolicy {
  view(user: User, exam: Exam) {
    return canSeeExam(user, exam)
  }

  /** The exam list: everyone with clinical access (administrators only when it is switched on). */
  list(user: User) {
    return !isAdministrator(user) || adminClinicalAccess()
  }

  /** Registering patients and exams is the member clinic's job. */
  register(user: User) {
    return user.role === 'clinic_staff'
  }

  /** Only the requesting clinic uploads images for its exam. */
  upload(user: User, exam: Exam) {
    return user.role === 'clinic_staff' && exam.institutionId === user.institutionId
  }
}
