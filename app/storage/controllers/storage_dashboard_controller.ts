import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import ArchivedStudy from '#models/archived_study'
import StudyCopy from '#models/study_copy'
import StorageTransfer from '#models/storage_transfer'
import RetentionDecision from '#models/retention_decision'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { Clock } from '#app/platform/clock'
import { StorageDashboard, SINGLE_COPY_ALERT_HOURS } from '#app/storage/services/storage_dashboard'
import { authorizeStorage, routeId } from './storage_access.js'

/** The storage dashboard (per node health, space, copies, backlog, alerts), one study's copies, and the same as JSON. */
@inject()
export default class StorageDashboardController {
  constructor(
    protected dashboard: StorageDashboard,
    protected clock: Clock
  ) {}

  async show(ctx: HttpContext) {
    await authorizeStorage(ctx)
    const overview = await this.dashboard.overview()
    return ctx.view.render('pages/storage/dashboard', { ...overview, now: this.clock.now(), alertHours: SINGLE_COPY_ALERT_HOURS })
  }

  async study(ctx: HttpContext) {
    await authorizeStorage(ctx)
    const id = routeId(ctx)
    const study = id ? await ArchivedStudy.query().where('id', id).preload('origin').first() : null
    if (!study) throw DomainRefusal.notFound('study')
    const copies = await StudyCopy.query().where('archived_study_id', study.id).preload('node').orderBy('storage_node_id')
    const transfers = await StorageTransfer.query().where('archived_study_id', study.id).preload('target').preload('source').orderBy('id', 'desc').limit(50)
    const decisions = await RetentionDecision.query().where('archived_study_id', study.id).preload('node').orderBy('id', 'desc').limit(50)
    return ctx.view.render('pages/storage/study', { study, copies, transfers, decisions })
  }

  /** GET /api/v1/storage/status: what the dashboard shows, for monitoring. */
  async status(ctx: HttpContext) {
    await authorizeStorage(ctx)
    const { nodes, alerts, totals } = await this.dashboard.overview()
    return {
      generatedAt: this.clock.now().toISO(),
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
        backlog: { count: o.backlog.count, oldestEnqueuedAt: o.backlog.oldest?.toISO() ?? null, oldestAgeMinutes: o.backlog.oldestAgeMinutes, failing: o.backlog.failing },
      })),
      singleCopyAlerts: {
        total: alerts.total,
        studies: alerts.studies.map((s) => ({ id: s.id, orthancStudyId: s.orthancStudyId, accessionNumber: s.accessionNumber, singleCopySince: s.singleCopySince?.toISO() ?? null, origin: s.origin?.name ?? null })),
      },
    }
  }
}
