import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'
import imaging from '#config/imaging'
import { sqlTime } from '#app/platform/db_helpers'

/*
| The workload by modality of the QC report (Q 6.4 图 5/6) is a count of the
| exams signed in the period, per technologist and per reporting doctor. Over a
| year of 1,000,000 exams, counting them at read time joined ~83,000 exams per
| month to their reports and technologists (docs/performance.md). Instead each
| first signature adds its exam to one row per person × clinic × modality ×
| day (hospital time) in the signature's own transaction, so a count is never
| lost nor made twice (report_signed_at is set once: an amendment's
| signature keeps it). The report sums ~a few thousand rows per month.
|
| People are kept as references, their names read when the report is built
| (a renamed person is counted under the new name, as before):
|   s:<staff id>   the technologist picked at upload from the clinic's roster
|   o:<name>       else the DICOM Operators' Name recorded at intake
|   u:<user id>    the author of the exam's first report version
| When the technologist of an already signed exam changes (a later upload picks
| another, a later study names another operator), that clinic's day is counted
| again from the exams (rebuildDay is idempotent); the migration backfills the
| same way.
*/

export type WorkloadKind = 'technologist' | 'doctor'
type Client = QueryClientContract | TransactionClientContract

/** The reference a technologist is counted under: the pick at upload, else the DICOM operator. */
function technologistRef(staffId: unknown, operatorName: unknown) {
  if (staffId) return `s:${Number(staffId)}`
  const name = typeof operatorName === 'string' ? operatorName.trim().slice(0, 180) : ''
  return name ? `o:${name}` : null
}

/** The hospital-time day an instant falls on (the report's periods are whole hospital-time days). */
export function workloadDay(at: DateTime) {
  return at.setZone(imaging.displayTimezone).toISODate()!
}

function dayBounds(day: string) {
  const start = DateTime.fromISO(day, { zone: imaging.displayTimezone }).startOf('day')
  return { from: sqlTime(start.toUTC()), to: sqlTime(start.plus({ days: 1 }).toUTC()) }
}

/**
 * Counts one exam at its first signature, inside the signature's transaction
 * (`signedAt` is the time it is signed at; the caller asks only when the exam had none).
 */
export async function countSignedExam(trx: Client, examId: number, signedAt: DateTime) {
  const day = workloadDay(signedAt)
  const exam = await trx
    .from('exams')
    .leftJoin('qc_exam_technologists as t', 't.exam_id', 'exams.id')
    .leftJoin('report_versions as v', (j) =>
      j.on('v.exam_id', 'exams.id').andOnVal('v.version_no', 1)
    )
    .where('exams.id', examId)
    .select(
      'exams.institution_id',
      'exams.modality',
      'exams.technologist_staff_id',
      't.operator_name',
      'v.author_id'
    )
    .first()
  if (!exam) return
  const refs: Array<[WorkloadKind, string | null]> = [
    ['technologist', technologistRef(exam.technologist_staff_id, exam.operator_name)],
    ['doctor', exam.author_id ? `u:${Number(exam.author_id)}` : null],
  ]
  for (const [kind, ref] of refs) {
    if (!ref) continue
    await trx
      .knexQuery()
      .table('qc_workload_days')
      .insert({
        kind,
        day,
        institution_id: exam.institution_id,
        modality: exam.modality,
        person_ref: ref,
        n: 1,
      })
      .onConflict(['kind', 'day', 'institution_id', 'modality', 'person_ref'])
      .merge({ n: trx.knexRawQuery('qc_workload_days.n + 1') as any })
  }
}

/** Counts a day again from the exams signed on it (one clinic, or all): idempotent. */
export async function rebuildDay(
  day: string,
  institutionId: number | null,
  client: Client = db.connection()
) {
  const { from, to } = dayBounds(day)
  const signed = (q: any) => {
    q.where('exams.report_signed_at', '>=', from).where('exams.report_signed_at', '<', to)
    if (institutionId) q.where('exams.institution_id', institutionId)
    return q
  }
  const run = async (trx: Client) => {
    const technologists = await signed(
      trx.from('exams').leftJoin('qc_exam_technologists as t', 't.exam_id', 'exams.id')
    )
      .groupBy(
        'exams.institution_id',
        'exams.modality',
        'exams.technologist_staff_id',
        't.operator_name'
      )
      .select(
        'exams.institution_id',
        'exams.modality',
        'exams.technologist_staff_id',
        't.operator_name'
      )
      .count('* as n')
    const doctors = await signed(
      trx
        .from('exams')
        .join('report_versions as v', (j: any) =>
          j.on('v.exam_id', 'exams.id').andOnVal('v.version_no', 1)
        )
    )
      .whereNotNull('v.author_id')
      .groupBy('exams.institution_id', 'exams.modality', 'v.author_id')
      .select('exams.institution_id', 'exams.modality', 'v.author_id')
      .count('* as n')
    const rows = new Map<string, Record<string, unknown>>()
    const add = (kind: WorkloadKind, r: any, ref: string | null) => {
      if (!ref) return
      const key = [kind, r.institution_id, r.modality, ref].join('\u0000')
      const row = rows.get(key)
      if (row) row.n = Number(row.n) + Number(r.n)
      else
        rows.set(key, {
          kind,
          day,
          institution_id: r.institution_id,
          modality: r.modality,
          person_ref: ref,
          n: Number(r.n),
        })
    }
    for (const r of technologists as any[])
      add('technologist', r, technologistRef(r.technologist_staff_id, r.operator_name))
    for (const r of doctors as any[]) add('doctor', r, `u:${Number(r.author_id)}`)
    const remove = trx.from('qc_workload_days').where('day', day)
    if (institutionId) remove.where('institution_id', institutionId)
    await remove.delete()
    const all = [...rows.values()]
    for (let i = 0; i < all.length; i += 500)
      await trx.table('qc_workload_days').multiInsert(all.slice(i, i + 500))
  }
  if ((client as TransactionClientContract).isTransaction) return run(client)
  return (client as QueryClientContract).transaction(run)
}

