import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import type User from '#models/user'
import { RepeatExamCheck, type Reminder } from '#app/recognition/services/repeat_exam_check'
import { repeatReasons } from '#app/recognition/services/repeat_reasons'

/**
 * What the exam-request form shows when it comes back from a request whose repeat-exam reminders were not
 * answered yet (R 6.6): the reminders for the items the clinician had ticked, and the reasons to choose from.
 * The partial resources/views/pages/recognition/_reminders.edge renders it inside the form.
 */
export async function reminderFormState(
  ctx: HttpContext,
  user: User,
  clinicPatientId: number | null
) {
  const ticked = ctx.session?.flashMessages.get('itemIds')
  if (!clinicPatientId || !Array.isArray(ticked) || ticked.length === 0)
    return { reminders: [] as Reminder[], reasons: [] }
  const itemIds = ticked.map(Number).filter((id) => Number.isInteger(id) && id > 0)
  const check = await app.container.make(RepeatExamCheck)
  const reminders = await check.remindersFor(user, clinicPatientId, itemIds)
  return { reminders, reasons: repeatReasons() }
}
