/*
| The hash chain's cost per audit line (issue 11), in isolation: on BENCH_DB (an already migrated bench database,
| e.g. the one bench/audit_verify.ts leaves), alternating rounds of BENCH_LINES lines written the app's way
| (appendChained: the day's head locked, the HMAC, the line, the head updated, in one transaction) and of the same
| lines as a plain INSERT with no chain (chain_day NULL, then deleted is not possible: the table is append-only, so
| they stay; use a bench database). Prints the median ms per line of each and the difference. Sequential, one
| connection by default (BENCH_CONCURRENCY writers at once otherwise; figures are wall ms per line, i.e. the
| inverse of throughput): this is the chain's added cost per line, not the reading queue's p95.
|
|   BENCH_DB=imaging_bench_overhead node --import ts-node-maintained/register/esm bench/audit_append.ts
*/
import 'reflect-metadata'
import os from 'node:os'
import { Ignitor } from '@adonisjs/core'

const ROOT = new URL('../', import.meta.url)
const LINES = Number(process.env.BENCH_LINES || 300)
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3)
/** writers at once: above 1 they queue on the day's locked head row (chained) or not at all (plain) */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY || 1)
process.env.DB_DATABASE = process.env.BENCH_DB || 'imaging_bench_overhead'
process.env.DB_CONNECTION = 'mysql'
process.env.DB_APP_USER = ''
process.env.NODE_ENV ||= 'development'

async function main() {
  const importer = (filePath: string) =>
    filePath.startsWith('./') || filePath.startsWith('../')
      ? import(new URL(filePath, ROOT).href)
      : import(filePath)
  const app = new Ignitor(ROOT, { importer }).createApp('console')
  app.booting(async () => {
    await import('#start/env')
  })
  await app.init()
  await app.boot()
  await app.start(() => {})
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const { DateTime } = await import('luxon')
  const { appendChained } = await import('#app/platform/audit/audit_chain')
  const line = (i: number) => ({
    actor_user_id: 1 + (i % 500),
    actor_username: `u${i % 500}`,
    actor_institution_id: 1 + (i % 40),
    actor_role: 'radiologist',
    action: 'exam.view',
    outcome: 'success',
    target_type: 'exam',
    target_id: String(i),
    ip: '10.1.2.3',
    user_agent: 'Mozilla/5.0 (bench)',
    request_id: `a${i}`,
    details: null,
  })
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const chained: number[] = []
  const plain: number[] = []
  for (let round = 1; round <= ROUNDS; round++) {
    const each = async (write: (i: number) => Promise<unknown>) => {
      let next = 0
      const t = performance.now()
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let i = next++; i < LINES; i = next++) await write(i)
        })
      )
      return (performance.now() - t) / LINES
    }
    chained.push(await each((i) => appendChained({ ...line(i), occurred_at: DateTime.utc() })))
    plain.push(
      await each((i) =>
        db.table('audit_events').insert({
          ...line(i),
          occurred_at: DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss.SSS'),
        })
      )
    )
    console.error(
      `round ${round}: chained ${chained.at(-1)!.toFixed(2)} ms, plain ${plain.at(-1)!.toFixed(2)} ms`
    )
  }
  console.log(
    JSON.stringify({
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GB`,
      load: os.loadavg().map((x) => Number(x.toFixed(1))),
      lines: LINES,
      concurrency: CONCURRENCY,
      rounds: ROUNDS,
      chainedMsPerLine: Number(median(chained).toFixed(2)),
      plainMsPerLine: Number(median(plain).toFixed(2)),
      addedMsPerLine: Number((median(chained) - median(plain)).toFixed(2)),
      ratio: Number((median(chained) / median(plain)).toFixed(2)),
    })
  )
  await app.terminate()
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
