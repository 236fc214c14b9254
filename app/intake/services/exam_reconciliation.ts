import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import Exam from '#models/exam'
import { Clock } from '#app/platform/clock'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { sqlTime } from '#app/platform/db_helpers'
import { audit } from '#app/platform/audit/audit_log'
import { countsOf, linkWholeStudy } from './study_links.js'
import { heldSeriesIds } from './dicom_arrivals.js'

/*
| Finds exams whose database rows and Orthanc studies disagree, and mends
| them from what Orthanc holds: counts that missed an instance (a crash
| between Orthanc's answer and the commit), an exam with images still
| "registered" (and so outside the reading queue), a claim whose upload never
| reached Orthanc, an unmatched study that was attached but not marked so.
| Runs at start-up and every few minutes; each exam is mended on its own.
*/

export interface ReconcileSummary {
  checked: number
  mended: number
  emptyClaimsRemoved: number
  failed: number
}

@inject()
export class ExamReconciliation {
  constructor(
    protected orthanc: OrthancClient,
    protected clock: Clock
  ) {}

  /** Checks the studies linked or changed in the last `withinHours`, and every exam left "registered" with a study. */
  async reconcile({ withinHours = 48, limit = 2000 } = {}): Promise<ReconcileSummary> {
    const now = this.clock.now()
    const since = sqlTime(now.minus({ hours: withinHours }))
    const rows = await db
      .from('exam_studies')
      .join('exams', 'exams.id', 'exam_studies.exam_id')
      .where((q) =>
        q.where('exam_studies.last_received_at', '>=', since).orWhere('exams.status', 'registered')
      )
      .select('exam_studies.*')
      .orderBy('exam_studies.id', 'desc')
      .limit(limit)
    const summary: ReconcileSummary = { checked: 0, mended: 0, emptyClaimsRemoved: 0, failed: 0 }
    for (const row of rows) {
      summary.checked++
      try {
        const outcome = await this.reconcileStudy(row)
        if (outcome === 'mended') summary.mended++
        if (outcome === 'claim_removed') summary.emptyClaimsRemoved++
      } catch (error: any) {
        if (error?.isUnreachable) throw error
        summary.failed++
        logger.error({ err: error, examStudy: row.id }, 'intake: reconciling a study failed')
      }
    }
    await this.closeAttachedUnmatched()
    return summary
  }

  protected async reconcileStudy(row: any): Promise<'ok' | 'mended' | 'claim_removed'> {
    const now = this.clock.now()
    let series
    try {
      series = await this.orthanc.studySeries(row.orthanc_study_id)
    } catch (error: any) {
      if (!error?.isNotFound) throw error
      // Claimed for an upload that never reached Orthanc: the claim goes, so the study can arrive later.
      if (Number(row.instance_count) === 0) {
        await db.from('exam_series').where('exam_study_id', row.id).delete()
        await db.from('exam_studies').where('id', row.id).where('instance_count', 0).delete()
        return 'claim_removed'
      }
      logger.warn(
        { examStudy: row.id, orthancStudyId: row.orthanc_study_id },
        'intake: a linked study is no longer in Orthanc'
      )
      return 'ok'
    }
    const held = await heldSeriesIds([row.orthanc_study_id])
    const counts = countsOf(series, (s) => !held.has(s.ID))
    const exam = await Exam.findOrFail(row.exam_id)
    const stale =
      counts.instances !== Number(row.instance_count) ||
      counts.series.length !== Number(row.series_count) ||
      (exam.status === 'registered' && counts.instances > 0)
    if (!stale) return 'ok'
    const before = {
      instances: Number(row.instance_count),
      series: Number(row.series_count),
      status: exam.status,
    }
    await linkWholeStudy(
      exam,
      {
        studyInstanceUid: row.study_instance_uid,
        orthancStudyId: row.orthanc_study_id,
        receivedVia: row.received_via,
        sendingAe: row.sending_ae,
      },
      counts,
      now
    )
    await audit.system({
      action: 'exam.images.reconciled',
      targetType: 'exam',
      targetId: exam.id,
      details: {
        orthancStudyId: row.orthanc_study_id,
        before,
        after: { instances: counts.instances, series: counts.series.length },
      },
    })
    return 'mended'
  }

  /** An unmatched study whose Orthanc study is linked to an exam is no longer open. */
  protected async closeAttachedUnmatched() {
    const open = await db
      .from('unmatched_studies')
      .join('exam_studies', 'exam_studies.orthanc_study_id', 'unmatched_studies.orthanc_study_id')
      .where('unmatched_studies.status', 'open')
      .select('unmatched_studies.id', 'exam_studies.exam_id')
      .limit(500)
    for (const row of open) {
      await db
        .from('unmatched_studies')
        .where('id', row.id)
        .where('status', 'open')
        .update({
          status: 'attached',
          attached_exam_id: row.exam_id,
          resolved_at: sqlTime(this.clock.now()),
          updated_at: sqlTime(this.clock.now()),
        })
    }
  }
}
