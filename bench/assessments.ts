/*
| Quarterly assessment benchmark (issue 17): 40 member clinics, 1,000,000 exams
| over the last four quarters (generated with INSERT … SELECT from MariaDB's
| sequence engine, seconds), 12 staff per clinic with training sessions and an
| assessment round, 20,000 critical values. Measures, in this process:
|   A. the quarterly computation (every registered indicator for 40 clinics, the
|      weighted total and the rank) for one quarter, and the four-quarter trend;
| then, through the app's HTTP endpoint GET /api/v1/assessments (the same use
| case and service as the page; a QC officer's bearer token):
|   B. an open quarter (live figures, reused for 5 minutes) and a closed quarter (its
|      frozen snapshot), N requests at concurrency 1 and C, p50/p95/p99, side by side
|      with a trivial use case (GET /api/v1/assessments/weights) as the baseline.
|
|   node --import ts-node-maintained/register/esm bench/assessments.ts
|
| Env: BENCH_DB (imaging_bench_assessments), BENCH_PORT (3398), BENCH_EXAMS (1000000),
|      BENCH_REQUESTS (100), BENCH_CONCURRENCY (10), BENCH_REUSE=1 keeps the database.
| The server runs bin/server.ts through ts-node (scheduler off). Loopback only.
| Writes bench/results/assessments.json.
*/
import 'reflect-metadata'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import os from 'node:os'
import mysql from 'mysql2/promise'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const DB = process.env.BENCH_DB ?? 'imaging_bench_assessments'
const PORT = Number(process.env.BENCH_PORT ?? 3398)
const EXAMS = Number(process.env.BENCH_EXAMS ?? 1_000_000)
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10)
const CLINICS = 40
const STAFF_PER_CLINIC = 12

