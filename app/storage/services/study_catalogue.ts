import { dicomDate } from '#app/platform/dates'
import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import ArchivedStudy, { type Manifest, type TransferPriority } from '#models/archived_study'
import StudyCopy from '#models/study_copy'
import StorageNode from '#models/storage_node'
import Exam from '#models/exam'
import ExamStudy from '#models/exam_study'
import ClinicPatient from '#models/clinic_patient'
import { Clock } from '#app/platform/clock'
import { audit } from '#app/platform/audit/audit_log'
import imaging from '#config/imaging'
import { StorageNodeRegistry } from './storage_node_registry.js'
import {
  compareManifests,
  describeDifference,
  fetchManifest,
  isIdentical,
  manifestBytes,
  manifestDigest,
} from './manifest.js'
import { transfersNeeded } from './copy_plan.js'
import { enqueueTransfer, PRIORITY_RANK, queuedTargets, sqlTime } from './transfer_queue.js'
import { readChanges } from '#app/orthanc/change_feed'
import type { OrthancChange } from '#app/orthanc/orthanc_client'

/** Two addresses of one Orthanc (localhost and 127.0.0.1 are the same machine). */
function sameOrthanc(a: string, b: string) {
  const norm = (url: string) => {
    try {
      const u = new URL(url)
      const host = u.hostname === 'localhost' ? '127.0.0.1' : u.hostname
      return `${u.protocol}//${host}:${u.port || (u.protocol === 'https:' ? '443' : '80')}${u.pathname.replace(/\/$/, '')}`
    } catch {
      return url
    }
  }
  return norm(a) === norm(b)
}

/*
| The storage catalogue: every study any node holds, the manifest its copies
| are checked against, and the state of each copy. Studies are found by
| reading the /changes feed of the central and member nodes (a StableStudy
| change means the modality has finished sending); the feed position is kept
| on the node row, so a restart resumes where it stopped.
*/

export type NoteOutcome = 'catalogued' | 'verified' | 'grew' | 'damaged' | 'in_transfer' | 'gone'

/** Studies first seen this recently with no exam are routine; older ones are a back-fill (bulk). */
const RECENT_DAYS = 7

@inject()
export class StudyCatalogue {
  constructor(
    protected registry: StorageNodeRegistry,
    protected clock: Clock
  ) {}

  /* ------------------------------------------------------------ discovery */

  /** Reads the feeds of every active central and member node; returns how many stable studies were handled. */
  async discover({ maxPages = 20 } = {}) {
    const nodes = await StorageNode.query()
      .where('active', true)
      .whereIn('role', ['central', 'member'])
      .whereNot('status', 'down')
    let handled = 0
    for (const node of nodes) {
      try {
        handled += await this.discoverAt(node, { maxPages })
      } catch (error: any) {
        if (error?.isUnreachable) await this.registry.markDown(node, error)
        else
          logger.error(
            { err: error, node: node.name },
            'storage: reading a node feed failed; will retry'
          )
      }
    }
    return handled
  }

  /**
   * Reads one node's feed through the shared reader (app/orthanc/change_feed):
   * a study that fails is a poison change of this node's feed, retried and then
   * parked, and the position on the node row moves on.
   */
  async discoverAt(node: StorageNode, { maxPages = 20 } = {}) {
    const client = this.registry.clientFor(node)
    const catalogue = this
    const summary = await readChanges({
      feed: `storage-node:${node.id}`,
      client,
      now: () => this.clock.now(),
      maxPages,
      cursor: {
        load: async () =>
          Number(
            (await db.from('storage_nodes').where('id', node.id).select('changes_seq').first())
              ?.changes_seq ?? node.changesSeq
          ),
        save: async (seq) => {
          await db
            .from('storage_nodes')
            .where('id', node.id)
            .where('changes_seq', '<', seq)
            .update({ changes_seq: seq })
          node.changesSeq = Math.max(node.changesSeq, seq)
        },
      },
      only: [
        {
          name: 'storage',
          changeTypes: ['StableStudy'],
          feeds: () => true,
          handle: (change) => catalogue.noteStableStudy(node, change.ID),
        },
      ],
    })
    if (summary.error) throw summary.error
    return summary.handled
  }

