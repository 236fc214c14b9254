/*
| Audit hash-chain verifier benchmark (issue 11).
|
|   BENCH_ROWS=1000000 node --import ts-node-maintained/register/esm bench/audit_verify.ts
|
| On a database of its own (BENCH_DB, recreated, migrated as DB_USER), writes BENCH_ROWS chained audit lines
| spread over BENCH_DAYS UTC days (hashes computed as the app's writer does, inserted in batches of 5,000),
| then times verifyChain over the whole period, then changes one line behind the app's back and times it again
| (it must report the change). Prints rows/s.
*/
import 'reflect-metadata'
import { spawnSync } from 'node:child_process'
import os from 'node:os'
import { Ignitor } from '@adonisjs/core'

const ROOT = new URL('../', import.meta.url)
const ROWS = Number(process.env.BENCH_ROWS || 1_000_000)
const DAYS = Number(process.env.BENCH_DAYS || 10)
const DB = process.env.BENCH_DB || 'imaging_bench_audit'
/** insert = batches of 5,000 through Lucid; load = TSV files and LOAD DATA (for 10,000,000 lines) */
const SEED = process.env.BENCH_SEED || (ROWS > 1_000_000 ? 'load' : 'insert')
/** BENCH_REUSE=1: verify the lines an earlier run left in BENCH_DB (BENCH_ROWS, BENCH_DAYS as then), undoing its change first */
const REUSE = process.env.BENCH_REUSE === '1'
process.env.DB_DATABASE = DB
process.env.DB_CONNECTION = 'mysql'
process.env.DB_APP_USER = ''
process.env.NODE_ENV ||= 'development'