const say = (message: string) =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`)

const env = {
  ...process.env,
  TZ: 'UTC',
  NODE_ENV: 'production',
  DB_CONNECTION: 'mysql',
  DB_HOST: process.env.DB_HOST ?? '127.0.0.1',
  DB_PORT: process.env.DB_PORT ?? '3306',
  DB_USER: process.env.DB_USER ?? 'root',
  DB_PASSWORD: process.env.DB_PASSWORD ?? '',
  DB_DATABASE: DB,
  HOST: '127.0.0.1',
  PORT: String(PORT),
  LOG_LEVEL: 'warn',
  SCHEDULER_ENABLED: 'false',
  ORTHANC_URL: 'http://127.0.0.1:9',
}

function dotEnv() {
  const values: Record<string, string> = {}
  const file = join(ROOT, '.env')
  if (!existsSync(file)) return values
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const match = line.match(/^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/)
    if (match) values[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2')
  }
  return values
}

async function connect(database?: string) {
  return mysql.createConnection({
    host: env.DB_HOST,
    port: Number(env.DB_PORT),
    user: env.DB_USER,
    password: env.DB_PASSWORD,
    database,
    timezone: 'Z',
  })
}

/* ------------------------------------------------------------------ data */

async function generate() {
  const admin = await connect()
  await admin.query(`DROP DATABASE IF EXISTS \`${DB}\``)
  await admin.query(`CREATE DATABASE \`${DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  await admin.end()
  say(`migrating ${DB}…`)
  const migrated = spawnSync(
    process.execPath,
    ['ace.js', 'migration:run', '--force', '--disable-locks'],
    { cwd: ROOT, env: { ...dotEnv(), ...env }, stdio: 'inherit' }
  )
  if (migrated.status !== 0) throw new Error('migrations failed')
  const c = await connect(DB)
  await c.query('SET unique_checks = 0, foreign_key_checks = 0')
  const now = 'UTC_TIMESTAMP()'
  await c.query(
    `INSERT INTO institutions (id, code, name, kind, level, active, created_at, updated_at) VALUES (1, 'LEAD', '清河县人民医院', 'lead_hospital', '二级甲等', 1, ${now}, ${now})`
  )
  await c.query(
    `INSERT INTO institutions (id, code, name, kind, level, active, created_at, updated_at)
     SELECT seq + 1, CONCAT('M', LPAD(seq, 2, '0')), CONCAT('第', seq, '卫生院'), 'member_clinic', '一级', 1, ${now}, ${now} FROM seq_1_to_${CLINICS}`
  )
  await c.query(`INSERT INTO users (id, institution_id, username, full_name, password, role, title, status, failed_login_count, created_at, updated_at)
                 VALUES (1, 1, 'qc', '赵质控', '!', 'qc_officer', 'intermediate', 'active', 0, ${now}, ${now})`)
  await c.query(
    `INSERT INTO patients (id, name, sex, birth_date, created_at, updated_at) SELECT seq, CONCAT('患者', seq), 'M', '1970-01-01', ${now}, ${now} FROM seq_1_to_${CLINICS}`
  )
  say(`${EXAMS} exams over the last 12 months…`)
  const started = Date.now()
  // Spread evenly over 365 days before now; clinic by seq mod 40; 60 % DR, 30 % CT, 10 % MR; a report
  // signed (seq mod 37) hours after the images against a 24-hour limit (about 65 % within it).
  await c.query(
    `INSERT INTO exams (id, accession_number, patient_id, institution_id, modality, priority, status, clinical_history, purpose, requesting_doctor,
                        registered_at, images_received_at, instance_count, due_at, in_reading_queue, report_signed_at, created_at, updated_at)
     SELECT seq, CONCAT('B', seq), (seq MOD ${CLINICS}) + 1, (seq MOD ${CLINICS}) + 2,
            ELT(1 + (seq MOD 10 > 5) + (seq MOD 10 > 8), 'DR', 'CT', 'MR'), 'routine', 'signed', '体检', '常规', '门诊',
            t - INTERVAL 20 MINUTE, t, 1, t + INTERVAL 24 HOUR, 0, t + INTERVAL (seq MOD 37) HOUR, t, t
     FROM (SELECT seq, UTC_TIMESTAMP() - INTERVAL ROUND(seq * ${(365 * 86400) / EXAMS}) SECOND AS t FROM seq_1_to_${EXAMS}) s`
  )
  say(`exams generated in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  // The migrations seed the standard list of critical findings; the first one will do.
  const [[finding]] = (await c.query('SELECT MIN(id) AS id FROM critical_findings')) as any
  await c.query(
    `INSERT INTO critical_values (exam_id, institution_id, finding_id, finding_name, message, status, request_key, raised_by_id, raised_at, sent_at, acknowledged_at, created_at, updated_at)
     SELECT e.id, e.institution_id, ${finding.id}, '颅内出血', '测试', 'acknowledged', CONCAT('k', e.id), 1, e.images_received_at, e.images_received_at,
            e.images_received_at + INTERVAL (e.id MOD 30) MINUTE, e.images_received_at, e.images_received_at
     FROM exams e WHERE e.id MOD 50 = 0`
  )
  await c.query(
    `INSERT INTO staff_members (id, institution_id, staff_no, full_name, profession, title, fte, active, created_at, updated_at)
     SELECT seq, (seq MOD ${CLINICS}) + 2, CONCAT('S', seq), CONCAT('人员', seq), 'technologist', 'junior', 1, 1, ${now}, ${now} FROM seq_1_to_${CLINICS * STAFF_PER_CLINIC}`
  )
  // Four sessions per clinic over the year (signed off), each attended by three quarters of its staff.
  await c.query(
    `INSERT INTO training_sessions (id, topic, held_on, trainer, modality, institution_id, signed_off_at, created_at, updated_at)
     SELECT seq, '摆位规范', DATE(UTC_TIMESTAMP() - INTERVAL (seq MOD 4) * 90 + 10 DAY), '王中', 'DR', (seq MOD ${CLINICS}) + 2, ${now}, ${now}, ${now} FROM seq_1_to_${CLINICS * 4}`
  )
  await c.query(
    `INSERT INTO training_attendances (training_session_id, staff_member_id)
     SELECT s.id, m.id FROM training_sessions s JOIN staff_members m ON m.institution_id = s.institution_id WHERE (m.id + s.id) MOD 4 <> 0`
  )
  await c.query(
    `INSERT INTO assessment_rounds (id, title, held_on, kind, max_score, pass_mark, created_at) VALUES (1, '理论考核', DATE(UTC_TIMESTAMP() - INTERVAL 100 DAY), 'written', 100, 60, ${now})`
  )
  await c.query(
    `INSERT INTO assessment_scores (assessment_round_id, staff_member_id, institution_id, score, passed, created_at)
     SELECT 1, id, institution_id, 50 + (id MOD 50), (50 + (id MOD 50)) >= 60, ${now} FROM staff_members WHERE id MOD 5 <> 0`
  )
  await c.query(
    'ANALYZE TABLE exams, critical_values, staff_members, training_sessions, training_attendances, assessment_scores'
  )
  await c.end()
}

/* ------------------------------------------------------------------ the app, in this process */

async function bootApp() {
  Object.assign(process.env, { ...dotEnv(), ...env })
  const { Ignitor } = await import('@adonisjs/core')
  const APP_ROOT = new URL('../', import.meta.url)
  const ignitor = new Ignitor(APP_ROOT, {
    importer: (filePath: string) =>
      filePath.startsWith('./') || filePath.startsWith('../')
        ? import(new URL(filePath, APP_ROOT).href)
        : import(filePath),
  })
  const app = ignitor.createApp('console')
  app.booting(async () => {
    await import('#start/env')
  })
  await app.init()
  await app.boot()
  await app.start(async () => {})
  return app
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}
function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b)
  const r = (n: number) => Math.round(n * 10) / 10
  return {
    n: sorted.length,
    p50: r(percentile(sorted, 50)),
    p95: r(percentile(sorted, 95)),
    p99: r(percentile(sorted, 99)),
    max: r(sorted[sorted.length - 1]),
  }
}

