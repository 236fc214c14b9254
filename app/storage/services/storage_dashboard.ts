import { inject } from '@adonisjs/core'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import StorageNode from '#models/storage_node'
import ArchivedStudy from '#models/archived_study'
import { Clock } from '#app/platform/clock'
import { sqlTime } from './transfer_queue.js'

/*
| What the administrator watches: per node its health, space, studies, the
| copy status of the studies it holds, and the replication backlog waiting
| for it; across the alliance, every study left with a single verified copy
| for more than 24 hours (C 8.3.3 wants two places).
*/

export const SINGLE_COPY_ALERT_HOURS = 24

/** A DATETIME from a raw query: a Date from MySQL, a string from SQLite; both UTC. */
function toDateTime(value: unknown) {
  if (!value) return null
  if (value instanceof Date) return DateTime.fromJSDate(value, { zone: 'utc' })
  const parsed = DateTime.fromSQL(String(value), { zone: 'utc' })
  return parsed.isValid ? parsed : DateTime.fromISO(String(value), { zone: 'utc' })
}

export interface NodeOverview {
  node: StorageNode
  catalogued: number
  copyStatus: { single: number; copied: number; verified: number }
  damaged: number
  backlog: {
    count: number
    oldest: DateTime | null
    oldestAgeMinutes: number | null
    oldestPriority: string | null
    failing: number
  }
}

@inject()
export class StorageDashboard {
  constructor(protected clock: Clock) {}

  async overview() {
    const nodes = await StorageNode.query()
      .preload('institution')
      .orderByRaw("CASE role WHEN 'central' THEN 0 WHEN 'backup' THEN 1 ELSE 2 END")
      .orderBy('name')
    const statusRows = await db
      .from('study_copies')
      .join('archived_studies', 'archived_studies.id', 'study_copies.archived_study_id')
      .whereIn('study_copies.state', ['present', 'verified', 'damaged'])
      .groupBy('study_copies.storage_node_id', 'archived_studies.copy_status')
      .select('study_copies.storage_node_id as node_id', 'archived_studies.copy_status as status')
      .count('* as total')
    const damagedRows = await db
      .from('study_copies')
      .where('state', 'damaged')
      .groupBy('storage_node_id')
      .select('storage_node_id as node_id')
      .count('* as total')
    const backlogRows = await db
      .from('storage_transfers')
      .whereIn('status', ['queued', 'running'])
      .groupBy('target_node_id')
      .select('target_node_id as node_id')
      .select(db.raw('SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END) as failing'))
      .count('* as total')
      .min('enqueued_at as oldest')
    const overviews: NodeOverview[] = []
    for (const node of nodes) {
      const copyStatus = { single: 0, copied: 0, verified: 0 }
      for (const row of statusRows.filter((r) => Number(r.node_id) === node.id)) {
        copyStatus[row.status as keyof typeof copyStatus] += Number(row.total)
      }
      const backlogRow = backlogRows.find((r) => Number(r.node_id) === node.id)
      let oldestPriority: string | null = null
      if (backlogRow) {
        const oldest = await db
          .from('storage_transfers')
          .where('target_node_id', node.id)
          .whereIn('status', ['queued', 'running'])
          .orderBy('enqueued_at')
          .select('priority')
          .first()
        oldestPriority = oldest?.priority ?? null
      }
      const oldest = toDateTime(backlogRow?.oldest)
      overviews.push({
        node,
        catalogued: copyStatus.single + copyStatus.copied + copyStatus.verified,
        copyStatus,
        damaged: Number(damagedRows.find((r) => Number(r.node_id) === node.id)?.total ?? 0),
        backlog: {
          count: Number(backlogRow?.total ?? 0),
          oldest,
          oldestAgeMinutes: oldest
            ? Math.max(0, Math.round(this.clock.now().diff(oldest, 'minutes').minutes))
            : null,
          oldestPriority,
          failing: Number(backlogRow?.failing ?? 0),
        },
      })
    }
    return { nodes: overviews, alerts: await this.singleCopyAlerts(), totals: await this.totals() }
  }

  /** Studies with at most one verified copy for more than 24 hours, longest first. */
  async singleCopyAlerts(limit = 50) {
    const since = this.clock.now().minus({ hours: SINGLE_COPY_ALERT_HOURS })
    const query = ArchivedStudy.query()
      .whereNotNull('single_copy_since')
      .where('single_copy_since', '<=', sqlTime(since))
    const total = Number((await query.clone().count('* as total').first())?.$extras.total ?? 0)
    const studies = await query
      .clone()
      .preload('origin')
      .orderBy('single_copy_since', 'asc')
      .limit(limit)
    return { total, studies }
  }

  async totals() {
    const rows = await db
      .from('archived_studies')
      .groupBy('copy_status')
      .select('copy_status as status')
      .count('* as total')
    const totals = { studies: 0, single: 0, copied: 0, verified: 0 }
    for (const row of rows) {
      totals[row.status as 'single' | 'copied' | 'verified'] = Number(row.total)
      totals.studies += Number(row.total)
    }
    return totals
  }
}
