import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import StorageNode from '#models/storage_node'
import Institution from '#models/institution'
import { StorageNodeRegistry, type NodeInput } from '#app/storage/services/storage_node_registry'
import { TwoPersonApproval } from '#app/approvals/services/two_person_approval'
import { CHANGE_NODE, REGISTER_NODE, nodeSummary } from '#app/storage/approvals'
import { StudyCatalogue } from '#app/storage/services/study_catalogue'
import {
  registerNodeValidator,
  retentionValidator,
  updateNodeValidator,
} from '#app/storage/validators/storage_validators'
import { mayManageStorage, storageNodeTarget } from '#app/storage/storage_access'
import { wantsJson } from '#app/platform/http/wants_json'
import { useCase, done } from '#app/platform/http/use_case'
import { approvalRequested } from '#app/approvals/approval_requested'

function institutions() {
  return Institution.query()
    .whereIn('kind', ['lead_hospital', 'member_clinic'])
    .where('active', true)
    .orderBy('code')
}

/** The administrator registers and maintains the storage nodes and their retention. */
@inject()
export default class StorageNodesController {
  constructor(
    protected registry: StorageNodeRegistry,
    protected catalogue: StudyCatalogue,
    protected approvals: TwoPersonApproval
  ) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'storage.node.list',
      allow: mayManageStorage,
      run: () => StorageNode.query().preload('institution').orderBy('role').orderBy('name'),
      json: (nodes) => ({ nodes: nodes.map((node) => node.serialize()) }),
      page: async (nodes) =>
        ctx.view.render('pages/storage/nodes/index', { nodes, institutions: await institutions() }),
    })
  }

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'storage.node.register',
      allow: mayManageStorage,
      input: registerNodeValidator,
      // Two-person rule (MLPS 8.1.4.2): the request is vetted and recorded; the node exists once the
      // security administrator approves it (app/storage/approvals.ts).
      run: async ({ user, input }) => {
        const node: NodeInput = {
          ...input,
          bandwidthLimitKbps: input.bandwidthLimitMbps
            ? Math.round(input.bandwidthLimitMbps * 1000)
            : null,
          capacityGb: input.capacityGb ?? null,
          active: input.active ?? true,
          // On the form an unticked box is absent; an API caller who says nothing gets the safe choice.
          catalogueExisting: input.catalogueExisting ?? wantsJson(ctx),
        }
        await this.registry.vet(node)
        return this.approvals.request(user, REGISTER_NODE, node, nodeSummary(node))
      },
      ...approvalRequested(ctx, '/storage/nodes'),
    })
  }

  edit(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'storage.node.edit',
      allow: mayManageStorage,
      target: storageNodeTarget,
      audit: false,
      run: async ({ target }) => ({ node: target, institutions: await institutions() }),
      page: (state) => ctx.view.render('pages/storage/nodes/edit', state),
    })
  }

  update(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'storage.node.update',
      allow: mayManageStorage,
      target: storageNodeTarget,
      input: updateNodeValidator,
      run: async ({ user, target: node, input }) => {
        const wasActive = node.active
        const change: NodeInput = {
          ...input,
          role: node.role,
          bandwidthLimitKbps: input.bandwidthLimitMbps
            ? Math.round(input.bandwidthLimitMbps * 1000)
            : null,
          capacityGb: input.capacityGb ?? null,
          // an unticked checkbox is absent from the form
          active: input.active ?? false,
        }
        // Where the node is, or the credentials the app uses for it: two-person rule (MLPS 8.1.4.2).
        const moves =
          StorageNodeRegistry.normaliseUrl(change.url) !== node.url ||
          change.username !== node.username ||
          !!change.password
        if (moves) {
          await this.registry.vet(change, node)
          const approval = await this.approvals.request(
            user,
            CHANGE_NODE,
            { nodeId: node.id, input: change },
            nodeSummary(change, node)
          )
          return { node, approval }
        }
        const saved = await this.registry.update(node, change)
        if (saved.active !== wasActive) await this.catalogue.refreshAllStatuses()
        return { node: saved, approval: null }
      },
      audit: {
        details: ({ node: saved, approval }, { input }) => ({
          name: saved.name,
          url: input.url,
          active: saved.active,
          passwordChanged: !!input.password,
          ...(approval ? { approvalId: approval.id, approval: 'pending' } : {}),
        }),
      },
      json: ({ node: saved, approval }) => ({
        id: saved.id,
        url: saved.url,
        active: saved.active,
        approvalId: approval?.id ?? null,
      }),
      page: ({ approval }) =>
        approval
          ? done(ctx, 'approvals.requested', { id: approval.id }, '/storage/nodes')
          : done(ctx, 'common.saved', {}, '/storage/nodes'),
    })
  }

  check(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'storage.node.check',
      allow: mayManageStorage,
      target: storageNodeTarget,
      run: ({ target }) => this.registry.checkHealth(target),
      audit: { details: (node) => ({ status: node.status }) },
      json: (node) => ({ id: node.id, status: node.status, lastError: node.lastError }),
      page: (node) =>
        done(
          ctx,
          `storage.nodes.check_${node.status === 'up' ? 'up' : 'down'}`,
          { name: node.name, error: node.lastError ?? '' },
          undefined,
          node.status === 'up' ? 'success' : 'error'
        ),
    })
  }

  /** C 8.3.2 retention of one node; a value under the minimum is refused and audited. */
  retention(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'storage.retention.update',
      allow: mayManageStorage,
      target: storageNodeTarget,
      input: retentionValidator,
      run: ({ target, input }) =>
        this.registry.setRetention(target, {
          retentionYears: input.retentionYears,
          keepsThirtyYears: input.keepsThirtyYears ?? false,
          retentionDryRun: input.retentionDryRun ?? false,
        }),
      audit: {
        details: (result, { target: node }) => ({
          before: result.before,
          after: {
            retentionYears: node.retentionYears,
            keepsThirtyYears: node.keepsThirtyYears,
            retentionDryRun: node.retentionDryRun,
          },
        }),
      },
      json: (_, { target }) => ({ id: target.id, retentionYears: target.retentionYears }),
      page: () => done(ctx, 'common.saved', {}, '/storage/retention'),
    })
  }
}
