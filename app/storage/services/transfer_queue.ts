import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import type ArchivedStudy from '#models/archived_study'
import type { TransferPriority } from '#models/archived_study'
import type { TransferPurpose } from '#models/storage_transfer'
import { insertIgnore, sqlTime as platformSqlTime } from '#app/platform/db_helpers'

/*
| The persistent replication queue. Every transfer is a row before anything
| is sent, so a restart, a node that is down for a week or a failed copy loses
| nothing: the row stays queued, its next attempt moves back, and the queue
| drains when the node returns. One live transfer per study and node
| (`active_key` is unique while queued or running).
*/

export const PRIORITY_RANK: Record<TransferPriority, number> = { emergency: 0, routine: 1, bulk: 2 }

/** Retry back-off: 30 s, 1 min, 2 min… doubling, at most an hour between attempts. */
export function backoffSeconds(attempts: number) {
  const base = 30
  const max = 3600
  return Math.min(max, base * 2 ** Math.max(0, attempts - 1))
}

/** DATETIME text with milliseconds (the storage tables order and compare by it). */
export const sqlTime = (time: DateTime) => platformSqlTime(time, true)

export function activeKey(studyId: number, nodeId: number) {
  return `${studyId}:${nodeId}`
}

/** Queues a transfer (no-op when one is already live) and notes the copy as expected. */
export async function enqueueTransfer(
  study: ArchivedStudy,
  targetNodeId: number,
  purpose: TransferPurpose,
  now: DateTime
) {
  const time = sqlTime(now)
  await insertIgnore(
    'study_copies',
    {
      archived_study_id: study.id,
      storage_node_id: targetNodeId,
      state: 'expected',
      instance_count: 0,
      created_at: time,
      updated_at: time,
    },
    ['archived_study_id', 'storage_node_id'] as any
  )
  await insertIgnore(
    'storage_transfers',
    {
      archived_study_id: study.id,
      target_node_id: targetNodeId,
      purpose,
      priority: study.priority,
      priority_rank: PRIORITY_RANK[study.priority],
      status: 'queued',
      active_key: activeKey(study.id, targetNodeId),
      attempts: 0,
      next_attempt_at: time,
      instances_copied: 0,
      bytes_copied: 0,
      enqueued_at: time,
    },
    'active_key'
  )
}

/** Nodes that already have a queued or running transfer of this study. */
export async function queuedTargets(studyId: number) {
  const rows = await db
    .from('storage_transfers')
    .where('archived_study_id', studyId)
    .whereIn('status', ['queued', 'running'])
    .select('target_node_id')
  return new Set(rows.map((r) => Number(r.target_node_id)))
}
