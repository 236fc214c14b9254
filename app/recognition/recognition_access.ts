import type { HttpContext } from '@adonisjs/core/http'
import type User from '#models/user'
import { isSystemAdministrator } from '#app/access/roles'
import { can } from '#app/platform/http/can'

/*
| Who does what in mutual recognition. The administrators keep eligibility,
| fees and settings; clinic staff see reminders and decide (the registering
| clinic); the centre's QC officers and administrators see the statistics and
| data quality of every clinic, a clinic its own.
*/
type Viewer = Pick<User, 'role' | 'institutionId'>

export function managesRecognition(user: Viewer) {
  return isSystemAdministrator(user)
}

export function seesAllClinicsFigures(user: Viewer) {
  return isSystemAdministrator(user) || user.role === 'qc_officer'
}

export function seesRecognitionFigures(user: Viewer) {
  return seesAllClinicsFigures(user) || user.role === 'clinic_staff'
}

/** A refusal of one of our results is recorded by the refusing clinic or by the centre on the receiving side's word. */
export function recordsRefusals(user: Viewer) {
  return seesAllClinicsFigures(user) || user.role === 'clinic_staff'
}

const userOf = (ctx: HttpContext) => ctx.auth.user as User
export const mayManageRecognition = (ctx: HttpContext) => managesRecognition(userOf(ctx))
export const maySeeFigures = (ctx: HttpContext) => seesRecognitionFigures(userOf(ctx))
export const mayRecordRefusal = (ctx: HttpContext) => recordsRefusals(userOf(ctx))
/** The reminder belongs to registering an exam. */
export const mayDecide = can('ExamPolicy', 'register')
