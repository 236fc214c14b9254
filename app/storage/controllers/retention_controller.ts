import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import StorageNode from '#models/storage_node'
import RetentionRun from '#models/retention_run'
import RetentionDecision from '#models/retention_decision'
import { audit } from '#app/audit/audit_log'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { RetentionSweep } from '#app/storage/services/retention_sweep'
import { minimumRetentionYears } from '#app/storage/services/retention_rules'
import { retentionRunValidator } from '#app/storage/validators/storage_validators'
import { authorizeStorage, routeId, wantsJson } from './storage_access.js'

/** Retention policies per node, the preview of the next nightly run, past runs and their decisions. */
@inject()
export default class RetentionController {
  constructor(protected sweep: RetentionSweep) {}

  async index(ctx: HttpContext) {
    await authorizeStorage(ctx)
    const nodes = await StorageNode.query().preload('institution').orderBy('role').orderBy('name')
    const preview = await this.sweep.preview({ limit: 100 })
    const runs = await RetentionRun.query().orderBy('id', 'desc').limit(20)
    return ctx.view.render('pages/storage/retention/index', {
      nodes: nodes.map((node) => ({ node, minimum: minimumRetentionYears(node.role, node.keepsThirtyYears) })),
      preview,
      runs,
    })
  }

  /** An administrator starts a run now: a dry run, or a real one (each node's own dry-run setting still applies). */
  async run(ctx: HttpContext) {
    await authorizeStorage(ctx)
    const { dryRun } = await ctx.request.validateUsing(retentionRunValidator)
    const run = await this.sweep.run({ trigger: 'manual', userId: ctx.auth.user!.id, dryRun: dryRun ?? false })
    await audit.fromContext(ctx, {
      action: 'storage.retention.run_requested',
      targetType: 'retention_run',
      targetId: run.id,
      details: { dryRun: run.dryRun, candidates: run.candidates, deleted: run.deleted, kept: run.kept, failed: run.failed },
    })
    if (wantsJson(ctx)) return ctx.response.status(201).send(run.serialize())
    ctx.session.flash('success', ctx.i18n.t('storage.retention.run_done', { candidates: run.candidates, deleted: run.deleted, kept: run.kept, failed: run.failed }))
    return ctx.response.redirect(`/storage/retention/runs/${run.id}`)
  }

  async show(ctx: HttpContext) {
    await authorizeStorage(ctx)
    const id = routeId(ctx)
    const run = id ? await RetentionRun.find(id) : null
    if (!run) throw DomainRefusal.notFound('retention_run')
    const decisions = await RetentionDecision.query()
      .where('retention_run_id', run.id)
      .preload('node')
      .preload('study')
      .orderBy('id')
      .paginate(Number(ctx.request.input('page', 1)) || 1, 50)
    decisions.baseUrl(`/storage/retention/runs/${run.id}`)
    return ctx.view.render('pages/storage/retention/run', { run, decisions })
  }
}
