import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import ArchivedStudy from '#models/archived_study'
import StudyCopy from '#models/study_copy'
import StorageNode from '#models/storage_node'
import StorageTransfer from '#models/storage_transfer'
import { Clock } from '#app/platform/clock'
import { audit } from '#app/platform/audit/audit_log'
import { StorageNodeRegistry } from './storage_node_registry.js'
import { StudyCatalogue } from './study_catalogue.js'
import { copyStudy, SourceIncomplete } from './study_copier.js'
import { bucketForNode } from './bandwidth.js'
import { backoffSeconds, sqlTime } from './transfer_queue.js'
import { compareManifests, describeDifference, fetchManifest } from './manifest.js'

/*
| Drains the replication queue: emergency studies first, then routine, then
| bulk (C 8.2.1), each attempt copying only what the target lacks and ending
| with a verification (same instances, same MD5 as Orthanc records them on
| both sides). A failed attempt goes back to the queue with a longer wait; a
| node that does not answer is marked down and its transfers wait for it.
*/

/** How often a cycle looks for copies nobody queued (a backup added later, an interrupted plan). */
export const CATCH_UP_MINUTES = 10
let lastCatchUp: DateTime | null = null

/** How long a node marked down is left alone before it is asked again. */
export const DOWN_NODE_RETRY_SECONDS = 60

export interface DrainSummary {
  attempted: number
  verified: number
  failed: number
  skippedDownNodes: number
}

export type TransferResult =
  | { kind: 'verified'; copied: number; bytes: number; sourceNodeId: number }
  | { kind: 'retry'; error: string }
  | { kind: 'cancelled'; why: string }

@inject()
export class Replication {
  constructor(
    protected registry: StorageNodeRegistry,
    protected catalogue: StudyCatalogue,
    protected clock: Clock
  ) {}

  /** One replication cycle, as the scheduled job runs it: find new studies, link exams, catch up the plan, drain. */
  async cycle(options: { maxMs?: number } = {}) {
    await this.reviveDownNodes()
    const discovered = await this.catalogue.discover()
    await this.catalogue.linkExams()
    // The catch-up scans the whole catalogue: every few minutes is enough (new studies are planned as they arrive).
    const now = this.clock.now()
    if (
      !lastCatchUp ||
      now.diff(lastCatchUp, 'minutes').minutes >= CATCH_UP_MINUTES ||
      now < lastCatchUp
    ) {
      lastCatchUp = now
      await this.catalogue.planMissing()
    }
    const drained = await this.drain(options)
    return { discovered, ...drained }
  }

  /** Nodes marked down get asked again once their wait is over; a node that answers resumes draining. */
  async reviveDownNodes() {
    const now = this.clock.now()
    const down = await StorageNode.query().where('active', true).where('status', 'down')
    for (const node of down) {
      if (
        node.statusCheckedAt &&
        now.diff(node.statusCheckedAt, 'seconds').seconds < DOWN_NODE_RETRY_SECONDS
      )
        continue
      await this.registry.checkHealth(node)
    }
  }

