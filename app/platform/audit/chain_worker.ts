import { parentPort, workerData } from 'node:worker_threads'
import mysql from 'mysql2/promise'
import { chainHasher, checkRows, emptySegment, type SegmentResult } from './chain_check.js'
import { segmentSql } from './chain_sql.js'

/*
| A worker thread of the audit verifier (audit_chain.ts): its own MySQL connection, segments of a day
| (`day`, seq in (after, upto]) read in keyset-paginated chunks as arrays, checked by chain_check.ts. It
| loads no part of the app (no container, no Lucid): only the connection settings and the chain key, given
| by the verifier. Sends back one SegmentResult per segment.
*/

interface Job {
  index: number
  day: string
  after: number
  upto: number
}

const { connection, key, batch, maxProblems } = workerData as {
  connection: mysql.ConnectionOptions
  key: string
  batch: number
  maxProblems: number
}
const hasher = chainHasher(key)
const link = await mysql.createConnection({ ...connection, rowsAsArray: true })

parentPort!.on('message', async (job: Job | null) => {
  if (job === null) {
    await link.end().catch(() => {})
    parentPort!.close()
    return
  }
  try {
    const result: SegmentResult = emptySegment()
    let after = job.after
    for (;;) {
      const [rows] = await link.query({
        sql: segmentSql,
        values: [job.day, after, job.upto, batch],
        rowsAsArray: true,
      })
      const list = rows as unknown[][]
      if (!list.length) break
      checkRows(hasher, job.day, list, result, maxProblems)
      after = result.lastSeq
      if (list.length < batch) break
    }
    parentPort!.postMessage({ index: job.index, result })
  } catch (error) {
    parentPort!.postMessage({ index: job.index, error: String((error as Error)?.stack ?? error) })
  }
})
parentPort!.postMessage({ ready: true })
