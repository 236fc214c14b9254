import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import { DateTime } from 'luxon'
import ArchivedStudy from '#models/archived_study'
import StudyCopy from '#models/study_copy'
import StorageNode from '#models/storage_node'
import RetentionRun from '#models/retention_run'
import RetentionDecision, { type RetentionVerdict as Verdict } from '#models/retention_decision'
import { Clock } from '#app/platform/clock'
import { audit } from '#app/platform/audit/audit_log'
import imaging from '#config/imaging'
import { StorageNodeRegistry } from './storage_node_registry.js'
import { StudyCatalogue } from './study_catalogue.js'
import { LegalHolds, isHeld } from './legal_holds.js'
import { compareManifests, fetchManifest, isIdentical } from './manifest.js'
import {
  decideRetention,
  effectiveRetentionYears,
  retentionCutoff,
  type KeepReason,
} from './retention_rules.js'
import { sqlTime } from './transfer_queue.js'
import { nextRetentionRun } from './retention_schedule.js'

/*
| The nightly retention job (C 8.3.2). For every copy past its node's
| retention it decides keep or delete by `decideRetention`, re-checks the
| copies elsewhere against the manifest just before deleting anything, and
| records every decision (kept and why, deleted, would delete in a dry run).
| Nothing is deleted from a node in dry-run mode, nor in a dry run started by
| an administrator.
*/

export {
  RETENTION_LOCAL_HOUR,
  RETENTION_LOCAL_MINUTE,
  retentionCron,
  nextRetentionRun,
} from './retention_schedule.js'

export interface Candidate {
  copy: StudyCopy
  study: ArchivedStudy
  node: StorageNode
  action: 'keep' | 'delete'
  reason: string
  keepUntil: DateTime
}

export interface PreviewItem {
  studyId: number
  orthancStudyId: string
  accessionNumber: string | null
  node: string
  examDate: string
  keepUntil: string
  decision: Verdict
  reason: string
}

@inject()
export class RetentionSweep {
  constructor(
    protected registry: StorageNodeRegistry,
    protected catalogue: StudyCatalogue,
    protected clock: Clock
  ) {}

  protected today(at: DateTime) {
    return at.setZone(imaging.displayTimezone).startOf('day')
  }

  /**
   * Every copy past its node's retention on `at`, with the rule's verdict.
   * Copies still within retention are not candidates and are not listed.
   */
  async *candidates(at: DateTime, batch = 200): AsyncGenerator<Candidate> {
    const today = this.today(at)
    const holds = await LegalHolds.inForce()
    // The upper-level hospital's Orthanc keeps what was escalated to it by its own rules, not ours.
    const nodes = await StorageNode.query()
      .where('active', true)
      .whereNot('role', 'upper')
      .orderBy('id')
    const activeIds = new Set(nodes.map((n) => n.id))
    const roleOf = new Map(nodes.map((n) => [n.id, n.role]))
    for (const node of nodes) {
      const cutoff = retentionCutoff(today, effectiveRetentionYears(node))
      let lastId = 0
      for (;;) {
        const copies = await StudyCopy.query()
          .join('archived_studies', 'archived_studies.id', 'study_copies.archived_study_id')
          .where('study_copies.storage_node_id', node.id)
          .whereIn('study_copies.state', ['present', 'verified', 'damaged'])
          .where('archived_studies.exam_date', '<=', cutoff.toISODate()!)
          .where('study_copies.id', '>', lastId)
          .orderBy('study_copies.id')
          .limit(batch)
          .select('study_copies.*')
        if (copies.length === 0) break
        lastId = copies[copies.length - 1].id
        const studyIds = copies.map((c) => c.archivedStudyId)
        const studies = new Map(
          (await ArchivedStudy.query().whereIn('id', studyIds)).map((s) => [s.id, s])
        )
        const elsewhere = await StudyCopy.query()
          .whereIn('archived_study_id', studyIds)
          .where('state', 'verified')
        for (const copy of copies) {
          const study = studies.get(copy.archivedStudyId)!
          const verifiedOthers = elsewhere.filter(
            (c) =>
              c.archivedStudyId === study.id &&
              c.storageNodeId !== node.id &&
              activeIds.has(c.storageNodeId)
          )
          const verdict = decideRetention({
            node,
            copyState: copy.state,
            examDate: study.examDate.setZone(imaging.displayTimezone, { keepLocalTime: true }),
            today,
            held: isHeld(holds, study),
            verifiedAtCentre: verifiedOthers.some((c) => roleOf.get(c.storageNodeId) === 'central'),
            verifiedAtBackup: verifiedOthers.some((c) => roleOf.get(c.storageNodeId) === 'backup'),
            verifiedElsewhere: verifiedOthers.length,
          })
          if (verdict.reason === 'within_retention') continue
          yield {
            copy,
            study,
            node,
            action: verdict.action,
            reason: verdict.reason,
            keepUntil: verdict.keepUntil,
          }
        }
      }
    }
  }

