import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import StorageNode from '#models/storage_node'
import Institution from '#models/institution'
import { audit } from '#app/audit/audit_log'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { StorageNodeRegistry } from '#app/storage/services/storage_node_registry'
import { StudyCatalogue } from '#app/storage/services/study_catalogue'
import { registerNodeValidator, retentionValidator, updateNodeValidator } from '#app/storage/validators/storage_validators'
import { authorizeStorage, refusable, routeId, wantsJson } from './storage_access.js'

/** The administrator registers and maintains the storage nodes and their retention. */
@inject()
export default class StorageNodesController {
  constructor(
    protected registry: StorageNodeRegistry,
    protected catalogue: StudyCatalogue
  ) {}

  protected async node(ctx: HttpContext) {
    const id = routeId(ctx)
    const node = id ? await StorageNode.find(id) : null
    if (!node) throw DomainRefusal.notFound('storage_node')
    return node
  }

  protected institutions() {
    return Institution.query().whereIn('kind', ['lead_hospital', 'member_clinic']).where('active', true).orderBy('code')
  }

  async index(ctx: HttpContext) {
    await authorizeStorage(ctx)
    const nodes = await StorageNode.query().preload('institution').orderBy('role').orderBy('name')
    if (wantsJson(ctx)) return { nodes: nodes.map((node) => node.serialize()) }
    return ctx.view.render('pages/storage/nodes/index', { nodes, institutions: await this.institutions() })
  }

  async store(ctx: HttpContext) {
    await authorizeStorage(ctx)
    const data = await ctx.request.validateUsing(registerNodeValidator)
    const node = await refusable(ctx, { action: 'storage.node.register' }, () =>
      this.registry.register({
        ...data,
        bandwidthLimitKbps: data.bandwidthLimitMbps ? Math.round(data.bandwidthLimitMbps * 1000) : null,
        capacityGb: data.capacityGb ?? null,
        active: data.active ?? true,
        // On the form an unticked box is absent; an API caller who says nothing gets the safe choice.
        catalogueExisting: data.catalogueExisting ?? wantsJson(ctx),
      })
    )
    if (!node) return ctx.response.redirect('/storage/nodes')
    // A new backup lowers every study's status until it holds a copy; the replication cycle queues the copies.
    if (node.role !== 'member') await this.catalogue.refreshAllStatuses()
    await audit.fromContext(ctx, {
      action: 'storage.node.register',
      targetType: 'storage_node',
      targetId: node.id,
      details: { name: node.name, role: node.role, url: node.url, status: node.status },
    })
    if (wantsJson(ctx)) return ctx.response.status(201).send({ id: node.id, status: node.status })
    ctx.session.flash(node.status === 'up' ? 'success' : 'error', ctx.i18n.t(node.status === 'up' ? 'storage.nodes.registered' : 'storage.nodes.registered_down', { name: node.name }))
    return ctx.response.redirect('/storage/nodes')
  }

  async edit(ctx: HttpContext) {
    await authorizeStorage(ctx)
    const node = await this.node(ctx)
    return ctx.view.render('pages/storage/nodes/edit', { node, institutions: await this.institutions() })
  }

  async update(ctx: HttpContext) {
    await authorizeStorage(ctx)
    const node = await this.node(ctx)
    const data = await ctx.request.validateUsing(updateNodeValidator)
    const wasActive = node.active
    const saved = await refusable(ctx, { action: 'storage.node.update', targetType: 'storage_node', targetId: node.id }, () =>
      this.registry.update(node, {
        ...data,
        role: node.role,
        bandwidthLimitKbps: data.bandwidthLimitMbps ? Math.round(data.bandwidthLimitMbps * 1000) : null,
        capacityGb: data.capacityGb ?? null,
        // an unticked checkbox is absent from the form
        active: data.active ?? false,
      })
    )
    if (!saved) return ctx.response.redirect(`/storage/nodes/${node.id}/edit`)
    if (saved.active !== wasActive) await this.catalogue.refreshAllStatuses()
    await audit.fromContext(ctx, {
      action: 'storage.node.update',
      targetType: 'storage_node',
      targetId: node.id,
      details: { name: saved.name, url: saved.url, active: saved.active, passwordChanged: !!data.password },
    })
    ctx.session.flash('success', ctx.i18n.t('common.saved'))
    return ctx.response.redirect('/storage/nodes')
  }

  async check(ctx: HttpContext) {
    await authorizeStorage(ctx)
    const node = await this.registry.checkHealth(await this.node(ctx))
    await audit.fromContext(ctx, { action: 'storage.node.check', targetType: 'storage_node', targetId: node.id, details: { status: node.status } })
    if (wantsJson(ctx)) return { id: node.id, status: node.status, lastError: node.lastError }
    ctx.session.flash(node.status === 'up' ? 'success' : 'error', ctx.i18n.t(`storage.nodes.check_${node.status === 'up' ? 'up' : 'down'}`, { name: node.name, error: node.lastError ?? '' }))
    return ctx.response.redirect().back()
  }

  /** C 8.3.2 retention of one node; a value under the minimum is refused and audited. */
  async retention(ctx: HttpContext) {
    await authorizeStorage(ctx)
    const node = await this.node(ctx)
    const data = await ctx.request.validateUsing(retentionValidator)
    const result = await refusable(ctx, { action: 'storage.retention.update', targetType: 'storage_node', targetId: node.id }, () =>
      this.registry.setRetention(node, {
        retentionYears: data.retentionYears,
        keepsThirtyYears: data.keepsThirtyYears ?? false,
        retentionDryRun: data.retentionDryRun ?? false,
      })
    )
    if (result) {
      await audit.fromContext(ctx, {
        action: 'storage.retention.update',
        targetType: 'storage_node',
        targetId: node.id,
        details: {
          before: result.before,
          after: { retentionYears: node.retentionYears, keepsThirtyYears: node.keepsThirtyYears, retentionDryRun: node.retentionDryRun },
        },
      })
      if (wantsJson(ctx)) return { id: node.id, retentionYears: node.retentionYears }
      ctx.session.flash('success', ctx.i18n.t('common.saved'))
    }
    return ctx.response.redirect('/storage/retention')
  }
}
