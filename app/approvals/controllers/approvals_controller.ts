import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import Approval from '#app/approvals/approval'
import { TwoPersonApproval, approvalKinds } from '#app/approvals/services/two_person_approval'
import { can } from '#app/platform/http/can'
import { recordById, useCase, done } from '#app/platform/http/use_case'

const mayDecide = can('ApprovalPolicy', 'decide')
const approvalTarget = recordById('approval', (id) =>
  Approval.query().where('id', id).preload('requestedBy').first()
)
const rejectValidator = vine.compile(
  vine.object({ note: vine.string().trim().maxLength(255).optional() })
)

/** The security administrator's queue of two-person changes: approve or reject, each audited. */
@inject()
export default class ApprovalsController {
  constructor(protected approvals: TwoPersonApproval) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'approval.list',
      allow: mayDecide,
      audit: false,
      run: async () => ({
        pending: await this.approvals.pending(),
        recent: await this.approvals.recent(),
      }),
      json: ({ pending }) => ({
        pending: pending.map((a) => ({
          id: a.id,
          kind: a.kind,
          summary: a.summary,
          requestedBy: a.requestedBy.username,
          requestedAt: a.requestedAt,
        })),
      }),
      page: (state) => ctx.view.render('pages/approvals/index', state),
    })
  }

  /** Everyone's own requests, with the download of an approved export. */
  mine(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'approval.mine',
      audit: false,
      run: async ({ user }) =>
        (await this.approvals.mine(user)).map((a) => ({
          approval: a,
          downloadUrl: this.approvals.downloadable(a)
            ? approvalKinds.downloadUrl(a.kind, a.id)
            : null,
        })),
      json: (rows) => ({
        requests: rows.map(({ approval: a, downloadUrl }) => ({
          id: a.id,
          kind: a.kind,
          status: a.status,
          summary: a.summary,
          requestedAt: a.requestedAt,
          decidedAt: a.decidedAt,
          downloadedAt: a.downloadedAt,
          downloadUrl,
        })),
      }),
      page: (rows) => ctx.view.render('pages/approvals/mine', { rows }),
    })
  }

  approve(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'approval.approve',
      allow: mayDecide,
      target: approvalTarget,
      run: ({ user, target }) => this.approvals.approve(user, target),
      audit: {
        details: (a) => ({
          kind: a.kind,
          requestedBy: a.requestedById,
          result: a.resultType ? `${a.resultType}:${a.resultId}` : null,
        }),
      },
      json: (a) => ({ id: a.id, status: a.status, resultType: a.resultType, resultId: a.resultId }),
      page: () => done(ctx, 'approvals.approved', {}, '/approvals'),
    })
  }

  reject(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'approval.reject',
      allow: mayDecide,
      target: approvalTarget,
      input: rejectValidator,
      run: ({ user, target, input }) => this.approvals.reject(user, target, input.note ?? null),
      audit: { details: (a) => ({ kind: a.kind, requestedBy: a.requestedById }) },
      json: (a) => ({ id: a.id, status: a.status }),
      page: () => done(ctx, 'approvals.rejected', {}, '/approvals'),
    })
  }
}
