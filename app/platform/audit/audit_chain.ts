import { createHmac } from 'node:crypto'
import env from '#start/env'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'

/*
| The audit log's hash chain (MLPS 8.1.4.3 c; C 8.3.4). Each line's `row_hash` is
| HMAC-SHA256(key, previous line's hash + the line's fields), one chain per UTC day (`chain_day`,
| `chain_seq` from 1). The key is AUDIT_CHAIN_KEY (or derived from APP_KEY), which the database does not
| hold: someone with database access alone can neither change a line nor insert, delete or back-date one
| without the verifier seeing the chain break.
*/

const key = () =>
  env.get('AUDIT_CHAIN_KEY') ||
  createHmac('sha256', env.get('APP_KEY')).update('audit-chain').digest('hex')
let cachedKey: string | null = null
const hmac = (text: string) =>
  createHmac('sha256', (cachedKey ??= key()))
    .update(text)
    .digest('hex')

export const genesis = (day: string) => hmac(`genesis:${day}`)

export interface ChainFields {
  occurred_at: unknown
  actor_user_id: number | null
  actor_username: string | null
  actor_institution_id: number | null
  actor_role: string | null
  action: string
  outcome: string
  target_type: string | null
  target_id: string | null
  ip: string | null
  user_agent: string | null
  request_id: string | null
  details: string | null
}

/** Milliseconds since the epoch of a DATETIME(3) as the driver hands it back (Date on MySQL, text on SQLite). */
export function millisOf(value: unknown) {
  if (value instanceof Date) return value.getTime()
  if (DateTime.isDateTime(value)) return value.toMillis()
  if (typeof value === 'number') return value
  return DateTime.fromSQL(String(value), { zone: 'utc' }).toMillis()
}

export function rowHash(prev: string, day: string, seq: number, row: ChainFields) {
  const canonical = JSON.stringify([
    day,
    seq,
    millisOf(row.occurred_at),
    row.actor_user_id ?? null,
    row.actor_username ?? null,
    row.actor_institution_id ?? null,
    row.actor_role ?? null,
    row.action,
    row.outcome,
    row.target_type ?? null,
    row.target_id ?? null,
    row.ip ?? null,
    row.user_agent ?? null,
    row.request_id ?? null,
    row.details ?? null,
  ])
  return hmac(`${prev}\n${canonical}`)
}

const isDeadlock = (error: any) =>
  error?.errno === 1213 || error?.code === 'ER_LOCK_DEADLOCK' || error?.code === 'SQLITE_BUSY'

/**
 * Appends one line to its day's chain; the caller passes the row as it will be stored. The day's head row is
 * locked first (a plain SELECT … FOR UPDATE: an INSERT IGNORE before it would take a shared lock that two
 * writers then both try to upgrade). Only the first line of a day creates the head; two first lines at once
 * may deadlock, and the loser simply tries again.
 */
export async function appendChained(row: ChainFields & { occurred_at: DateTime }) {
  const day = row.occurred_at.toUTC().toISODate()!
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (trx) => {
        let head = await trx.from('audit_chain_heads').where('day', day).forUpdate().first()
        if (!head) {
          await trx
            .insertQuery()
            .table('audit_chain_heads')
            .insert({ day, last_seq: 0, last_hash: genesis(day) })
            .knexQuery.onConflict('day')
            .ignore()
          head = await trx.from('audit_chain_heads').where('day', day).forUpdate().firstOrFail()
        }
        const seq = Number(head.last_seq) + 1
        const hash = rowHash(head.last_hash, day, seq, row)
        const [id] = await trx
          .insertQuery()
          .table('audit_events')
          .insert({
            ...row,
            occurred_at: row.occurred_at.toUTC().toFormat('yyyy-MM-dd HH:mm:ss.SSS'),
            chain_day: day,
            chain_seq: seq,
            prev_hash: head.last_hash,
            row_hash: hash,
          })
        await trx
          .from('audit_chain_heads')
          .where('day', day)
          .update({ last_seq: seq, last_hash: hash })
        return Number(id)
      })
    } catch (error) {
      if (!isDeadlock(error) || attempt >= 8) throw error
      await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt))
    }
  }
}

export interface ChainProblem {
  day: string
  seq: number | null
  id: number | null
  kind: 'changed' | 'missing' | 'broken_link' | 'missing_tail' | 'not_chained'
}

export interface ChainReport {
  from: string
  to: string
  days: number
  checked: number
  legacy: number
  problems: ChainProblem[]
  ok: boolean
}

