import { createHmac } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import env from '#start/env'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import {
  chainHasher,
  checkRows,
  emptySegment,
  FIELD_COLUMNS,
  type ChainHasher,
  type ChainProblem,
  type SegmentResult,
} from './chain_check.js'

export type { ChainProblem } from './chain_check.js'

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
let cachedHasher: ChainHasher | null = null
const chainKey = () => (cachedKey ??= key())
const hasher = () => (cachedHasher ??= chainHasher(chainKey()))

export const genesis = (day: string) => hasher().genesis(day)

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
  return hasher().rowHash(
    prev,
    day,
    seq,
    millisOf(row.occurred_at),
    FIELD_COLUMNS.map((column) => row[column] ?? null)
  )
}

const isDeadlock = (error: any) =>
  error?.errno === 1213 || error?.code === 'ER_LOCK_DEADLOCK' || error?.code === 'SQLITE_BUSY'

type ChainLine = ChainFields & { occurred_at: DateTime }

interface WaitingLine {
  row: ChainLine
  day: string
  written: (id: number) => void
  failed: (error: unknown) => void
}

/** Lines one transaction appends at most (a burst beyond it takes several). */
const GROUP_MAX = 200
const waiting: WaitingLine[] = []
let writing = false

/**
 * Appends one line to its day's chain and resolves with its id once it is committed (the caller's answer
 * waits for its audit line, so nothing answered goes unrecorded). Lines are written by group commit: while
 * one transaction holds the day's head, the lines that arrive meanwhile wait, and the next transaction
 * appends all of them at once (one head lock, one multi-row INSERT, one commit) instead of one convoy of
 * lock waits and log flushes per line. A lone line is written at once, as before.
 */
export function appendChained(row: ChainLine) {
  const day = row.occurred_at.toUTC().toISODate()!
  return new Promise<number>((written, failed) => {
    waiting.push({ row, day, written, failed })
    if (!writing) void writeWaiting()
  })
}

async function writeWaiting() {
  writing = true
  try {
    while (waiting.length) {
      const group = waiting.splice(0, GROUP_MAX)
      const byDay = new Map<string, WaitingLine[]>()
      for (const line of group) {
        const list = byDay.get(line.day)
        if (list) list.push(line)
        else byDay.set(line.day, [line])
      }
      for (const [day, lines] of byDay) {
        try {
          const ids = await appendLines(
            day,
            lines.map((l) => l.row)
          )
          lines.forEach((line, i) => line.written(ids[i]))
        } catch (error) {
          if (lines.length === 1) {
            lines[0].failed(error)
            continue
          }
          // One line the database refuses must not fail the other requests' audit: each again on its own.
          for (const line of lines) {
            try {
              line.written((await appendLines(day, [line.row]))[0])
            } catch (own) {
              line.failed(own)
            }
          }
        }
      }
    }
  } finally {
    writing = false
  }
}

/**
 * Appends lines (in order) to one day's chain in one transaction; the caller passes the rows as they will be
 * stored. The day's head row is locked first (a plain SELECT … FOR UPDATE: an INSERT IGNORE before it would
 * take a shared lock that two writers then both try to upgrade), so app nodes sharing the database still
 * make one chain. Only the first line of a day creates the head; two first lines at once may deadlock, and
 * the loser simply tries again.
 */
async function appendLines(day: string, rows: ChainLine[]): Promise<number[]> {
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
        const firstSeq = Number(head.last_seq) + 1
        let prev: string = head.last_hash
        const stored = rows.map((row, i) => {
          const seq = firstSeq + i
          const hash = rowHash(prev, day, seq, row)
          const line = {
            ...row,
            occurred_at: row.occurred_at.toUTC().toFormat('yyyy-MM-dd HH:mm:ss.SSS'),
            chain_day: day,
            chain_seq: seq,
            prev_hash: prev,
            row_hash: hash,
          }
          prev = hash
          return line
        })
        const lastSeq = firstSeq + rows.length - 1
        const [insertedId] = await trx.insertQuery().table('audit_events').multiInsert(stored)
        await trx
          .from('audit_chain_heads')
          .where('day', day)
          .update({ last_seq: lastSeq, last_hash: prev })
        if (rows.length === 1) return [Number(insertedId)]
        // Ids by their place in the chain: what a multi-row INSERT reports differs between drivers.
        const ids = await trx
          .from('audit_events')
          .where('chain_day', day)
          .whereBetween('chain_seq', [firstSeq, lastSeq])
          .orderBy('chain_seq')
          .select('id')
        return ids.map((r) => Number(r.id))
      })
    } catch (error) {
      if (!isDeadlock(error) || attempt >= 8) throw error
      await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt))
    }
  }
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