  /**
   * A change of the central Orthanc's feed (the one the app uses), handed over
   * by the shared reader: catalogued for each central node registered at that
   * address, unless that node's own position is already past it.
   */
  async noteCentralChange(change: OrthancChange) {
    const nodes = await StorageNode.query().where('active', true).where('role', 'central')
    for (const node of nodes.filter((n) => sameOrthanc(n.url, imaging.orthanc.url))) {
      if (change.Seq <= node.changesSeq) continue
      await this.noteStableStudy(node, change.ID)
      await db
        .from('storage_nodes')
        .where('id', node.id)
        .where('changes_seq', '<', change.Seq)
        .update({ changes_seq: change.Seq })
    }
  }

  /**
   * A study became stable on a node: catalogue it if new, otherwise check the
   * node's copy against the manifest (it may have grown, or be damaged).
   */
  async noteStableStudy(node: StorageNode, orthancStudyId: string): Promise<NoteOutcome> {
    const client = this.registry.clientFor(node)
    const manifest = await fetchManifest(client, orthancStudyId)
    if (Object.keys(manifest).length === 0) return 'gone'
    const known = await ArchivedStudy.findBy('orthanc_study_id', orthancStudyId)
    if (!known) {
      const study = await this.register(node, orthancStudyId, manifest)
      await this.planCopies(study)
      return 'catalogued'
    }
    // Our own transfer is writing there: its verification settles the copy.
    if ((await queuedTargets(known.id)).has(node.id)) return 'in_transfer'
    return this.reconcileCopy(known, node, manifest)
  }

  protected async register(node: StorageNode, orthancStudyId: string, manifest: Manifest) {
    const client = this.registry.clientFor(node)
    const orthancStudy = await client.study(orthancStudyId)
    const tags = orthancStudy.MainDicomTags
    const patientTags = orthancStudy.PatientMainDicomTags
    const now = this.clock.now()
    const link = await this.findExam(
      node,
      orthancStudyId,
      tags.AccessionNumber,
      patientTags.PatientID
    )
    const series = orthancStudy.Series[0]
      ? await client.series(orthancStudy.Series[0]).catch(() => null)
      : null
    const examDate = this.examDate(link.exam, tags.StudyDate, now)
    const values = {
      orthancStudyId,
      studyInstanceUid: tags.StudyInstanceUID,
      examId: link.exam?.id ?? null,
      patientId: link.patientId,
      // Stored whole, whatever their length (TEXT columns): a device's over-long value never stops the catalogue.
      accessionNumber: tags.AccessionNumber?.trim() || null,
      dicomPatientId: patientTags.PatientID || null,
      modality: series?.MainDicomTags.Modality || null,
      examDate,
      priority: this.priorityOf(link.exam, examDate, now),
      originNodeId: node.id,
      instanceCount: Object.keys(manifest).length,
      totalBytes: manifestBytes(manifest),
      manifest,
      manifestDigest: manifestDigest(manifest),
      verifiedCopies: 0,
      copyStatus: 'single' as const,
      singleCopySince: now,
      firstSeenAt: now,
    }
    let study: ArchivedStudy
    try {
      study = await ArchivedStudy.create(values)
    } catch (error) {
      // Seen at the same moment on another node's feed: the unique id decides.
      const existing = await ArchivedStudy.findBy('orthanc_study_id', orthancStudyId)
      if (!existing) throw error
      return existing
    }
    // The node it arrived on holds the original: by definition the reference copy.
    await StudyCopy.create({
      archivedStudyId: study.id,
      storageNodeId: node.id,
      state: 'verified',
      instanceCount: study.instanceCount,
      manifestDigest: study.manifestDigest,
      verifiedAt: now,
      checkedAt: now,
    })
    await this.refreshStatus(study)
    return study
  }

  /**
   * The exam behind a study: the link intake made, or the accession number;
   * the patient from the exam, or (on a member store) the clinic's patient number.
   */
  protected async findExam(
    node: StorageNode,
    orthancStudyId: string,
    accession?: string,
    dicomPatientId?: string
  ) {
    let exam: Exam | null = null
    const linked = await ExamStudy.findBy('orthanc_study_id', orthancStudyId)
    if (linked) exam = await Exam.find(linked.examId)
    if (!exam && accession?.trim()) {
      const byAccession = await Exam.findBy('accession_number', accession.trim())
      if (
        byAccession &&
        (node.role !== 'member' || byAccession.institutionId === node.institutionId)
      )
        exam = byAccession
    }
    let patientId = exam?.patientId ?? null
    if (!patientId && node.role === 'member' && node.institutionId && dicomPatientId?.trim()) {
      const clinicPatient = await ClinicPatient.query()
        .where('institution_id', node.institutionId)
        .where('clinic_patient_no', dicomPatientId.trim())
        .first()
      patientId = clinicPatient?.patientId ?? null
    }
    return { exam, patientId }
  }