const FIELDS = [
  'id',
  'chain_day',
  'chain_seq',
  'prev_hash',
  'row_hash',
  'occurred_at',
  'actor_user_id',
  'actor_username',
  'actor_institution_id',
  'actor_role',
  'action',
  'outcome',
  'target_type',
  'target_id',
  'ip',
  'user_agent',
  'request_id',
  'details',
]

/**
 * Checks every chain of the UTC days from..to (ISO dates): each line's hash, its link to the line before, no
 * gap in the sequence, the day's head matching the last line, no line outside a chain. A day whose first
 * lines were removed by the retention purge (older than `purgedBefore`) may start past sequence 1.
 */
export async function verifyChain(
  from: string,
  to: string,
  options: {
    purgedBefore?: string
    batch?: number
    maxProblems?: number
    parallelDays?: number
  } = {}
): Promise<ChainReport> {
  const batch = options.batch ?? 5000
  const maxProblems = options.maxProblems ?? 1000
  const report: ChainReport = { from, to, days: 0, checked: 0, legacy: 0, problems: [], ok: true }
  const note = (p: ChainProblem) => {
    if (report.problems.length < maxProblems) report.problems.push(p)
  }
  const heads = await db.from('audit_chain_heads').whereBetween('day', [from, to]).orderBy('day')
  const firstChained = await db
    .from('audit_events')
    .whereNotNull('chain_day')
    .min('id as id')
    .first()
  const start = DateTime.fromISO(from, { zone: 'utc' }).startOf('day')
  const end = DateTime.fromISO(to, { zone: 'utc' }).endOf('day')
  const unchained = await db
    .from('audit_events')
    .whereNull('chain_day')
    .whereBetween('occurred_at', [
      start.toFormat('yyyy-MM-dd HH:mm:ss.SSS'),
      end.toFormat('yyyy-MM-dd HH:mm:ss.SSS'),
    ])
    .select('id')
  for (const row of unchained) {
    if (firstChained?.id && Number(row.id) < Number(firstChained.id)) report.legacy++
    else note({ day: '', seq: null, id: Number(row.id), kind: 'not_chained' })
  }
  const days = new Set<string>(heads.map((h) => h.day))
  const rowDays = await db
    .from('audit_events')
    .whereBetween('chain_day', [from, to])
    .distinct('chain_day')
  for (const r of rowDays) days.add(r.chain_day)
  // Each day's chain is independent: a few days at once, each on its own pooled connection.
  const queue = [...days].sort()
  const verifyDay = async (day: string) => {
    report.days++
    const head = heads.find((h) => h.day === day)
    let prev: string | null = null
    let expected = 1
    let after = 0
    for (;;) {
      const rows = await db
        .from('audit_events')
        .select(FIELDS)
        .where('chain_day', day)
        .where('chain_seq', '>', after)
        .orderBy('chain_seq')
        .limit(batch)
      if (!rows.length) break
      for (const row of rows) {
        const seq = Number(row.chain_seq)
        if (prev === null) {
          const purged = options.purgedBefore && day < options.purgedBefore
          prev = seq === 1 ? genesis(day) : purged ? row.prev_hash : genesis(day)
          if (seq !== 1 && !purged) note({ day, seq: 1, id: null, kind: 'missing' })
          expected = seq
        }
        if (seq !== expected) note({ day, seq: expected, id: null, kind: 'missing' })
        if (row.prev_hash !== prev) note({ day, seq, id: Number(row.id), kind: 'broken_link' })
        if (rowHash(row.prev_hash, day, seq, row) !== row.row_hash)
          note({ day, seq, id: Number(row.id), kind: 'changed' })
        prev = row.row_hash
        expected = seq + 1
        after = seq
        report.checked++
      }
    }
    if (!head || Number(head.last_seq) !== expected - 1 || (prev && head.last_hash !== prev)) {
      note({ day, seq: head ? Number(head.last_seq) : null, id: null, kind: 'missing_tail' })
    }
  }
  const workers = Array.from(
    { length: Math.min(options.parallelDays ?? 4, queue.length) },
    async () => {
      for (let day = queue.shift(); day !== undefined; day = queue.shift()) await verifyDay(day)
    }
  )
  await Promise.all(workers)
  report.problems.sort((a, b) => a.day.localeCompare(b.day) || (a.seq ?? 0) - (b.seq ?? 0))
  report.ok = report.problems.length === 0
  return report
}
