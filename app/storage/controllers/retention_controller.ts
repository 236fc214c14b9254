import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import StorageNode from '#models/storage_node'
import RetentionRun from '#models/retention_run'
import RetentionDecision from '#models/retention_decision'
import { RetentionSweep } from '#app/storage/services/retention_sweep'
import { minimumRetentionYears } from '#app/storage/services/retention_rules'
import { retentionRunValidator } from '#app/storage/validators/storage_validators'
import { mayManageStorage, retentionRunTarget } from '#app/storage/storage_access'
import { useCase, done } from '#app/platform/http/use_case'

const pageValidator = vine.compile(
  vine.object({ page: vine.number().positive().withoutDecimals().optional() })
)

/** Retention policies per node, the preview of the next nightly run, past runs and their decisions. */
@inject()
export default class RetentionController {
  constructor(protected sweep: RetentionSweep) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'storage.retention.view',
      allow: mayManageStorage,
      run: async () => {
        const nodes = await StorageNode.query()
          .preload('institution')
          .orderBy('role')
          .orderBy('name')
        return {
          nodes: nodes.map((node) => ({
            node,
            minimum: minimumRetentionYears(node.role, node.keepsThirtyYears),
          })),
          preview: await this.sweep.preview({ limit: 100 }),
          runs: await RetentionRun.query().orderBy('id', 'desc').limit(20),
        }
      },
      page: (state) => ctx.view.render('pages/storage/retention/index', state),
    })
  }

  /** An administrator starts a run now: a dry run, or a real one (each node's own dry-run setting still applies). */
  run(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'storage.retention.run_requested',
      allow: mayManageStorage,
      input: retentionRunValidator,
      run: ({ user, input }) =>
        this.sweep.run({ trigger: 'manual', userId: user.id, dryRun: input.dryRun ?? false }),
      audit: {
        target: (run) => ({ type: 'retention_run', id: run.id }),
        details: (run) => ({
          dryRun: run.dryRun,
          candidates: run.candidates,
          deleted: run.deleted,
          kept: run.kept,
          failed: run.failed,
        }),
      },
      json: (run) => ctx.response.status(201).send(run.serialize()),
      page: (run) =>
        done(
          ctx,
          'storage.retention.run_done',
          { candidates: run.candidates, deleted: run.deleted, kept: run.kept, failed: run.failed },
          `/storage/retention/runs/${run.id}`
        ),
    })
  }

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'storage.retention.run_view',
      allow: mayManageStorage,
      target: retentionRunTarget,
      input: pageValidator,
      run: async ({ target: run, input }) => ({
        run,
        decisions: await RetentionDecision.query()
          .where('retention_run_id', run.id)
          .preload('node')
          .preload('study')
          .orderBy('id')
          .paginate(input.page ?? 1, 50),
      }),
      page: ({ run, decisions }) => {
        decisions.baseUrl(`/storage/retention/runs/${run.id}`)
        return ctx.view.render('pages/storage/retention/run', { run, decisions })
      },
    })
  }
}
