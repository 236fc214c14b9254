/*
| Pages may include the raise form partial, which finds its own data through
| the `criticalValuePanel` template helper. Imported by ./routes.ts, which every
| process that serves HTTP loads.
*/
import edge from 'edge.js'
import { randomUUID } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import CriticalValue from '#models/critical_value'
import type Exam from '#models/exam'
import type User from '#models/user'
import { canRaise, RAISABLE_EXAM_STATUSES } from '#app/critical_values/critical_value_rules'
import { CriticalFindingList } from '#app/critical_values/services/critical_finding_list'

/** What the raise form partial shows for this exam and this user. */
edge.global('criticalValuePanel', async (exam: Exam, user: User | null) => {
  if (!exam || !user)
    return { canRaise: false, raisable: false, findings: [], requestKey: '', values: [] }
  const list = await app.container.make(CriticalFindingList)
  const allowed = canRaise(user)
  return {
    canRaise: allowed,
    raisable: RAISABLE_EXAM_STATUSES.includes(exam.status),
    findings: allowed ? await list.active() : [],
    twoPersonCheck: allowed ? await list.twoPersonCheck() : false,
    // One key per rendered form: submitting it twice (double click, browser resend) raises once.
    requestKey: randomUUID(),
    values: await CriticalValue.query()
      .where('exam_id', exam.id)
      .preload('raisedBy')
      .orderBy('raised_at', 'desc'),
  }
})
