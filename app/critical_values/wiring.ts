/*
| Wires critical values into the shared machinery, wherever the app runs
| (web server, tests, the bench): every socket that connects gets its open
| alerts and may confirm receipt; pages may include the raise form partial,
| which finds its own data through the `criticalValuePanel` template helper.
| Imported by ./routes.ts, which every process that serves HTTP loads.
*/
import edge from 'edge.js'
import { randomUUID } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import CriticalValue from '#models/critical_value'
import type Exam from '#models/exam'
import type User from '#models/user'
import { realtime } from '#app/realtime/realtime'
import { canRaise, RAISABLE_EXAM_STATUSES } from '#app/critical_values/critical_value_rules'
import { CriticalValueAlerts } from '#app/critical_values/services/critical_value_alerts'
import { CriticalFindingList } from '#app/critical_values/services/critical_finding_list'
import { receiptBook } from '#app/critical_values/services/receipt_book'

// Receipts still in the batch are written before the process ends.
app.terminating(() => receiptBook.flush())

realtime.onConnection(async (socket, user) => {
  const alerts = await app.container.make(CriticalValueAlerts)
  await alerts.attach(socket, user)
})

/** What the raise form partial shows for this exam and this user. */
edge.global('criticalValuePanel', async (exam: Exam, user: User | null) => {
  if (!exam || !user) return { canRaise: false, raisable: false, findings: [], requestKey: '', values: [] }
  const list = await app.container.make(CriticalFindingList)
  const allowed = canRaise(user)
  return {
    canRaise: allowed,
    raisable: RAISABLE_EXAM_STATUSES.includes(exam.status),
    findings: allowed ? await list.active() : [],
    twoPersonCheck: allowed ? await list.twoPersonCheck() : false,
    // One key per rendered form: submitting it twice (double click, browser resend) raises once.
    requestKey: randomUUID(),
    values: await CriticalValue.query().where('exam_id', exam.id).preload('raisedBy').orderBy('raised_at', 'desc'),
  }
})
