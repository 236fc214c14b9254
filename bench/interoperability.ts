/*
| Interoperability benchmark (issue 16):
|   A. modality worklist C-FIND with 5,000 scheduled exams: DCMTK's findscu -W
|      against the app's worklist SCP (in this process), as the clinic's device
|      asks: (a) everything (the answer is capped at 500), (b) its modality and
|      today, (c) one accession number. Timed per findscu run (process start,
|      association, query, answers, release).
|   B. FHIR DiagnosticReport?date= over 1,000,000 exams with signed reports: the
|      search as the API runs it (parameters parsed, the scoped SQL with its
|      count, 20 reports built with their signed versions), for the centre's
|      token (every clinic) and a clinic's token.
|   A2. the SCP's own work per C-FIND in process (query + encoding, no findscu).
|   C. B over real HTTP: bin/server.ts on BENCH_HTTP_PORT (3507), bearer tokens.
|
|   node --import ts-node-maintained/register/esm bench/interoperability.ts
|
| Env: BENCH_DB (imaging_bench_interop), BENCH_EXAMS (1000000), BENCH_SCHEDULED (5000),
|      BENCH_RUNS (100), BENCH_REUSE=1 keeps a generated database, BENCH_GENERATE_ONLY=1 only builds it.
| Data are generated with INSERT … SELECT from MariaDB's sequence engine (seconds, not hours).
*/
import 'reflect-metadata'
import { spawnSync, execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import mysql from 'mysql2/promise'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const DB = process.env.BENCH_DB ?? 'imaging_bench_interop'
const EXAMS = Number(process.env.BENCH_EXAMS ?? 1_000_000)
const SCHEDULED = Number(process.env.BENCH_SCHEDULED ?? 5000)
const RUNS = Number(process.env.BENCH_RUNS ?? 100)
const CLINICS = 10
const PATIENTS = 100_000
const run = promisify(execFile)
const say = (message: string) =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`)

const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  TZ: 'UTC',
  NODE_ENV: 'development',
  DB_CONNECTION: 'mysql',
  DB_HOST: process.env.DB_HOST ?? '127.0.0.1',
  DB_PORT: process.env.DB_PORT ?? '3306',
  DB_USER: process.env.DB_USER ?? 'root',
  DB_PASSWORD: process.env.DB_PASSWORD ?? '',
  DB_DATABASE: DB,
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  SCHEDULER_ENABLED: 'false',
  ORTHANC_URL: 'http://127.0.0.1:9',
  WORKLIST_DICOM_PORT: '0',
}

const connect = (database?: string) =>
  mysql.createConnection({
    host: env.DB_HOST,
    port: Number(env.DB_PORT),
    user: env.DB_USER,
    password: env.DB_PASSWORD,
    database,
    timezone: 'Z',
  })

async function generate() {
  const admin = await connect()
  await admin.query(`DROP DATABASE IF EXISTS \`${DB}\``)
  await admin.query(`CREATE DATABASE \`${DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  await admin.end()
  say(`migrating ${DB}…`)
  const migrate = () =>
    spawnSync(process.execPath, ['ace.js', 'migration:run', '--force'], {
      cwd: ROOT,
      env,
      stdio: 'inherit',
    })
  // Once more on failure: on the loaded machine the migrator has reported "completed, but unable
  // to release database lock"; a second run applies whatever is left and releases its own lock.
  if (migrate().status !== 0 && migrate().status !== 0) throw new Error('migrations failed')
  const c = await connect(DB)
  const started = Date.now()
  await c.query('SET unique_checks = 0, foreign_key_checks = 0')
  await c.query(
    `INSERT INTO institutions (id, code, name, kind, level, active, created_at, updated_at) VALUES (1, 'LEAD', '县人民医院', 'lead_hospital', '二级甲等', 1, NOW(), NOW())`
  )
  await c.query(
    `INSERT INTO institutions (id, code, name, kind, level, active, created_at, updated_at) SELECT seq + 1, CONCAT('M', seq), CONCAT('第', seq, '卫生院'), 'member_clinic', '一级', 1, NOW(), NOW() FROM seq_1_to_${CLINICS}`
  )
  await c.query(
    `INSERT INTO users (id, institution_id, username, full_name, password, role, title, status, failed_login_count, created_at, updated_at) VALUES (1, 1, 'bench', '测试医生', 'x', 'radiologist', 'senior', 'active', 0, NOW(), NOW())`
  )
  await c.query(
    `INSERT INTO exam_items (id, catalogue, seq, modality, body_part, method, name, source_name, is_contrast, active, created_at, updated_at) VALUES (1, 'chuanyu', 1, 'CT', '胸部', '平扫', '胸部CT平扫', '胸部CT平扫', 0, 1, NOW(), NOW())`
  )
  await c.query(
    `INSERT INTO patients (id, name, sex, birth_date, created_at, updated_at) SELECT seq, CONCAT('患者', seq), IF(seq % 2, 'M', 'F'), DATE_SUB('2000-01-01', INTERVAL seq % 20000 DAY), NOW(), NOW() FROM seq_1_to_${PATIENTS}`
  )
  await c.query(
    `INSERT INTO clinic_patients (patient_id, institution_id, clinic_patient_no, created_at) SELECT seq, 2 + seq % ${CLINICS}, CONCAT('P', seq), NOW() FROM seq_1_to_${PATIENTS}`
  )
  say('patients done; exams with signed reports…')
  // Signed exams over the last two years, every clinic; registered_at spreads evenly.
  await c.query(`INSERT INTO exams (id, accession_number, patient_id, institution_id, modality, priority, status, clinical_history, purpose, requesting_doctor, registered_by_id, registered_at, images_received_at, instance_count, created_at, updated_at, in_reading_queue, report_signed_at)
    SELECT seq, CONCAT('B', LPAD(seq, 12, '0')), 1 + seq % ${PATIENTS}, 2 + (1 + seq % ${PATIENTS}) % ${CLINICS}, 'CT', 'routine', 'signed', '咳嗽', '排除肺炎', '刘医生', 1,
      t, t + INTERVAL 10 MINUTE, 1, t, t + INTERVAL 2 HOUR, 0, t + INTERVAL 2 HOUR
    FROM (SELECT seq, NOW() - INTERVAL 30 DAY - INTERVAL (seq * 63) SECOND AS t FROM seq_1_to_${EXAMS}) g`)
  say('report versions…')
  await c.query(`INSERT INTO report_versions (exam_id, version_no, status, technique, findings, impression, author_id, last_modified_by_id, signer_id, revision, submitted_at, signed_at, created_at, updated_at)
    SELECT id, 1, 'signed', '胸部CT平扫', '双肺纹理清晰，未见实变。', '胸部CT平扫未见明显异常。', 1, 1, 1, 1, report_signed_at, report_signed_at, report_signed_at, report_signed_at FROM exams`)
  say('scheduled exams…')
  // Scheduled (waiting for images) in the device's clinic (id 2), over the last 10 days: all on its worklist.
  await c.query(`INSERT INTO exams (id, accession_number, patient_id, institution_id, modality, priority, status, clinical_history, purpose, requesting_doctor, registered_by_id, registered_at, instance_count, created_at, updated_at, in_reading_queue)
    SELECT ${EXAMS} + seq, CONCAT('S', LPAD(seq, 12, '0')), 10 * seq, 2, IF(seq % 3 = 0, 'DR', 'CT'), 'routine', 'registered', '咳嗽', '排除肺炎', '刘医生', 1,
      NOW() - INTERVAL (seq * 173) SECOND, 0, NOW(), NOW(), 0 FROM seq_1_to_${SCHEDULED}`)
  await c.query(
    `INSERT INTO exam_exam_items (exam_id, exam_item_id) SELECT ${EXAMS} + seq, 1 FROM seq_1_to_${SCHEDULED}`
  )
  await c.query(
    `INSERT INTO dicom_senders (institution_id, ae_title, host, port, description, active, worklist_charset, created_at, updated_at) VALUES (2, 'M1_CT', '127.0.0.1', 104, 'bench', 1, 'GB18030', NOW(), NOW())`
  )
  await c.query('SET unique_checks = 1, foreign_key_checks = 1')
  await c.query('ANALYZE TABLE exams, report_versions, patients, clinic_patients, exam_exam_items')
  say(`generated in ${Math.round((Date.now() - started) / 1000)} s`)
  await c.end()
}

async function bootApp() {
  Object.assign(process.env, env)
  const { Ignitor } = await import('@adonisjs/core')
  const APP_ROOT = new URL('../', import.meta.url)
  const ignitor = new Ignitor(APP_ROOT, {
    importer: (p: string) =>
      p.startsWith('./') || p.startsWith('../') ? import(new URL(p, APP_ROOT).href) : import(p),
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

function stats(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b)
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]
  return {
    runs: ms.length,
    p50: +q(0.5).toFixed(1),
    p95: +q(0.95).toFixed(1),
    max: +sorted[sorted.length - 1].toFixed(1),
  }
}

async function main() {
  if (process.env.BENCH_REUSE !== '1') await generate()
  if (process.env.BENCH_GENERATE_ONLY === '1') return
  const app = await bootApp()
  const { WorklistScp } = await import('#app/interoperability/worklist/worklist_scp')
  const scp = await new WorklistScp({ port: 0, host: '127.0.0.1', aet: 'IMAGING_MWL' }).start()
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '')
  // quiet: findscu -q prints nothing, as a modality's own client does not; printing 500
  // identifiers costs findscu itself ~250 ms CPU at this load (measured with /usr/bin/time).
  const findscu = async (keys: string[], quiet = false) => {
    const t = performance.now()
    const { stderr, stdout } = await run(
      'findscu',
      [
        ...(quiet ? ['-q'] : []),
        '-W',
        '-aet',
        'M1_CT',
        '-aec',
        'IMAGING_MWL',
        '-k',
        'AccessionNumber',
        '-k',
        'PatientName',
        '-k',
        'PatientID',
        ...keys.flatMap((k) => ['-k', k]),
        '127.0.0.1',
        String(scp.port),
      ],
      { maxBuffer: 64 * 1024 * 1024 }
    )
    return {
      ms: performance.now() - t,
      answers: (stdout + stderr).split('Find Response:').length - 1,
    }
  }
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    loadBefore: os.loadavg(),
    exams: EXAMS,
    scheduled: SCHEDULED,
  }

  // Baseline: one C-ECHO-sized round trip is the floor of a findscu run (process start + association).
  const baseline: number[] = []
  for (let i = 0; i < 20; i++) {
    const t = performance.now()
    await run('echoscu', ['-aet', 'M1_CT', '-aec', 'IMAGING_MWL', '127.0.0.1', String(scp.port)])
    baseline.push(performance.now() - t)
  }
  results.echoscu = stats(baseline)
  say(`echoscu (floor): ${JSON.stringify(results.echoscu)}`)

  for (const [name, keys] of [
    ['worklist: everything (capped at 500)', ['ScheduledProcedureStepSequence[0].Modality']],
    [
      'worklist: CT today',
      [
        'ScheduledProcedureStepSequence[0].Modality=CT',
        `ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=${today}`,
      ],
    ],
    [
      'worklist: one accession',
      ['AccessionNumber=S000000002500', 'ScheduledProcedureStepSequence[0].Modality'],
    ],
  ] as const) {
    const times: number[] = []
    let answers = 0
    for (let i = 0; i < RUNS; i++) {
      const r = await findscu([...keys])
      times.push(r.ms)
      answers = r.answers
    }
    results[name] = { ...stats(times), answers }
    say(`${name}: ${JSON.stringify(results[name])}`)
    const quiet: number[] = []
    for (let i = 0; i < RUNS; i++) quiet.push((await findscu([...keys], true)).ms)
    results[`${name}, findscu -q`] = { ...stats(quiet), answers }
    say(`${name}, findscu -q: ${JSON.stringify(results[`${name}, findscu -q`])}`)
  }
  await scp.stop()

  // The SCP's own work for one C-FIND, in process (no findscu start-up, no printing):
  // the database query and every answer's identifier encoded in the device's character set.
  {
    const { WorklistService } = await import('#app/interoperability/worklist/worklist_service')
    const { worklistIdentifier } = await import('#app/interoperability/worklist/dicom_writer')
    const service = await app.container.make(WorklistService)
    for (const [name, query] of [
      ['worklist in process: everything (capped at 500)', { '0040,0100': [{}] }],
      [
        'worklist in process: CT today',
        { '0040,0100': [{ '0008,0060': 'CT', '0040,0002': today }] },
      ],
      ['worklist in process: one accession', { '0008,0050': 'S000000002500', '0040,0100': [{}] }],
    ] as const) {
      const times: number[] = []
      let answers = 0
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now()
        const answer = await service.answer({ callingAet: 'M1_CT', query })
        for (const item of answer.items) worklistIdentifier(item, answer.charset, true)
        times.push(performance.now() - t)
        answers = answer.items.length
      }
      results[name] = { ...stats(times), answers }
      say(`${name}: ${JSON.stringify(results[name])}`)
    }
  }

  const { FhirService } = await import('#app/interoperability/fhir/fhir_service')
  const { parseSearch } = await import('#app/interoperability/fhir/search_params')
  const service = await app.container.make(FhirService)
  const clients = {
    centre: {
      user: null as any,
      institutionId: 1,
      kind: 'alliance' as const,
      seesNationalId: false,
      baseUrl: 'http://bench/fhir/r4',
    },
    clinic: {
      user: null as any,
      institutionId: 2,
      kind: 'clinic' as const,
      seesNationalId: false,
      baseUrl: 'http://bench/fhir/r4',
    },
  }
  for (const [who, client] of Object.entries(clients)) {
    for (const [label, span] of [
      ['one day', 1],
      ['one month', 30],
    ] as const) {
      // Side by side in one loop, alternating which goes first: the default (no count
      // unless the page is the last) and `_total=accurate` (the count, as before).
      const times: Record<string, number[]> = { default: [], accurate: [] }
      let total: number | null = 0
      for (let i = 0; i < RUNS; i++) {
        const daysAgo = 40 + Math.floor(Math.random() * 600)
        const from = new Date(Date.now() - daysAgo * 86400_000).toISOString().slice(0, 10)
        const to = new Date(Date.now() - (daysAgo - span) * 86400_000).toISOString().slice(0, 10)
        const modes =
          i % 2 ? (['accurate', 'default'] as const) : (['default', 'accurate'] as const)
        for (const mode of modes) {
          const t = performance.now()
          const input = parseSearch('DiagnosticReport', {
            date: span === 1 ? from : [`ge${from}`, `lt${to}`],
            ...(mode === 'accurate' ? { _total: 'accurate' } : {}),
          })
          const found = await service.search(input, client)
          JSON.stringify({ resourceType: 'Bundle', entry: found.resources })
          times[mode].push(performance.now() - t)
          if (mode === 'accurate') total = found.total
        }
      }
      for (const mode of ['default', 'accurate'] as const) {
        const key = `DiagnosticReport?date= ${label}, ${who} token, _total ${mode}`
        results[key] = { ...stats(times[mode]), lastTotal: total }
        say(`${key}: ${JSON.stringify(results[key])}`)
      }
    }
  }
  // C. The same searches over real HTTP: the app's server (bin/server.ts) on BENCH_HTTP_PORT,
  // a bearer token with fhir:read per institution (auth, the pipeline, JSON), keep-alive.
  {
    const { default: User } = await import('#models/user')
    const db = (await import('@adonisjs/lucid/services/db')).default
    await db.rawQuery(
      `INSERT IGNORE INTO users (id, institution_id, username, full_name, password, role, title, status, failed_login_count, created_at, updated_at) VALUES (2, 2, 'bench_m1', '测试技师', 'x', 'technologist', 'junior', 'active', 0, NOW(), NOW())`
    )
    const tokens: Record<string, string> = {}
    for (const [who, id] of [
      ['centre', 1],
      ['clinic', 2],
    ] as const) {
      const user = await User.findOrFail(id)
      const token = await User.accessTokens.create(user, ['fhir:read'])
      tokens[who] = token.value!.release()
    }
    const port = Number(process.env.BENCH_HTTP_PORT ?? 3507)
    const { spawn } = await import('node:child_process')
    const server = spawn(
      process.execPath,
      ['--import', 'ts-node-maintained/register/esm', 'bin/server.ts'],
      { cwd: ROOT, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] }
    )
    const base = `http://127.0.0.1:${port}/fhir/r4`
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/metadata`)).ok) break
      } catch {}
      if (i > 600) throw new Error('server did not start')
      await new Promise((r) => setTimeout(r, 200))
    }
    for (const [who, token] of Object.entries(tokens)) {
      for (const [label, span] of [
        ['one day', 1],
        ['one month', 30],
      ] as const) {
        const times: Record<string, number[]> = { default: [], accurate: [] }
        let total = 0
        for (let i = 0; i < RUNS; i++) {
          const daysAgo = 40 + Math.floor(Math.random() * 600)
          const from = new Date(Date.now() - daysAgo * 86400_000).toISOString().slice(0, 10)
          const to = new Date(Date.now() - (daysAgo - span) * 86400_000).toISOString().slice(0, 10)
          const qs = span === 1 ? `date=${from}` : `date=ge${from}&date=lt${to}`
          const modes =
            i % 2 ? (['accurate', 'default'] as const) : (['default', 'accurate'] as const)
          for (const mode of modes) {
            const t = performance.now()
            const response = await fetch(
              `${base}/DiagnosticReport?${qs}${mode === 'accurate' ? '&_total=accurate' : ''}`,
              { headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' } }
            )
            const body = (await response.json()) as {
              total?: number
              link?: Array<{ relation: string }>
            }
            times[mode].push(performance.now() - t)
            if (!response.ok) throw new Error(`HTTP ${response.status}: ${JSON.stringify(body)}`)
            if (!body.link?.some((l) => l.relation === 'next')) throw new Error('no next link')
            if (mode === 'accurate') total = body.total ?? 0
          }
        }
        for (const mode of ['default', 'accurate'] as const) {
          const key = `HTTP DiagnosticReport?date= ${label}, ${who} token, _total ${mode}`
          results[key] = { ...stats(times[mode]), lastTotal: total }
          say(`${key}: ${JSON.stringify(results[key])}`)
        }
      }
    }
    server.kill('SIGTERM')
  }
  results.loadAfter = os.loadavg()
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true })
  writeFileSync(join(ROOT, 'bench/results/interoperability.json'), JSON.stringify(results, null, 2))
  await app.terminate()
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