  /** What the next nightly run would decide, from the catalogue as it is now (nothing is written). */
  async preview({ limit = 200, at }: { limit?: number; at?: DateTime } = {}) {
    const asOf = at ?? nextRetentionRun(this.clock.now())
    const items: PreviewItem[] = []
    const totals: Record<string, number> = {}
    for await (const candidate of this.candidates(asOf)) {
      const decision: Verdict = candidate.action === 'delete' ? 'would_delete' : 'kept'
      const key = `${decision}:${candidate.reason}`
      totals[key] = (totals[key] ?? 0) + 1
      if (items.length < limit) {
        items.push({
          studyId: candidate.study.id,
          orthancStudyId: candidate.study.orthancStudyId,
          accessionNumber: candidate.study.accessionNumber,
          node: candidate.node.name,
          examDate: candidate.study.examDate.toISODate()!,
          keepUntil: candidate.keepUntil.toISODate()!,
          decision:
            candidate.action === 'delete' && candidate.node.retentionDryRun
              ? 'would_delete'
              : candidate.action === 'delete'
                ? 'deleted'
                : 'kept',
          reason: candidate.reason,
        })
      }
    }
    return { asOf, items, totals }
  }

  /**
   * One run. `dryRun` forces a dry run on every node; otherwise each node's
   * own dry-run setting applies. Returns the recorded run.
   */
  async run({
    trigger = 'schedule',
    userId = null,
    dryRun = false,
  }: { trigger?: 'schedule' | 'manual'; userId?: number | null; dryRun?: boolean } = {}) {
    const now = this.clock.now()
    const run = await RetentionRun.create({
      trigger,
      triggeredById: userId,
      dryRun,
      asOf: now,
      startedAt: now,
      finishedAt: null,
      candidates: 0,
      deleted: 0,
      kept: 0,
      failed: 0,
    })
    const byReason: Record<string, number> = {}
    for await (const candidate of this.candidates(now)) {
      run.candidates++
      let decision: Verdict
      let reason = candidate.reason
      if (candidate.action === 'keep') {
        decision = 'kept'
      } else if (dryRun || candidate.node.retentionDryRun) {
        decision = 'would_delete'
      } else {
        const result = await this.deleteCopy(candidate)
        decision = result.decision
        reason = result.reason
      }
      if (decision === 'deleted') run.deleted++
      else if (decision === 'failed') run.failed++
      else run.kept++
      byReason[`${decision}:${reason}`] = (byReason[`${decision}:${reason}`] ?? 0) + 1
      await this.record(run, candidate, decision, reason)
    }
    run.finishedAt = this.clock.now()
    await run.save()
    await audit.system({
      action: 'storage.retention.run',
      targetType: 'retention_run',
      targetId: run.id,
      details: {
        trigger,
        triggeredById: userId,
        dryRun,
        candidates: run.candidates,
        deleted: run.deleted,
        kept: run.kept,
        failed: run.failed,
        byReason,
      },
    })
    return run
  }

