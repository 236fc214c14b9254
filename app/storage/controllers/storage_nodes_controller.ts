import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import StorageNode from '#models/storage_node'
import Institution from '#models/institution'
import { StorageNodeRegistry } from '#app/storage/services/storage_node_registry'
import { StudyCatalogue } from '#app/storage/services/study_catalogue'
import { registerNodeValidator, retentionValidator, updateNodeValidator } from '#app/storage/validators/storage_validators'
import { mayManageStorage, storageNodeTarget } from '#app/storage/storage_access'
import { wantsJson } from '#app/platform/http/wants_json'
import { useCase, done } from '#app/platform/http/use_case'

function institutions() {
  return Institution.query().whereIn('kind', ['lead_hospital', 'member_clinic']).where('active', true).orderBy('code')
}

/** The administrator registers and maintains the storage nodes and their retention. */
@inject()
export default class StorageNodesController {
  constructor(
    protected registry: StorageNodeRegistry,
    protected catalogue: StudyCatalogue
  ) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'storage.node.list',
      allow: mayManageStorage,
      run: () => StorageNode.query().preload('institution').orderBy('role').orderBy('name'),
      json: (nodes) => ({ nodes: nodes.map((node) => node.serialize()) }),
      page: async (nodes) => ctx.view.render('pages/storage/nodes/index', { nodes, institutions: await institutions() }),
    })
  }

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'storage.node.register',
      allow: mayManageStorage,
      input: registerNodeValidator,
      run: async ({ input }) => {
        const node = await this.registry.register({
          ...input,
          bandwidthLimitKbps: input.bandwidthLimitMbps ? Math.round(input.bandwidthLimitMbps * 1000) : null,
          capacityGb: input.capacityGb ?? null,
          active: input.active ?? true,
          // On the form an unticked box is absent; an API caller who says nothing gets the safe choice.
          catalogueExisting: input.catalogueExisting ?? wantsJson(ctx),
        })
        // A new backup lowers every study's status until it holds a copy; the replication cycle queues the copies.
        if (node.role !== 'member') await this.catalogue.refreshAllStatuses()
        return node
      },
      audit: {
        target: (node) => ({ type: 'storage_node', id: node.id }),
        details: (node) => ({ name: node.name, role: node.role, url: node.url, status: node.status }),
      },
      json: (node) => ctx.response.status(201).send({ id: node.id, status: node.status }),
      page: (node) =>
        done(ctx, node.status === 'up' ? 'storage.nodes.registered' : 'storage.nodes.registered_down', { name: node.name }, '/storage/nodes', node.status === 'up' ? 'success' : 'error'),
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
      run: async ({ target: node, input }) => {
        const wasActive = node.active
        const saved = await this.registry.update(node, {
          ...input,
          role: node.role,
          bandwidthLimitKbps: input.bandwidthLimitMbps ? Math.round(input.bandwidthLimitMbps * 1000) : null,
          capacityGb: input.capacityGb ?? null,
          // an unticked checkbox is absent from the form
          active: input.active ?? false,
        })
        if (saved.active !== wasActive) await this.catalogue.refreshAllStatuses()
        return saved
      },
      audit: { details: (saved, { input }) => ({ name: saved.name, url: saved.url, active: saved.active, passwordChanged: !!input.password }) },
      page: () => done(ctx, 'common.saved', {}, '/storage/nodes'),
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
        done(ctx, `storage.nodes.check_${node.status === 'up' ? 'up' : 'down'}`, { name: node.name, error: node.lastError ?? '' }, undefined, node.status === 'up' ? 'success' : 'error'),
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
          after: { retentionYears: node.retentionYears, keepsThirtyYears: node.keepsThirtyYears, retentionDryRun: node.retentionDryRun },
        }),
      },
      json: (_, { target }) => ({ id: target.id, retentionYears: target.retentionYears }),
      page: () => done(ctx, 'common.saved', {}, '/storage/retention'),
    })
  }
}