async function main() {
  const mysql = (await import('mysql2/promise')).default
  const root = await mysql.createConnection({
    host: process.env.DB_HOST || '127.0.0.1',
    port: Number(process.env.DB_PORT || 3306),
    user: process.env.DB_USER || 'root',
    password: process.env.DB_PASSWORD || '',
  })
  if (!REUSE) {
    await root.query(`DROP DATABASE IF EXISTS \`${DB}\``)
    await root.query(`CREATE DATABASE \`${DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  }
  await root.end()
  if (!REUSE) {
    const migrated = spawnSync(process.execPath, ['ace.js', 'migration:run', '--force'], {
      cwd: ROOT,
      env: process.env,
      stdio: 'inherit',
    })
    if (migrated.status !== 0) throw new Error('migrations failed')
  }

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
  const { rowHash, genesis, verifyChain } = await import('#app/platform/audit/audit_chain')

  const first = DateTime.fromISO('2026-01-01', { zone: 'utc' })
  const perDay = Math.ceil(ROWS / DAYS)
  const t0 = performance.now()
  let written = 0
  const lineOf = (seq: number, n: number, d: number) => {
    const millis = first.toMillis() + d * 86_400_000 + Math.floor((seq * 86_400_000) / (n + 1))
    return {
      occurred_at: new Date(millis).toISOString().replace('T', ' ').replace('Z', ''),
      millis,
      actor_user_id: 1 + (seq % 500),
      actor_username: `u${seq % 500}`,
      actor_institution_id: 1 + (seq % 40),
      actor_role: 'radiologist',
      action: 'exam.view',
      outcome: 'success',
      target_type: 'exam',
      target_id: String(seq),
      ip: '10.1.2.3',
      user_agent: 'Mozilla/5.0 (bench)',
      request_id: `r${seq}`,
      details: seq % 3 ? null : JSON.stringify({ via: 'api', query: { status: 'signed' } }),
    }
  }
  const from = first.toISODate()!
  const to = first.plus({ days: DAYS - 1 }).toISODate()!
  /** The line the run changes behind the app's back (its action), and a re-run puts back. */
  const setTamperedAction = async (action: string) => {
    await db.rawQuery('DROP TRIGGER IF EXISTS audit_events_no_update')
    await db.from('audit_events').where('chain_day', to).where('chain_seq', 7).update({ action })
  }
  if (REUSE) {
    await setTamperedAction('exam.view')
    written = Number((await db.from('audit_events').count('* as n').first())!.n)
  } else if (SEED === 'load') {
    /*
    | Fast seeding for 10,000,000 lines: the same lines and the same hashes (the app's rowHash, chained from
    | the day's genesis), written to one TSV file per day and bulk-loaded with LOAD DATA LOCAL INFILE by the
    | mysql client while the next day is computed. The four secondary indexes the verifier never reads
    | (occurred_at, actor, action, target) are dropped for the load and rebuilt afterwards (BENCH_REINDEX=0
    | leaves them out: the verifier reads only the (chain_day, chain_seq) index and the clustered rows).
    */
    const columns = [
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
      'chain_day',
      'chain_seq',
      'prev_hash',
      'row_hash',
    ] as const
    const secondary = await db.rawQuery(
      `SELECT index_name AS name, GROUP_CONCAT(column_name ORDER BY seq_in_index) AS cols
         FROM information_schema.statistics
        WHERE table_schema = ? AND table_name = 'audit_events' AND non_unique = 1
        GROUP BY index_name`,
      [DB]
    )
    const indexes = (secondary[0] as any[]).map((r) => ({
      name: r.name as string,
      cols: r.cols as string,
    }))
    for (const { name } of indexes)
      await db.rawQuery(`ALTER TABLE audit_events DROP INDEX \`${name}\``)
    const { spawn } = await import('node:child_process')
    const fs = await import('node:fs')
    const dir = fs.mkdtempSync(`${os.tmpdir()}/audit-seed-`)
    const load = (file: string) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(
          'mysql',
          [
            '--local-infile=1',
            '-h',
            process.env.DB_HOST || '127.0.0.1',
            '-P',
            String(process.env.DB_PORT || 3306),
            '-u',
            process.env.DB_USER || 'root',
            DB,
            '-e',
            `SET unique_checks=0; SET foreign_key_checks=0; LOAD DATA LOCAL INFILE '${file}' INTO TABLE audit_events (${columns.join(', ')})`,
          ],
          { stdio: 'inherit', env: { ...process.env, MYSQL_PWD: process.env.DB_PASSWORD || '' } }
        )
        child.once('exit', (code) => {
          fs.rmSync(file, { force: true })
          code === 0 ? resolve() : reject(new Error(`LOAD DATA exited ${code}`))
        })
      })
    const tsv = (v: unknown) => (v === null || v === undefined ? '\\N' : String(v))
    let pending: Promise<void> = Promise.resolve()
    for (let d = 0; d < DAYS && written < ROWS; d++) {
      const day = first.plus({ days: d }).toISODate()!
      const n = Math.min(perDay, ROWS - written)
      const file = `${dir}/${day}.tsv`
      const out = fs.openSync(file, 'w')
      let prev = genesis(day)
      let chunk: string[] = []
      for (let seq = 1; seq <= n; seq++) {
        const row = lineOf(seq, n, d)
        const hash = rowHash(prev, day, seq, { ...row, occurred_at: row.millis })
        const full: Record<string, unknown> = {
          ...row,
          chain_day: day,
          chain_seq: seq,
          prev_hash: prev,
          row_hash: hash,
        }
        chunk.push(columns.map((c) => tsv(full[c])).join('\t'))
        prev = hash
        if (chunk.length === 20_000) {
          fs.writeSync(out, chunk.join('\n') + '\n')
          chunk = []
        }
      }
      if (chunk.length) fs.writeSync(out, chunk.join('\n') + '\n')
      fs.closeSync(out)
      await pending
      pending = load(file)
      await db.table('audit_chain_heads').insert({ day, last_seq: n, last_hash: prev })
      written += n
      console.error(
        `seeded ${day}: ${written} lines, ${((performance.now() - t0) / 1000).toFixed(0)} s`
      )
    }
    await pending
    fs.rmSync(dir, { recursive: true, force: true })
    if (process.env.BENCH_REINDEX !== '0') {
      const tr = performance.now()
      await db.rawQuery(
        `ALTER TABLE audit_events ${indexes.map((i) => `ADD INDEX \`${i.name}\` (${i.cols})`).join(', ')}`
      )
      console.error(
        `secondary indexes rebuilt in ${((performance.now() - tr) / 1000).toFixed(0)} s`
      )
    }
  } else
    for (let d = 0; d < DAYS && written < ROWS; d++) {
      const day = first.plus({ days: d }).toISODate()!
      let prev = genesis(day)
      let batch: any[] = []
      const n = Math.min(perDay, ROWS - written)
      for (let seq = 1; seq <= n; seq++) {
        const { millis, ...row } = lineOf(seq, n, d)
        const hash = rowHash(prev, day, seq, { ...row, occurred_at: millis })
        batch.push({ ...row, chain_day: day, chain_seq: seq, prev_hash: prev, row_hash: hash })
        prev = hash
        if (batch.length === 5000) {
          await db.table('audit_events').multiInsert(batch)
          batch = []
        }
      }
      if (batch.length) await db.table('audit_events').multiInsert(batch)
      await db.table('audit_chain_heads').insert({ day, last_seq: n, last_hash: prev })
      written += n
    }
  const writeS = (performance.now() - t0) / 1000

  const t1 = performance.now()
  const clean = await verifyChain(from, to)
  const verifyS = (performance.now() - t1) / 1000

  // A change behind the app's back (the trigger dropped by root for a moment).
  await setTamperedAction('exam.viewed_nothing')
  const t2 = performance.now()
  const broken = await verifyChain(from, to)
  const brokenS = (performance.now() - t2) / 1000

  console.log(
    JSON.stringify(
      {
        machine: `${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GB`,
        rows: written,
        days: DAYS,
        writeSeconds: Number(writeS.toFixed(1)),
        verifySeconds: Number(verifyS.toFixed(1)),
        rowsPerSecond: Math.round(clean.checked / verifyS),
        cleanOk: clean.ok,
        brokenFound: broken.problems.map((p) => p.kind),
        brokenSeconds: Number(brokenS.toFixed(1)),
        projected10M: Number(((10_000_000 / clean.checked) * verifyS).toFixed(0)),
      },
      null,
      2
    )
  )
  await app.terminate()
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