  /**
   * Runs queued transfers until none is ready or the time budget is spent.
   * `concurrency` transfers run at once; each copies several instances at once.
   */
  async drain({
    maxMs = 5 * 60_000,
    concurrency = 2,
    maxItems = Number.POSITIVE_INFINITY,
  } = {}): Promise<DrainSummary> {
    // This runs under the job lease: a row still "running" was left by a process that died.
    await db.from('storage_transfers').where('status', 'running').update({ status: 'queued' })
    const started = Date.now()
    const summary: DrainSummary = { attempted: 0, verified: 0, failed: 0, skippedDownNodes: 0 }
    const worker = async () => {
      while (Date.now() - started < maxMs && summary.attempted < maxItems) {
        const transfer = await this.claimNext()
        if (!transfer) return
        summary.attempted++
        const result = await this.runTransfer(transfer)
        if (result.kind === 'verified') summary.verified++
        else if (result.kind === 'retry') summary.failed++
      }
    }
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker))
    return summary
  }

  /** The next ready transfer, in priority order, whose target is not down; claimed atomically. */
  async claimNext(): Promise<StorageTransfer | null> {
    const now = sqlTime(this.clock.now())
    for (let tries = 0; tries < 5; tries++) {
      const row = await db
        .from('storage_transfers')
        .join('storage_nodes', 'storage_nodes.id', 'storage_transfers.target_node_id')
        .where('storage_transfers.status', 'queued')
        .where('storage_transfers.next_attempt_at', '<=', now)
        .where('storage_nodes.active', true)
        .whereNot('storage_nodes.status', 'down')
        .orderBy('storage_transfers.priority_rank', 'asc')
        .orderBy('storage_transfers.enqueued_at', 'asc')
        .orderBy('storage_transfers.id', 'asc')
        .select('storage_transfers.id')
        .first()
      if (!row) return null
      const claimed = await db
        .from('storage_transfers')
        .where('id', row.id)
        .where('status', 'queued')
        .update({ status: 'running', started_at: now })
      if (Number(claimed) === 1) return StorageTransfer.findOrFail(row.id)
    }
    return null
  }

  /** One attempt at one transfer. Never throws: the outcome is written on the row. */
  async runTransfer(transfer: StorageTransfer): Promise<TransferResult> {
    try {
      const result = await this.attempt(transfer)
      if (result.kind === 'retry') await this.retryLater(transfer, result.error)
      return result
    } catch (error) {
      const message = (error as Error)?.message ?? String(error)
      logger.warn(
        { err: error, transfer: transfer.id },
        'storage: transfer attempt failed; will retry'
      )
      await this.retryLater(transfer, message)
      return { kind: 'retry', error: message }
    }
  }

  protected async attempt(transfer: StorageTransfer): Promise<TransferResult> {
    const study = await ArchivedStudy.findOrFail(transfer.archivedStudyId)
    const target = await StorageNode.findOrFail(transfer.targetNodeId)
    const targetCopy = await this.catalogue.copyAt(study, target)
    if (!target.active || targetCopy.state === 'deleted')
      return this.finish(
        transfer,
        'cancelled',
        target.active ? 'copy deleted by retention' : 'node retired'
      )

    const sources = await this.sourcesFor(study, target)
    if (sources.length === 0)
      return { kind: 'retry', error: 'no verified copy on a reachable node to copy from' }

    const targetClient = this.registry.clientFor(target)
    let lastError = ''
    for (const source of sources) {
      const sourceCopy = await this.catalogue.copyAt(study, source)
      let outcome
      const buckets = [
        bucketForNode(source.id, source.bandwidthLimitKbps),
        bucketForNode(target.id, target.bandwidthLimitKbps),
      ].filter((b) => b !== null)
      // Node to node when nothing is capped and the target has an address the other nodes reach.
      const direct =
        buckets.length === 0 && target.peerUrl
          ? {
              peerName: `imaging-transfer-${transfer.id}`,
              url: target.peerUrl,
              username: target.username,
              password: this.registry.passwordOf(target),
            }
          : undefined
      try {
        outcome = await copyStudy({
          orthancStudyId: study.orthancStudyId,
          reference: study.manifest,
          source: this.registry.clientFor(source),
          target: targetClient,
          buckets,
          direct,
        })
      } catch (error: any) {
        if (error instanceof SourceIncomplete) {
          await this.catalogue.markDamaged(
            study,
            sourceCopy,
            `found while copying to ${target.name}: ${error.missing.length} missing, ${error.damaged.length} MD5 mismatch`
          )
          await this.catalogue.planCopies(study)
          lastError = error.message
          continue
        }
        if (error?.isUnreachable) {
          // Which side went away? Ask both; the one that does not answer is marked down.
          await this.registry.checkHealth(source)
          await this.registry.checkHealth(target)
          if (target.status === 'down')
            return { kind: 'retry', error: `${target.name} unreachable: ${error.message}` }
          lastError = `${source.name} unreachable: ${error.message}`
          continue
        }
        throw error
      }

      if (outcome.sourceDamaged.length > 0) {
        await this.catalogue.markDamaged(
          study,
          sourceCopy,
          `${outcome.sourceDamaged.length} instance(s) read back with another MD5 than recorded (file corrupted)`
        )
        await this.catalogue.planCopies(study)
      }
      transfer.merge({
        sourceNodeId: source.id,
        transport:
          outcome.copied === 0
            ? transfer.transport
            : outcome.pushed === outcome.copied
              ? 'direct'
              : outcome.pushed === 0
                ? 'relay'
                : 'mixed',
        instancesCopied: transfer.instancesCopied + outcome.copied,
        bytesCopied: transfer.bytesCopied + outcome.bytes,
      })
      if (outcome.verified) {
        const current = await this.catalogue.markVerified(study, targetCopy, outcome.targetManifest)
        if (!current) {
          // The study grew while we copied: go again at once for the new instances.
          return { kind: 'retry', error: 'the study grew during the copy' }
        }
        await this.finish(transfer, 'done', null)
        await this.catalogue.planCopies(study)
        return {
          kind: 'verified',
          copied: outcome.copied,
          bytes: outcome.bytes,
          sourceNodeId: source.id,
        }
      }
      const { verification } = outcome
      if (verification.missing.length === 0 && verification.mismatched.length === 0) {
        // Only extra instances: the study grew on the target meanwhile; the catalogue takes them in.
        await this.catalogue.reconcileCopy(study, target, outcome.targetManifest)
        await this.finish(transfer, 'done', null)
        return {
          kind: 'verified',
          copied: outcome.copied,
          bytes: outcome.bytes,
          sourceNodeId: source.id,
        }
      }
      lastError = `verification failed on ${target.name}: ${describeDifference(verification)}`
      if (outcome.sourceDamaged.length === 0) break
    }
    return { kind: 'retry', error: lastError || 'no source could provide the study' }
  }

  /**
   * Where to copy from: nodes with a verified copy that are active and not
   * down, the centre first (its link is the data centre's), then the node the
   * study arrived on, then any other.
   */
  protected async sourcesFor(study: ArchivedStudy, target: StorageNode) {
    const copies = await StudyCopy.query()
      .where('archived_study_id', study.id)
      .where('state', 'verified')
      .whereNot('storage_node_id', target.id)
      .preload('node')
    const rank = (node: StorageNode) =>
      node.role === 'central' ? 0 : node.id === study.originNodeId ? 1 : 2
    return copies
      .map((c) => c.node)
      .filter((node) => node.active && node.status !== 'down')
      .sort((a, b) => rank(a) - rank(b))
  }

  protected async retryLater(transfer: StorageTransfer, error: string) {
    const attempts = transfer.attempts + 1
    const next = this.clock.now().plus({ seconds: backoffSeconds(attempts) })
    await db
      .from('storage_transfers')
      .where('id', transfer.id)
      .update({
        status: 'queued',
        attempts,
        next_attempt_at: sqlTime(next),
        last_error: error.slice(0, 500),
        source_node_id: transfer.sourceNodeId ?? null,
        transport: transfer.transport ?? null,
        instances_copied: transfer.instancesCopied,
        bytes_copied: transfer.bytesCopied,
      })
    transfer.merge({
      status: 'queued',
      attempts,
      nextAttemptAt: next,
      lastError: error.slice(0, 500),
    })
  }

  protected async finish(
    transfer: StorageTransfer,
    status: 'done' | 'cancelled',
    why: string | null
  ): Promise<TransferResult> {
    const now = this.clock.now()
    transfer.merge({ status, activeKey: null, finishedAt: now, lastError: why })
    await transfer.save()
    if (status === 'done' && transfer.purpose === 'repair') {
      await audit.system({
        action: 'storage.copy.repaired',
        targetType: 'archived_study',
        targetId: transfer.archivedStudyId,
        details: {
          nodeId: transfer.targetNodeId,
          sourceNodeId: transfer.sourceNodeId,
          instances: transfer.instancesCopied,
        },
      })
    }
    return { kind: 'cancelled', why: why ?? '' }
  }

  /** Transfers waiting for a node, and the oldest of them (the dashboard's backlog). */
  static async backlog(nodeId?: number) {
    const query = db.from('storage_transfers').whereIn('status', ['queued', 'running'])
    if (nodeId) query.where('target_node_id', nodeId)
    const row = await query.count('* as total').min('enqueued_at as oldest').first()
    return { count: Number(row?.total ?? 0), oldest: row?.oldest ?? null }
  }

  /** Used by the verification job and the tests: is the copy on `node` the same study as the manifest? */
  async compareNow(study: ArchivedStudy, node: StorageNode) {
    const manifest = await fetchManifest(this.registry.clientFor(node), study.orthancStudyId)
    return { manifest, comparison: compareManifests(study.manifest, manifest) }
  }
}
