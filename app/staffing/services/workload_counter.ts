import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import type { ExamStatus } from '#models/exam'
import { categoryOfItem, emptyWorkload, type Workload } from './staffing_rules.js'
import { sqlTime } from '#app/platform/db_helpers'

/**
 * Exams that were actually done: their images reached the centre (or they went
 * further: read, reviewed, signed, amended). A merely registered exam may never
 * happen (the patient did not come, the request was withdrawn), so it is not work
 * done. A new exam status must be added here on purpose, not counted by accident.
 */
export const PERFORMED_STATUSES: ExamStatus[] = [
  'images_received',
  'in_progress',
  'pending_review',
  'signed',
  'amended',
]

/** Body parts (部位) performed per institution and Table 1 category, in [start, end). */
export interface CountedWorkload {
  /** every institution together: what the centre read */
  all: Workload
  byInstitution: Map<number, Workload>
}

/**
 * Counts the workload the system itself recorded, in body parts: one performed
 * catalogue item (exam_exam_items row) is one 部位, so a chest + abdomen CT is two.
 * An exam counts on the day its images were received (when it was done), or its
 * registration day if that was never stamped.
 */
export class WorkloadCounter {
  async count(start: DateTime, end: DateTime): Promise<CountedWorkload> {
    const sql = (t: DateTime) => sqlTime(t)
    const rows = await db
      .from('exams as e')
      .join('exam_exam_items as x', 'x.exam_id', 'e.id')
      .join('exam_items as i', 'i.id', 'x.exam_item_id')
      .whereIn('e.status', PERFORMED_STATUSES)
      .whereRaw('COALESCE(e.images_received_at, e.registered_at) >= ?', [sql(start)])
      .whereRaw('COALESCE(e.images_received_at, e.registered_at) < ?', [sql(end)])
      .groupBy('e.institution_id', 'i.modality', 'i.is_contrast')
      .select(
        'e.institution_id as institutionId',
        'i.modality as modality',
        'i.is_contrast as isContrast'
      )
      .count('* as parts')

    const all = emptyWorkload()
    const byInstitution = new Map<number, Workload>()
    for (const row of rows) {
      const category = categoryOfItem({
        modality: String(row.modality),
        isContrast: Boolean(Number(row.isContrast)),
      })
      const parts = Number(row.parts)
      all[category] += parts
      const institutionId = Number(row.institutionId)
      if (!byInstitution.has(institutionId)) byInstitution.set(institutionId, emptyWorkload())
      byInstitution.get(institutionId)![category] += parts
    }
    return { all, byInstitution }
  }
}