function startServer(): Promise<ChildProcess> {
  const server = spawn(
    process.execPath,
    ['--import', 'ts-node-maintained/register/esm', 'bin/server.ts'],
    { cwd: ROOT, env: { ...dotEnv(), ...env }, stdio: ['ignore', 'inherit', 'inherit'] }
  )
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 120_000
    const probe = async () => {
      try {
        if ((await fetch(`http://127.0.0.1:${PORT}/login`)).status === 200) return resolve(server)
      } catch {}
      if (Date.now() > deadline) return reject(new Error('server did not start'))
      setTimeout(probe, 500)
    }
    server.once('exit', (code) => reject(new Error(`server exited ${code}`)))
    probe()
  })
}

async function load(path: string, token: string, concurrency: number, requests = REQUESTS) {
  const samples: number[] = []
  let next = 0
  let failures = 0
  const worker = async () => {
    while (next < requests) {
      next++
      const t0 = performance.now()
      const response = await fetch(`http://127.0.0.1:${PORT}${path}`, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      })
      await response.arrayBuffer()
      if (response.status !== 200) failures++
      samples.push(performance.now() - t0)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return { ...summary(samples), failures }
}

async function main() {
  if (process.env.BENCH_REUSE !== '1') await generate()
  const app = await bootApp()
  const { QuarterlyAssessment } = await import('#app/assessments/services/quarterly_assessment')
  const { lastClosedQuarter } = await import('#app/assessments/services/quarters')
  const { DateTime } = await import('luxon')
  const User = (await import('#models/user')).default
  const db = (await import('@adonisjs/lucid/services/db')).default
  await db.from('assessment_quarters').delete()
  const assessment = await app.container.make(QuarterlyAssessment)
  const quarter = lastClosedQuarter(DateTime.utc())
  const exams = Number((await db.from('exams').count('* as n').first()).n)
  const inQuarter = Number(
    (
      await db
        .from('exams')
        .where('images_received_at', '>=', quarter.from.toSQL({ includeOffset: false })!)
        .where('images_received_at', '<', quarter.to.toSQL({ includeOffset: false })!)
        .count('* as n')
        .first()
    ).n
  )
  say(`${exams} exams; ${inQuarter} in ${quarter.key}`)
  const computeRuns: number[] = []
  let result: any
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now()
    result = await assessment.compute(quarter)
    computeRuns.push(performance.now() - t0)
  }
  const t1 = performance.now()
  await assessment.trend(quarter)
  const trendMs = performance.now() - t1
  say(
    `compute ${quarter.key}: ${computeRuns.map((m) => (m / 1000).toFixed(2)).join(' / ')} s over ${result.clinics.length} clinics, ${result.indicators.length} indicators; four-quarter trend ${(trendMs / 1000).toFixed(2)} s`
  )

  const qc = await User.findByOrFail('username', 'qc')
  const token = (await User.accessTokens.create(qc, ['*'], { name: 'bench' })).value!.release()
  const server = await startServer()
  // Side by side under the same load: a trivial use case (the weights: auth, audit, one small query) as the baseline.
  const scenarios: Record<string, any> = {}
  try {
    await load(`/api/v1/assessments?quarter=${quarter.key}`, token, 1, 20) // warm-up (and the open quarter's first computation)
    for (const concurrency of [1, CONCURRENCY]) {
      scenarios[`baseline c${concurrency}`] = await load(
        '/api/v1/assessments/weights',
        token,
        concurrency
      )
      scenarios[`open quarter c${concurrency}`] = await load(
        `/api/v1/assessments?quarter=${quarter.key}`,
        token,
        concurrency
      )
      say(
        `c${concurrency}: baseline ${JSON.stringify(scenarios[`baseline c${concurrency}`])}; open ${JSON.stringify(scenarios[`open quarter c${concurrency}`])}`
      )
    }
    await assessment.close(qc, quarter)
    for (const concurrency of [1, CONCURRENCY]) {
      scenarios[`closed quarter c${concurrency}`] = await load(
        `/api/v1/assessments?quarter=${quarter.key}`,
        token,
        concurrency
      )
      say(`c${concurrency}: closed ${JSON.stringify(scenarios[`closed quarter c${concurrency}`])}`)
    }
  } finally {
    server.kill('SIGTERM')
  }
  const results = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GB`,
    exams,
    examsInQuarter: inQuarter,
    clinics: CLINICS,
    computeSeconds: computeRuns.map((m) => Math.round(m) / 1000),
    trendSeconds: Math.round(trendMs) / 1000,
    requests: REQUESTS,
    concurrency: CONCURRENCY,
    loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
    milliseconds: scenarios,
  }
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true })
  writeFileSync(join(ROOT, 'bench/results/assessments.json'), JSON.stringify(results, null, 2))
  console.log(JSON.stringify(results, null, 2))
  await app.terminate()
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