  /**
   * Retention runs from the exam date: the day the exam was registered (the
   * system's own clock), else the DICOM study date if it is not in the
   * future, else the day we first saw the study.
   */
  protected examDate(exam: Exam | null, studyDate: string | undefined, now: DateTime) {
    const today = now.setZone(imaging.displayTimezone).startOf('day')
    if (exam) return exam.registeredAt.setZone(imaging.displayTimezone).startOf('day')
    const fromDicom = dicomDate(studyDate)
    if (fromDicom && fromDicom <= today) return fromDicom
    return today
  }

  /** C 8.2.1: emergency exams first, then routine; studies with no exam that are not recent are bulk. */
  protected priorityOf(exam: Exam | null, examDate: DateTime, now: DateTime): TransferPriority {
    if (exam) return exam.priority === 'emergency' ? 'emergency' : 'routine'
    return now.diff(examDate, 'days').days <= RECENT_DAYS ? 'routine' : 'bulk'
  }

  /**
   * Studies catalogued before intake linked them to an exam (a member store
   * forwards before the centre has matched the exam) get their exam, patient,
   * date and priority; their queued transfers move up if they are emergencies.
   */
  async linkExams({ withinDays = 30, limit = 500 } = {}) {
    const now = this.clock.now()
    const unlinked = await ArchivedStudy.query()
      .whereNull('exam_id')
      .where('first_seen_at', '>=', sqlTime(now.minus({ days: withinDays })))
      .preload('origin')
      .limit(limit)
    let linked = 0
    for (const study of unlinked) {
      try {
        if (await this.linkOne(study, now)) linked++
      } catch (error) {
        // One odd study must not stop the cycle for every other.
        logger.error(
          { err: error, study: study.orthancStudyId },
          'storage: linking a catalogued study to its exam failed'
        )
      }
    }
    return linked
  }

  protected async linkOne(study: ArchivedStudy, now: DateTime) {
    {
      const { exam, patientId } = await this.findExam(
        study.origin,
        study.orthancStudyId,
        study.accessionNumber ?? undefined,
        study.dicomPatientId ?? undefined
      )
      if (!exam && (!patientId || patientId === study.patientId)) return false
      study.merge({ examId: exam?.id ?? null, patientId: patientId ?? study.patientId })
      if (exam) {
        study.examDate = this.examDate(exam, undefined, now)
        study.priority = this.priorityOf(exam, study.examDate, now)
      }
      await study.save()
      await db
        .from('storage_transfers')
        .where('archived_study_id', study.id)
        .whereIn('status', ['queued', 'running'])
        .update({ priority: study.priority, priority_rank: PRIORITY_RANK[study.priority] })
      return true
    }
  }

  /* ---------------------------------------------------------------- copies */

  /**
   * Checks a node's copy against the manifest. Identical: verified. Only new
   * instances: the study grew on that node (a late series); the manifest takes
   * them in and every other copy must fetch them. Anything missing or with
   * another MD5: damaged, and a repair is queued.
   */
  async reconcileCopy(
    study: ArchivedStudy,
    node: StorageNode,
    manifest: Manifest
  ): Promise<NoteOutcome> {
    const comparison = compareManifests(study.manifest, manifest)
    const copy = await this.copyAt(study, node)
    if (isIdentical(comparison)) {
      await this.markVerified(study, copy, manifest)
      await this.planCopies(study)
      return 'verified'
    }
    if (comparison.mismatched.length === 0 && comparison.extra.length > 0) {
      await this.grow(study, node, manifest, comparison.extra)
      if (comparison.missing.length === 0) await this.markVerified(study, copy, manifest)
      else
        await this.markPresent(
          copy,
          manifest,
          describeDifference(compareManifests(study.manifest, manifest))
        )
      await this.planCopies(study)
      return 'grew'
    }
    await this.markDamaged(study, copy, describeDifference(comparison), manifest)
    await this.planCopies(study)
    return 'damaged'
  }

  async copyAt(study: ArchivedStudy, node: StorageNode) {
    const now = this.clock.now()
    return StudyCopy.firstOrCreate(
      { archivedStudyId: study.id, storageNodeId: node.id },
      { state: 'present', instanceCount: 0, createdAt: now, updatedAt: now }
    )
  }

