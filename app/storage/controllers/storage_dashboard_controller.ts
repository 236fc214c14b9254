import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import StudyCopy from '#models/study_copy'
import StorageTransfer from '#models/storage_transfer'
import RetentionDecision from '#models/retention_decision'
import { Clock } from '#app/platform/clock'
import { StorageDashboard, SINGLE_COPY_ALERT_HOURS } from '#app/storage/services/storage_dashboard'
import { archivedStudyTarget, mayManageStorage } from '#app/storage/storage_access'
import { useCase } from '#app/platform/http/use_case'

type Overview = Awaited<ReturnType<StorageDashboard['overview']>>

function statusJson({ nodes, alerts, totals }: Overview, now: string | null) {
  return {
    generatedAt: now,
    totals,
    nodes: nodes.map((o) => ({
      id: o.node.id,
      name: o.node.name,
      role: o.node.role,
      status: o.node.status,
      statusCheckedAt: o.node.statusCheckedAt?.toISO() ?? null,
      orthancVersion: o.node.orthancVersion,
      diskUsedMb: o.node.diskUsedMb,
      diskFreeMb: o.node.diskFreeMb,
      orthancStudies: o.node.orthancStudyCount,
      copies: o.copyStatus,
      damaged: o.damaged,
      backlog: {
        count: o.backlog.count,
        oldestEnqueuedAt: o.backlog.oldest?.toISO() ?? null,
        oldestAgeMinutes: o.backlog.oldestAgeMinutes,
        failing: o.backlog.failing,
      },
    })),
    singleCopyAlerts: {
      total: alerts.total,
      studies: alerts.studies.map((s) => ({
        id: s.id,
        orthancStudyId: s.orthancStudyId,
        accessionNumber: s.accessionNumber,
        singleCopySince: s.singleCopySince?.toISO() ?? null,
        origin: s.origin?.name ?? null,
      })),
    },
  }
}

/** The storage dashboard (per node health, space, copies, backlog, alerts), one study's copies, and the same as JSON. */
@inject()
export default class StorageDashboardController {
  constructor(
    protected dashboard: StorageDashboard,
    protected clock: Clock
  ) {}

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'storage.dashboard',
      allow: mayManageStorage,
      run: () => this.dashboard.overview(),
      json: (overview) => statusJson(overview, this.clock.now().toISO()),
      page: (overview) =>
        ctx.view.render('pages/storage/dashboard', {
          ...overview,
          now: this.clock.now(),
          alertHours: SINGLE_COPY_ALERT_HOURS,
        }),
    })
  }

  study(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'storage.study.view',
      allow: mayManageStorage,
      target: archivedStudyTarget,
      run: async ({ target: study }) => ({
        study,
        copies: await StudyCopy.query()
          .where('archived_study_id', study.id)
          .preload('node')
          .orderBy('storage_node_id'),
        transfers: await StorageTransfer.query()
          .where('archived_study_id', study.id)
          .preload('target')
          .preload('source')
          .orderBy('id', 'desc')
          .limit(50),
        decisions: await RetentionDecision.query()
          .where('archived_study_id', study.id)
          .preload('node')
          .orderBy('id', 'desc')
          .limit(50),
      }),
      page: (state) => ctx.view.render('pages/storage/study', state),
    })
  }
}