const FIELDS = ['id', 'chain_seq', 'prev_hash', 'row_hash', 'occurred_at', ...FIELD_COLUMNS]

/** Below this many lines the verifier reads on the app's own connection (a test's transaction included). */
const WORKERS_FROM = 200_000

interface Segment {
  index: number
  day: string
  after: number
  upto: number
}

/**
 * Checks every chain of the UTC days from..to (ISO dates): each line's hash, its link to the line before, no
 * gap in the sequence, the day's head matching the last line, no line outside a chain. A day whose first
 * lines were removed by the retention purge (older than `purgedBefore`) may start past sequence 1.
 *
 * Fast (the issue asks 10,000,000 lines in ≤ 60 s): each day's sequence range is cut into segments that
 * worker threads check in parallel on connections of their own (chain_worker.ts), reading only the needed
 * columns as arrays in large keyset chunks; the joints between segments (link, sequence), the day's start and
 * its head are checked here, so the report is the one a single pass would give. A small period (under
 * WORKERS_FROM lines, or not on MySQL) is read on the app's own connection, with the same checks.
 */
export async function verifyChain(
  from: string,
  to: string,
  options: {
    purgedBefore?: string
    batch?: number
    maxProblems?: number
    parallelDays?: number
    /** worker threads; 0 = on this connection; default: by the number of lines and CPUs */
    workers?: number
    /** lines per segment (tests cut a day into several) */
    segment?: number
  } = {}
): Promise<ChainReport> {
  const batch = options.batch ?? 20_000
  const maxProblems = options.maxProblems ?? 1000
  const report: ChainReport = { from, to, days: 0, checked: 0, legacy: 0, problems: [], ok: true }
  const problems: ChainProblem[] = []
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
    else problems.push({ day: '', seq: null, id: Number(row.id), kind: 'not_chained' })
  }
  // Each day's range of sequence numbers (the unique index answers MIN/MAX per day without a scan).
  const ranges = await db
    .from('audit_events')
    .whereBetween('chain_day', [from, to])
    .groupBy('chain_day')
    .select('chain_day')
    .min('chain_seq as lo')
    .max('chain_seq as hi')
  const days = new Set<string>(heads.map((h) => h.day))
  for (const r of ranges) days.add(r.chain_day)
  const sortedDays = [...days].sort()
  const lines = ranges.reduce((sum, r) => sum + Number(r.hi) - Number(r.lo) + 1, 0)
  const mysql = db.primaryConnectionName === 'mysql'
  const workers =
    options.workers ?? (mysql && lines >= WORKERS_FROM ? Math.min(availableParallelism(), 4) : 0)

  // Segments of each day, in order.
  const segmentsOf = new Map<string, Segment[]>()
  const all: Segment[] = []
  const size =
    options.segment ??
    (workers ? Math.max(20_000, Math.ceil(lines / (workers * 8))) : Number.MAX_SAFE_INTEGER)
  for (const r of ranges) {
    const list: Segment[] = []
    for (let after = Number(r.lo) - 1; after < Number(r.hi); after += size) {
      const segment = {
        index: all.length,
        day: r.chain_day as string,
        after,
        upto: Math.min(after + size, Number(r.hi)),
      }
      list.push(segment)
      all.push(segment)
    }
    segmentsOf.set(r.chain_day, list)
  }
  const results: SegmentResult[] = workers
    ? await checkInWorkers(all, workers, batch, maxProblems)
    : await checkHere(all, options.parallelDays ?? 4, batch, maxProblems)

  for (const day of sortedDays) {
    report.days++
    const head = heads.find((h) => h.day === day)
    const dayProblems: ChainProblem[] = []
    let prev: string | null = null
    let expected = 1
    for (const segment of segmentsOf.get(day) ?? []) {
      const result = results[segment.index]
      if (!result.first) continue
      const { seq, id, prevHash } = result.first
      if (prev === null) {
        const purged = options.purgedBefore && day < options.purgedBefore
        prev = seq === 1 ? genesis(day) : purged ? prevHash : genesis(day)
        if (seq !== 1 && !purged) dayProblems.push({ day, seq: 1, id: null, kind: 'missing' })
        expected = seq
      }
      if (seq !== expected) dayProblems.push({ day, seq: expected, id: null, kind: 'missing' })
      if (prevHash !== prev) dayProblems.push({ day, seq, id, kind: 'broken_link' })
      dayProblems.push(...result.problems)
      prev = result.lastHash
      expected = result.lastSeq + 1
      report.checked += result.checked
    }
    if (!head || Number(head.last_seq) !== expected - 1 || (prev && head.last_hash !== prev)) {
      dayProblems.push({
        day,
        seq: head ? Number(head.last_seq) : null,
        id: null,
        kind: 'missing_tail',
      })
    }
    problems.push(...dayProblems)
  }
  report.problems = problems.slice(0, maxProblems)
  report.problems.sort((a, b) => a.day.localeCompare(b.day) || (a.seq ?? 0) - (b.seq ?? 0))
  report.ok = report.problems.length === 0
  return report
}