/** Every day from the first signed exam to the last, counted again (the backfill; also after a bulk import). */
export async function rebuildAll(client: Client = db.connection()) {
  const range = await client
    .from('exams')
    .min('report_signed_at as first')
    .max('report_signed_at as last')
    .first()
  if (!range?.first) return 0
  const asTime = (v: unknown) =>
    v instanceof Date ? DateTime.fromJSDate(v) : DateTime.fromSQL(String(v), { zone: 'utc' })
  let day = DateTime.fromISO(workloadDay(asTime(range.first)), { zone: imaging.displayTimezone })
  const last = workloadDay(asTime(range.last))
  let days = 0
  for (; day.toISODate()! <= last; day = day.plus({ days: 1 }), days++)
    await rebuildDay(day.toISODate()!, null, client)
  return days
}

/** The exam's technologist changed: if it is already signed, its clinic's day is counted again. */
export async function technologistChanged(examId: number) {
  const exam = await db
    .from('exams')
    .where('id', examId)
    .select('institution_id', 'report_signed_at')
    .first()
  if (!exam?.report_signed_at) return
  const at =
    exam.report_signed_at instanceof Date
      ? DateTime.fromJSDate(exam.report_signed_at)
      : DateTime.fromSQL(String(exam.report_signed_at), { zone: 'utc' })
  await rebuildDay(workloadDay(at), Number(exam.institution_id))
}

export interface WorkloadFilter {
  from: DateTime
  to: DateTime
  institutionId?: number
  modality?: string
}

/** Q 6.4 图 5/6: exams signed in the period per person × modality, most first (at most `limit`). */
export async function workloadBy(kind: WorkloadKind, filter: WorkloadFilter, limit = 200) {
  const q = db
    .from('qc_workload_days')
    .where('kind', kind)
    .where('day', '>=', workloadDay(filter.from))
    .where('day', '<', workloadDay(filter.to))
    .groupBy('person_ref', 'modality')
    .select('person_ref', 'modality')
    .sum('n as n')
  if (filter.institutionId) q.where('institution_id', filter.institutionId)
  if (filter.modality) q.where('modality', filter.modality)
  const rows = (await q) as Array<{ person_ref: string; modality: string; n: unknown }>
  const ids = (prefix: string) => [
    ...new Set(
      rows.filter((r) => r.person_ref.startsWith(prefix)).map((r) => Number(r.person_ref.slice(2)))
    ),
  ]
  const names = new Map<string, string>()
  const staffIds = ids('s:')
  const userIds = ids('u:')
  if (staffIds.length)
    for (const s of await db
      .from('staff_members')
      .whereIn('id', staffIds)
      .select('id', 'full_name'))
      names.set(`s:${s.id}`, s.full_name)
  if (userIds.length)
    for (const u of await db.from('users').whereIn('id', userIds).select('id', 'full_name'))
      names.set(`u:${u.id}`, u.full_name)
  // The same name under two references (a picked technologist and the same person's DICOM name) is one person.
  const merged = new Map<string, { person: string; modality: string; count: number }>()
  for (const r of rows) {
    const person = r.person_ref.startsWith('o:') ? r.person_ref.slice(2) : names.get(r.person_ref)
    if (!person) continue
    const key = `${person}\u0000${r.modality}`
    const entry = merged.get(key) ?? { person, modality: r.modality, count: 0 }
    entry.count += Number(r.n)
    merged.set(key, entry)
  }
  return [...merged.values()]
    .sort(
      (a, b) =>
        b.count - a.count ||
        a.person.localeCompare(b.person) ||
        a.modality.localeCompare(b.modality)
    )
    .slice(0, limit)
}
