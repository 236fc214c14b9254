import app from '@adonisjs/core/services/app'
import Approval from '#app/approvals/approval'
import { TwoPersonApproval } from '#app/approvals/services/two_person_approval'
import * as make from '#tests/support/fixtures'
import { baseUrl } from '#tests/support/http'

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

/** Approves or rejects one request through the API, as the holder of `token` (status and body). */
export async function decide(
  decision: 'approve' | 'reject',
  id: number,
  token: string,
  body?: Record<string, unknown>
) {
  const response = await fetch(baseUrl() + `/api/v1/approvals/${id}/${decision}`, {
    method: 'POST',
    headers: {
      'Authorization': `Bearer ${token}`,
      'Accept': 'application/json',
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(body ?? {}),
  })
  return { status: response.status, body: (await response.json().catch(() => null)) as any }
}