  protected async grow(
    study: ArchivedStudy,
    node: StorageNode,
    manifest: Manifest,
    extra: string[]
  ) {
    const grown: Manifest = { ...study.manifest }
    for (const id of extra) grown[id] = manifest[id]
    const previous = study.instanceCount
    study.merge({
      manifest: grown,
      manifestDigest: manifestDigest(grown),
      instanceCount: Object.keys(grown).length,
      totalBytes: manifestBytes(grown),
    })
    await study.save()
    // Every verified copy now lacks the new instances.
    await db
      .from('study_copies')
      .where('archived_study_id', study.id)
      .whereNot('storage_node_id', node.id)
      .where('state', 'verified')
      .update({
        state: 'present',
        problem: `study grew on ${node.name}`.slice(0, 255),
        updated_at: sqlTime(this.clock.now()),
      })
    await audit.system({
      action: 'storage.study.grew',
      targetType: 'archived_study',
      targetId: study.id,
      details: { node: node.name, before: previous, after: study.instanceCount },
    })
    await this.refreshStatus(study)
  }

  /** Records a verified copy, unless the manifest moved on meanwhile (then it stays to be completed). */
  async markVerified(study: ArchivedStudy, copy: StudyCopy, manifest: Manifest) {
    const now = this.clock.now()
    const digest = manifestDigest(manifest)
    await study.refresh()
    const current = digest === study.manifestDigest
    copy.merge({
      state: current ? 'verified' : 'present',
      instanceCount: Object.keys(manifest).length,
      manifestDigest: digest,
      verifiedAt: current ? now : copy.verifiedAt,
      checkedAt: now,
      problem: current ? null : 'manifest changed during the copy',
    })
    await copy.save()
    await this.refreshStatus(study)
    return current
  }

  async markPresent(copy: StudyCopy, manifest: Manifest, problem: string | null) {
    copy.merge({
      state: 'present',
      instanceCount: Object.keys(manifest).length,
      manifestDigest: manifestDigest(manifest),
      checkedAt: this.clock.now(),
      problem,
    })
    await copy.save()
  }

  /** A verification found the copy incomplete or different: recorded, audited, and (by planCopies) repaired. */
  async markDamaged(study: ArchivedStudy, copy: StudyCopy, problem: string, manifest?: Manifest) {
    const wasVerified = copy.state === 'verified'
    copy.merge({
      state: 'damaged',
      checkedAt: this.clock.now(),
      problem: problem.slice(0, 255),
      ...(manifest
        ? { instanceCount: Object.keys(manifest).length, manifestDigest: manifestDigest(manifest) }
        : {}),
    })
    await copy.save()
    await audit.system({
      action: 'storage.copy.damaged',
      outcome: 'failed',
      targetType: 'archived_study',
      targetId: study.id,
      details: { nodeId: copy.storageNodeId, problem, wasVerified },
    })
    await this.refreshStatus(study)
  }

  /** Queues whatever copies the study still needs (forward, backups, repairs). */
  async planCopies(study: ArchivedStudy) {
    const [nodes, copies, queued, origin] = await Promise.all([
      StorageNode.query().where('active', true),
      StudyCopy.query().where('archived_study_id', study.id),
      queuedTargets(study.id),
      StorageNode.find(study.originNodeId),
    ])
    const planned = transfersNeeded(
      origin?.role ?? 'central',
      nodes.map((n) => ({ id: n.id, role: n.role })),
      copies.map((c) => ({ nodeId: c.storageNodeId, state: c.state })),
      queued
    )
    for (const transfer of planned)
      await enqueueTransfer(study, transfer.nodeId, transfer.purpose, this.clock.now())
    return planned
  }

  /**
   * The study's verified copies and its status: verified when the centre and
   * every backup hold a verified copy, copied while more than one copy exists,
   * single otherwise. `single_copy_since` drives the 24-hour alert.
   */
  async refreshStatus(study: ArchivedStudy) {
    const rows = await db
      .from('study_copies')
      .join('storage_nodes', 'storage_nodes.id', 'study_copies.storage_node_id')
      .where('study_copies.archived_study_id', study.id)
      .where('storage_nodes.active', true)
      // the upper hospital's copy of an escalated study is theirs, not one of the alliance's copies
      .whereNot('storage_nodes.role', 'upper')
      .select('study_copies.state', 'storage_nodes.role', 'storage_nodes.id')
    const required = await db
      .from('storage_nodes')
      .where('active', true)
      .whereIn('role', ['central', 'backup'])
      .select('id')
    const verifiedAt = new Set(rows.filter((r) => r.state === 'verified').map((r) => Number(r.id)))
    const verified = verifiedAt.size
    const others = rows.filter((r) => ['present', 'damaged'].includes(r.state)).length
    const allRequired = required.length > 0 && required.every((r) => verifiedAt.has(Number(r.id)))
    const status =
      allRequired && verified >= 2 ? 'verified' : verified >= 2 || others > 0 ? 'copied' : 'single'
    const now = this.clock.now()
    const singleSince = verified <= 1 ? (study.singleCopySince ?? now) : null
    await db
      .from('archived_studies')
      .where('id', study.id)
      .update({
        verified_copies: verified,
        copy_status: status,
        single_copy_since: singleSince ? sqlTime(singleSince) : null,
        updated_at: sqlTime(now),
      })
    study.merge({ verifiedCopies: verified, copyStatus: status, singleCopySince: singleSince })
    return study
  }

