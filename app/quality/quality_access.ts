import type { HttpContext } from '@adonisjs/core/http'
import type User from '#models/user'
import { qualityPolicy } from '#app/quality/policies/quality_policy'
import { roleItems } from '#app/quality/services/checklists'
import { Clock } from '#app/platform/clock'
import app from '@adonisjs/core/services/app'

/*
| The pipeline's `allow` steps of quality control. The QC form is open to the
| alliance's readers and QC officers, and to any role that graded QC gives
| items to (a clinic's own staff, when so configured; the exam's visibility
| still decides, an exam one may not see is answered 404).
*/
const userOf = (ctx: HttpContext) => ctx.auth.user as User

export async function mayScore(ctx: HttpContext) {
  const user = userOf(ctx)
  if (qualityPolicy.score(user)) return true
  const clock = await app.container.make(Clock)
  return ((await roleItems(clock.now())).get(user.role)?.size ?? 0) > 0
}

export const mayOfficer = (ctx: HttpContext) => qualityPolicy.officer(userOf(ctx))
export const mayAdminister = (ctx: HttpContext) => qualityPolicy.administer(userOf(ctx))
export const mayReport = (ctx: HttpContext) => qualityPolicy.reports(userOf(ctx))
export const mayFollowUp = (ctx: HttpContext) => qualityPolicy.followUp(userOf(ctx))
