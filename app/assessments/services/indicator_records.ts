import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import imaging from '#config/imaging'
import { sqlTime } from '#app/platform/db_helpers'

/*
| The records behind each of the assessments' own figures (IndicatorValue.recordsPath):
| the exams, critical values or people a figure was computed from, for one clinic and
| period (hospital days, `to` exclusive). The same filters as the indicators.
*/

export type RecordsKind = 'exams' | 'critical_values' | 'people' | 'spot_checks' | 'unsupported'

const EXAM_KEYS: Record<string, string | null> = {
  'assessments.workload': null,
  'assessments.workload_dr': 'DR',
  'assessments.workload_ct': 'CT',
  'assessments.workload_mr': 'MR',
  'assessments.turnaround_within_limit': null,
  'assessments.upload_days': null,
  'assessments.upload_gaps_over_24h': null,
}

const LIMIT = 500

export async function indicatorRecords(
  key: string,
  clinicId: number,
  fromDay: string,
  toDay: string
) {
  const from = DateTime.fromISO(fromDay, { zone: imaging.displayTimezone })
  const to = DateTime.fromISO(toDay, { zone: imaging.displayTimezone })
  if (key in EXAM_KEYS) {
    const q = db
      .from('exams')
      .where('institution_id', clinicId)
      .where('images_received_at', '>=', sqlTime(from))
      .where('images_received_at', '<', sqlTime(to))
      .orderBy('images_received_at')
      .limit(LIMIT)
      .select(
        'id',
        'accession_number',
        'modality',
        'priority',
        'status',
        'images_received_at',
        'due_at',
        'report_signed_at'
      )
    if (EXAM_KEYS[key]) q.where('modality', EXAM_KEYS[key]!)
    if (key === 'assessments.turnaround_within_limit')
      q.whereNotNull('due_at').where((w) =>
        w.whereNotNull('report_signed_at').orWhere('due_at', '<', sqlTime(to))
      )
    const rows = (await q).map((r: any) => ({
      ...r,
      within:
        r.report_signed_at !== null &&
        r.due_at !== null &&
        new Date(r.report_signed_at) <= new Date(r.due_at),
    }))
    return { kind: 'exams' as RecordsKind, rows }
  }
  if (key === 'assessments.critical_ack_minutes') {
    const rows = await db
      .from('critical_values as c')
      .join('exams as e', 'e.id', 'c.exam_id')
      .where('c.institution_id', clinicId)
      .whereNot('c.status', 'withdrawn')
      .where('c.raised_at', '>=', sqlTime(from))
      .where('c.raised_at', '<', sqlTime(to))
      .orderBy('c.raised_at')
      .limit(LIMIT)
      .select(
        'c.id',
        'c.finding_name',
        'c.raised_at',
        'c.sent_at',
        'c.acknowledged_at',
        'e.accession_number',
        'e.id as exam_id'
      )
    return { kind: 'critical_values' as RecordsKind, rows }
  }
  if (key === 'assessments.training_coverage' || key === 'assessments.staff_assessment_coverage') {
    const yearAgo = to.minus({ months: 12 }).toISODate()!
    const halfYearAgo = to.minus({ months: 6 }).toISODate()!
    const rows = await db
      .from('staff_members as m')
      .where('m.institution_id', clinicId)
      .where('m.active', true)
      .orderBy('m.full_name')
      .select('m.id', 'm.full_name', 'm.staff_no', 'm.profession')
      .select(
        db.raw(
          `(SELECT COUNT(*) FROM training_attendances a JOIN training_sessions s ON s.id = a.training_session_id
            WHERE a.staff_member_id = m.id AND s.signed_off_at IS NOT NULL AND s.held_on >= ? AND s.held_on < ?) AS sessions`,
          [yearAgo, toDay]
        ),
        db.raw(
          `EXISTS (SELECT 1 FROM assessment_scores sc JOIN assessment_rounds r ON r.id = sc.assessment_round_id
            WHERE sc.staff_member_id = m.id AND r.held_on >= ? AND r.held_on < ?) AS assessed`,
          [halfYearAgo, toDay]
        )
      )
    return { kind: 'people' as RecordsKind, rows }
  }
  if (key === 'assessments.spot_checks' || key === 'assessments.spot_check_pass_rate') {
    const rows = await db
      .from('spot_checks')
      .where('institution_id', clinicId)
      .where('created_at', '>=', sqlTime(from))
      .where('created_at', '<', sqlTime(to))
      .orderBy('created_at')
      .select('*')
    return { kind: 'spot_checks' as RecordsKind, rows }
  }
  return { kind: 'unsupported' as RecordsKind, rows: [] }
}
