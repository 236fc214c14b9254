import app from '@adonisjs/core/services/app'
import Approval from '#app/approvals/approval'
import { TwoPersonApproval } from '#app/approvals/services/two_person_approval'
import * as make from '#tests/support/fixtures'

/** The security administrator approves every pending two-person change (tests that are about something else). */
export async function approvePending(kind?: string) {
  const approver = await make.user('security_admin')
  const approvals = await app.container.make(TwoPersonApproval)
  const pending = await Approval.query()
    .where('status', 'pending')
    .if(kind, (q) => q.where('kind', kind!))
    .orderBy('id')
  const done = []
  for (const approval of pending) done.push(await approvals.approve(approver, approval))
  return done
}
