import type { HttpContext } from '@adonisjs/core/http'
import type Approval from '#app/approvals/approval'
import { done } from '#app/platform/http/use_case'

/**
 * How a use case answers when what was asked now waits for the security administrator (MLPS 8.1.4.2):
 * audited against the approval with its summary, 202 with the approval's id for an API caller, or back to
 * `to` with "sent for approval" on a page. Spread into `useCase` (`...approvalRequested(ctx, '/storage/nodes')`).
 */
export function approvalRequested(ctx: HttpContext, to: string) {
  return {
    audit: {
      target: (approval: Approval) => ({ type: 'approval', id: approval.id }),
      details: (approval: Approval) => ({ ...approval.summary, approval: 'pending' }),
    },
    json: (approval: Approval) =>
      ctx.response.status(202).send({ approvalId: approval.id, status: approval.status }),
    page: (approval: Approval) => done(ctx, 'approvals.requested', { id: approval.id }, to),
  }
}