/** On the app's connection (Lucid, so a test's global transaction is seen), a few days at once. */
async function checkHere(
  segments: Segment[],
  parallel: number,
  batch: number,
  maxProblems: number
): Promise<SegmentResult[]> {
  const results: SegmentResult[] = []
  const queue = [...segments]
  const check = async (segment: Segment) => {
    const result = emptySegment()
    let after = segment.after
    for (;;) {
      const rows = await db
        .from('audit_events')
        .select(FIELDS)
        .where('chain_day', segment.day)
        .where('chain_seq', '>', after)
        .where('chain_seq', '<=', segment.upto)
        .orderBy('chain_seq')
        .limit(batch)
      if (!rows.length) break
      const arrays = rows.map((row) => [
        row.id,
        row.chain_seq,
        row.prev_hash,
        row.row_hash,
        millisOf(row.occurred_at),
        ...FIELD_COLUMNS.map((column) => row[column]),
      ])
      checkRows(hasher(), segment.day, arrays, result, maxProblems)
      after = result.lastSeq
      if (rows.length < batch) break
    }
    results[segment.index] = result
  }
  await Promise.all(
    Array.from({ length: Math.min(parallel, queue.length) }, async () => {
      for (let s = queue.shift(); s !== undefined; s = queue.shift()) await check(s)
    })
  )
  return results
}

/** In worker threads, each on a MySQL connection of its own (committed lines only). */
async function checkInWorkers(
  segments: Segment[],
  count: number,
  batch: number,
  maxProblems: number
): Promise<SegmentResult[]> {
  const results: SegmentResult[] = []
  if (!segments.length) return results
  const queue = [...segments]
  const connection = db.manager.get(db.primaryConnectionName)!.config.connection
  // Under ts-node (development, tests) the worker is the .ts file; built, the .js one.
  const file = new URL(
    import.meta.url.endsWith('.ts') ? './chain_worker.ts' : './chain_worker.js',
    import.meta.url
  )
  const run = () =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(file, {
        workerData: { connection, key: chainKey(), batch, maxProblems },
      })
      const next = () => worker.postMessage(queue.shift() ?? null)
      worker.on('message', (message: any) => {
        if (message.error) {
          worker.terminate()
          reject(new Error(`audit verifier worker: ${message.error}`))
          return
        }
        if (message.result) results[message.index] = message.result
        next()
      })
      worker.once('error', reject)
      worker.once('exit', (code) =>
        code === 0 || queue.length === 0
          ? resolve()
          : reject(new Error(`audit verifier worker exited ${code}`))
      )
    })
  await Promise.all(Array.from({ length: Math.min(count, segments.length) }, run))
  if (results.filter(Boolean).length !== segments.length)
    throw new Error('audit verifier: a segment was not checked')
  return results
}
