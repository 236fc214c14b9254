import { inject } from '@adonisjs/core'
import ArchivedStudy from '#models/archived_study'
import StudyCopy from '#models/study_copy'
import StorageNode from '#models/storage_node'
import { Clock } from '#app/platform/clock'
import { audit } from '#app/platform/audit/audit_log'
import { StorageNodeRegistry } from './storage_node_registry.js'
import { StudyCatalogue } from './study_catalogue.js'
import { compareManifests, fetchManifest, isIdentical } from './manifest.js'
import { mapLimit } from './concurrency.js'
import { sqlTime } from './transfer_queue.js'

/*
| Verified copies are checked again, oldest check first, so that a study that
| disappears or rots on one node is found and re-copied from a good one before
| anyone needs it. The quick check compares the node's instance list and
| recorded MD5s with the manifest; the deep check also makes Orthanc re-read
| every file and compare it with the MD5 it recorded (bit rot on disk).
*/

export type VerifyOutcome = 'verified' | 'damaged' | 'unreachable' | 'grew'

@inject()
export class CopyVerification {
  constructor(
    protected registry: StorageNodeRegistry,
    protected catalogue: StudyCatalogue,
    protected clock: Clock
  ) {}

  async verifyCopy(copy: StudyCopy, { deep = false } = {}): Promise<VerifyOutcome> {
    const study = await ArchivedStudy.findOrFail(copy.archivedStudyId)
    const node = await StorageNode.findOrFail(copy.storageNodeId)
    const client = this.registry.clientFor(node)
    let manifest
    try {
      manifest = await fetchManifest(client, study.orthancStudyId)
    } catch (error: any) {
      if (error?.isUnreachable) {
        await this.registry.markDown(node, error)
        return 'unreachable'
      }
      throw error
    }
    const comparison = compareManifests(study.manifest, manifest)
    if (!isIdentical(comparison)) {
      const outcome = await this.catalogue.reconcileCopy(study, node, manifest)
      return outcome === 'grew' ? 'grew' : 'damaged'
    }
    if (deep) {
      const corrupted: string[] = []
      await mapLimit(Object.keys(manifest), 4, async (id) => {
        if (!(await client.verifyInstanceMd5(id))) corrupted.push(id)
      })
      if (corrupted.length > 0) {
        // A corrupted file cannot be overwritten in Orthanc, only deleted and sent again; delete it
        // only when a good copy exists elsewhere to send it again from.
        const goodElsewhere = await StudyCopy.query()
          .where('archived_study_id', study.id)
          .where('state', 'verified')
          .whereNot('storage_node_id', node.id)
          .first()
        if (goodElsewhere)
          for (const id of corrupted) await client.deleteInstance(id).catch(() => undefined)
        await this.catalogue.markDamaged(
          study,
          copy,
          `${corrupted.length} file(s) on disk do not match their recorded MD5`
        )
        await this.catalogue.planCopies(study)
        return 'damaged'
      }
    }
    await this.catalogue.markVerified(study, copy, manifest)
    return 'verified'
  }

  /**
   * Checks up to `limit` verified copies not checked for `olderThanDays`,
   * oldest check first, on nodes that are up.
   */
  async scrub({ limit = 50, olderThanDays = 30, deep = false } = {}) {
    const now = this.clock.now()
    const due = await StudyCopy.query()
      .join('storage_nodes', 'storage_nodes.id', 'study_copies.storage_node_id')
      .where('storage_nodes.active', true)
      .whereNot('storage_nodes.status', 'down')
      .where('study_copies.state', 'verified')
      .where((q) =>
        q
          .whereNull('study_copies.checked_at')
          .orWhere('study_copies.checked_at', '<=', sqlTime(now.minus({ days: olderThanDays })))
      )
      .orderBy('study_copies.checked_at', 'asc')
      .limit(limit)
      .select('study_copies.*')
    const tally: Record<VerifyOutcome, number> = {
      verified: 0,
      damaged: 0,
      unreachable: 0,
      grew: 0,
    }
    for (const copy of due) tally[await this.verifyCopy(copy, { deep })]++
    if (tally.damaged > 0) {
      await audit.system({
        action: 'storage.verify.run',
        outcome: 'failed',
        details: { ...tally, deep },
      })
    }
    return tally
  }
}
