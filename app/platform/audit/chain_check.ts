import { createHmac } from 'node:crypto'

/*
| The pure part of the audit log's hash chain (MLPS 8.1.4.3 c; C 8.3.4), with no app import so that the
| verifier's worker threads (chain_worker.ts) load it alone: the canonical line, its HMAC, and the check of a
| run of consecutive lines of one day (a "segment"). The verifier (audit_chain.ts) cuts a day into segments,
| checks them in parallel and joins them: the links and sequence numbers between two segments, the genesis
| of the day and its head are checked there, so the result is the same as one pass over the day.
*/

/**
 * The columns a line is checked on, in this order (a row arrives as an array: no object per row). The time is
 * milliseconds since the epoch, computed by the database (the stored DATETIME(3) is UTC).
 */
export const ROW = {
  id: 0,
  seq: 1,
  prevHash: 2,
  rowHash: 3,
  millis: 4,
  /** actor_user_id … details: the hashed fields, 12 of them */
  fields: 5,
} as const

export const FIELD_COLUMNS = [
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
] as const

export type ChainRow = unknown[]

export interface ChainProblem {
  day: string
  seq: number | null
  id: number | null
  kind: 'changed' | 'missing' | 'broken_link' | 'missing_tail' | 'not_chained'
}

export function chainHasher(key: string) {
  const hmac = (text: string) => createHmac('sha256', key).update(text).digest('hex')
  return {
    genesis: (day: string) => hmac(`genesis:${day}`),
    /** `fields` in FIELD_COLUMNS order. */
    rowHash(prev: string, day: string, seq: number, millis: number, fields: unknown[]) {
      const canonical = JSON.stringify([
        day,
        seq,
        millis,
        ...fields.map((value) => (value === undefined ? null : value)),
      ])
      return hmac(`${prev}\n${canonical}`)
    },
  }
}

export type ChainHasher = ReturnType<typeof chainHasher>

/** What a segment's check says; its first line's link is judged when the segments are joined. */
export interface SegmentResult {
  checked: number
  first: { seq: number; id: number; prevHash: string } | null
  lastSeq: number
  lastHash: string | null
  problems: ChainProblem[]
}

export function emptySegment(): SegmentResult {
  return { checked: 0, first: null, lastSeq: 0, lastHash: null, problems: [] }
}

/**
 * Checks consecutive lines of one day (ordered by seq), adding to `into`: each line's hash, and from the second
 * line on its link to the line before and no gap in the sequence.
 */
export function checkRows(
  hasher: ChainHasher,
  day: string,
  rows: ChainRow[],
  into: SegmentResult,
  maxProblems: number
) {
  const note = (p: ChainProblem) => {
    if (into.problems.length < maxProblems) into.problems.push(p)
  }
  let prev = into.lastHash
  let expected = into.lastSeq + 1
  for (const row of rows) {
    const seq = Number(row[ROW.seq])
    const id = Number(row[ROW.id])
    const prevHash = row[ROW.prevHash] as string
    const rowHash = row[ROW.rowHash] as string
    if (into.first === null) into.first = { seq, id, prevHash }
    else {
      if (seq !== expected) note({ day, seq: expected, id: null, kind: 'missing' })
      if (prevHash !== prev) note({ day, seq, id, kind: 'broken_link' })
    }
    const fields = row.slice(ROW.fields)
    if (hasher.rowHash(prevHash, day, seq, Number(row[ROW.millis]), fields) !== rowHash)
      note({ day, seq, id, kind: 'changed' })
    prev = rowHash
    expected = seq + 1
    into.checked++
  }
  into.lastHash = prev
  into.lastSeq = expected - 1
  return into
}