  /**
   * After the set of nodes changed (a backup added, retired or brought back):
   * every study's verified count and status again, in a few set-based
   * statements rather than study by study. Missing copies are then queued by
   * `planMissing` on the next replication cycles.
   */
  async refreshAllStatuses() {
    const now = sqlTime(this.clock.now())
    const required = (
      await db
        .from('storage_nodes')
        .where('active', true)
        .whereIn('role', ['central', 'backup'])
        .select('id')
    ).map((r) => Number(r.id))
    const verifiedOnActive = `(SELECT COUNT(*) FROM study_copies c JOIN storage_nodes n ON n.id = c.storage_node_id
      WHERE c.archived_study_id = archived_studies.id AND c.state = 'verified' AND n.active = ? AND n.role <> 'upper')`
    const verifiedOnRequired = required.length
      ? `(SELECT COUNT(*) FROM study_copies c WHERE c.archived_study_id = archived_studies.id AND c.state = 'verified' AND c.storage_node_id IN (${required.map(() => '?').join(',')}))`
      : '0'
    const othersPresent = `(SELECT COUNT(*) FROM study_copies c JOIN storage_nodes n ON n.id = c.storage_node_id
      WHERE c.archived_study_id = archived_studies.id AND c.state IN ('present', 'damaged') AND n.active = ? AND n.role <> 'upper')`
    await db.rawQuery(`UPDATE archived_studies SET verified_copies = ${verifiedOnActive}`, [1])
    await db.rawQuery(
      `UPDATE archived_studies SET
        copy_status = CASE
          WHEN ${required.length} > 0 AND ${verifiedOnRequired} = ${required.length} AND verified_copies >= 2 THEN 'verified'
          WHEN verified_copies >= 2 OR ${othersPresent} > 0 THEN 'copied'
          ELSE 'single' END,
        single_copy_since = CASE WHEN verified_copies <= 1 THEN COALESCE(single_copy_since, ?) ELSE NULL END`,
      [...required, 1, now]
    )
  }

  /**
   * Studies with no copy (queued or held) on a required node: a backup added
   * after they were catalogued or brought back, or a plan that was interrupted. Queued a
   * batch per cycle, oldest first; backups only once the centre holds a
   * verified copy to send them from.
   */
  async planMissing({ limit = 200 } = {}) {
    const nodes = await StorageNode.query()
      .where('active', true)
      .whereIn('role', ['central', 'backup'])
    const central = nodes.find((n) => n.role === 'central')
    let planned = 0
    for (const node of nodes) {
      const query = ArchivedStudy.query()
        // no copy there, or one left unfinished with nothing queued for it
        .whereNotExists((q) =>
          q
            .from('study_copies')
            .whereColumn('study_copies.archived_study_id', 'archived_studies.id')
            .where('study_copies.storage_node_id', node.id)
            .where((w) =>
              w
                .whereIn('study_copies.state', ['verified', 'deleted'])
                .orWhereExists((t) =>
                  t
                    .from('storage_transfers')
                    .whereColumn('storage_transfers.archived_study_id', 'archived_studies.id')
                    .where('storage_transfers.target_node_id', node.id)
                    .whereIn('storage_transfers.status', ['queued', 'running'])
                )
            )
        )
        .orderBy('id')
        .limit(limit)
      if (node.role === 'backup' && central) {
        query.whereExists((q) =>
          q
            .from('study_copies')
            .whereColumn('study_copies.archived_study_id', 'archived_studies.id')
            .where('study_copies.storage_node_id', central.id)
            .where('study_copies.state', 'verified')
        )
      }
      for (const study of await query) {
        try {
          await this.refreshStatus(study)
          planned += (await this.planCopies(study)).length
        } catch (error) {
          logger.error(
            { err: error, study: study.orthancStudyId },
            'storage: planning the copies of a study failed'
          )
        }
      }
    }
    return planned
  }
}