  /**
   * Just before deleting: the member's copy must hold nothing the manifest
   * lacks, and the centre's and a backup's copies must still match the
   * manifest now, not only when last checked.
   */
  protected async deleteCopy(candidate: Candidate): Promise<{ decision: Verdict; reason: string }> {
    const { study, node, copy } = candidate
    let here
    try {
      here = await fetchManifest(this.registry.clientFor(node), study.orthancStudyId)
    } catch (error: any) {
      if (error?.isUnreachable) await this.registry.markDown(node, error)
      return { decision: 'failed', reason: 'node_unreachable' }
    }
    const comparison = compareManifests(study.manifest, here)
    if (comparison.extra.length > 0) {
      // Instances arrived that no other node has yet: catalogue and copy them first.
      await this.catalogue.reconcileCopy(study, node, here)
      return { decision: 'kept', reason: 'unreplicated_instances' satisfies KeepReason }
    }
    const elsewhere = await StudyCopy.query()
      .where('archived_study_id', study.id)
      .where('state', 'verified')
      .whereNot('storage_node_id', node.id)
      .preload('node')
    const confirmed = { central: false, backup: false }
    for (const other of elsewhere) {
      if (!other.node.active || (other.node.role !== 'central' && other.node.role !== 'backup'))
        continue
      const role = other.node.role
      if (confirmed[role]) continue
      try {
        const manifest = await fetchManifest(
          this.registry.clientFor(other.node),
          study.orthancStudyId
        )
        if (isIdentical(compareManifests(study.manifest, manifest))) {
          confirmed[role] = true
          await this.catalogue.markVerified(study, other, manifest)
        } else {
          await this.catalogue.reconcileCopy(study, other.node, manifest)
        }
      } catch (error: any) {
        if (!error?.isUnreachable) throw error
        await this.registry.markDown(other.node, error)
      }
    }
    if (!confirmed.central || !confirmed.backup)
      return { decision: 'kept', reason: 'reverification_failed' satisfies KeepReason }

    try {
      await this.registry.clientFor(node).deleteStudy(study.orthancStudyId)
    } catch (error: any) {
      if (!error?.isNotFound) {
        logger.warn(
          { err: error, study: study.id, node: node.name },
          'storage: retention delete failed'
        )
        return {
          decision: 'failed',
          reason: error?.isUnreachable ? 'node_unreachable' : 'delete_failed',
        }
      }
    }
    copy.merge({ state: 'deleted', deletedAt: this.clock.now(), checkedAt: this.clock.now() })
    await copy.save()
    await this.catalogue.refreshStatus(study)
    await audit.system({
      action: 'storage.retention.delete',
      targetType: 'archived_study',
      targetId: study.id,
      details: {
        node: node.name,
        orthancStudyId: study.orthancStudyId,
        examDate: study.examDate.toISODate(),
        keepUntil: candidate.keepUntil.toISODate(),
        instances: study.instanceCount,
      },
    })
    return { decision: 'deleted', reason: candidate.reason }
  }

  /** Writes the decision; a decision that differs from the copy's last one is also audited. */
  protected async record(
    run: RetentionRun,
    candidate: Candidate,
    decision: Verdict,
    reason: string
  ) {
    const now = this.clock.now()
    await RetentionDecision.create({
      retentionRunId: run.id,
      studyCopyId: candidate.copy.id,
      archivedStudyId: candidate.study.id,
      storageNodeId: candidate.node.id,
      decision,
      reason,
      keepUntil: candidate.keepUntil,
      decidedAt: now,
    })
    const changed =
      candidate.copy.retentionDecision !== decision || candidate.copy.retentionReason !== reason
    await StudyCopy.query()
      .where('id', candidate.copy.id)
      .update({
        retention_decision: decision,
        retention_reason: reason,
        retention_decided_at: sqlTime(now),
      })
    if (changed && decision !== 'deleted') {
      await audit.system({
        action: 'storage.retention.decision',
        outcome: decision === 'failed' ? 'failed' : 'success',
        targetType: 'archived_study',
        targetId: candidate.study.id,
        details: {
          node: candidate.node.name,
          decision,
          reason,
          keepUntil: candidate.keepUntil.toISODate(),
          runId: run.id,
          dryRun: run.dryRun,
        },
      })
    }
  }
}
