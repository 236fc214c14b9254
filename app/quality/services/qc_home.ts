import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import type User from '#models/user'
import imaging from '#config/imaging'
import { Clock } from '#app/platform/clock'
import { sqlTime } from '#app/platform/db_helpers'
import { GoldStandard } from '#app/quality/services/gold_standard'

/*
| The QC officer's home (a workspace, not an empty page): today's random-QC
| marks and which still wait for their score, open sessions, gold-standard
| cases waiting, and this month's failures. For everybody else scored by QC:
| their own failures this month (Q 7.1), and a clinic's failures for its staff.
*/

async function now() {
  return (await app.container.make(Clock)).now()
}

function failures() {
  return db
    .from('qc_scores')
    .join('exams', 'exams.id', 'qc_scores.exam_id')
    .join('institutions', 'institutions.id', 'qc_scores.institution_id')
    .where('qc_scores.passed', false)
    .whereNotIn('qc_scores.mode', ['gold'])
    .select(
      'qc_scores.id',
      'qc_scores.exam_id',
      'qc_scores.item',
      'qc_scores.score',
      'qc_scores.note',
      'qc_scores.scored_name',
      'qc_scores.scored_at',
      'exams.accession_number',
      'institutions.name as institution'
    )
    .orderBy('qc_scores.scored_at', 'desc')
    .limit(10)
}

export async function officerHome(user: User) {
  const at = (await now()).setZone(imaging.displayTimezone)
  const today = sqlTime(at.startOf('day').toUTC())
  const month = sqlTime(at.startOf('month').toUTC())
  const marks = await db
    .from('qc_marks')
    .join('exams', 'exams.id', 'qc_marks.exam_id')
    .where('qc_marks.marked', true)
    .where('qc_marks.decided_at', '>=', today)
    .select('exams.id', 'exams.accession_number', 'exams.modality', 'exams.status')
    .select(
      db.raw(
        "(SELECT COUNT(DISTINCT s.item) FROM qc_scores s WHERE s.exam_id = exams.id AND s.item IN ('image_quality', 'film_layout')) as scored"
      )
    )
    .orderBy('qc_marks.decided_at', 'desc')
    .limit(20)
  const sessions = await db
    .from('qc_sessions')
    .where('status', 'open')
    .orderBy('opened_at', 'desc')
    .limit(10)
  const gold = await (await app.container.make(GoldStandard)).waiting(user)
  const failed = await failures().where('qc_scores.scored_at', '>=', month)
  const failedCount = await db
    .from('qc_scores')
    .where('passed', false)
    .whereNot('mode', 'gold')
    .where('scored_at', '>=', month)
    .count('* as n')
    .first()
  return {
    marks: marks.map((m: any) => ({
      id: Number(m.id),
      accessionNumber: m.accession_number,
      modality: m.modality,
      status: m.status,
      waiting: Number(m.scored) < 2,
    })),
    sessions: sessions.map((s: any) => ({ id: Number(s.id), title: s.title })),
    gold,
    failures: failed,
    failureCount: Number(failedCount?.n ?? 0),
  }
}

export async function personalHome(user: User) {
  const at = (await now()).setZone(imaging.displayTimezone)
  const month = sqlTime(at.startOf('month').toUTC())
  const q = failures().where('qc_scores.scored_at', '>=', month)
  if (user.role === 'clinic_staff') q.where('qc_scores.institution_id', user.institutionId)
  else q.where('qc_scores.scored_user_id', user.id)
  return { failures: await q }
}
