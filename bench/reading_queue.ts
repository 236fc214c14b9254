/*
| Reading-queue benchmark: 1,000,000 generated exams in MySQL/MariaDB (a
| separate database, imaging_bench), 50 concurrent radiologists loading and
| filtering the queue through the app's HTTP endpoint GET /api/v1/reading/queue
| (bearer tokens, the same service and queries as the page), and the EXPLAIN of
| every query a queue request runs.
|
|   node --import ts-node-maintained/register/esm bench/reading_queue.ts
|
| Options (environment): BENCH_DB (imaging_bench), BENCH_PORT (3399),
| BENCH_EXAMS (1000000), BENCH_SECONDS (60), BENCH_USERS (50),
| The server runs as production does: compiled (`node ace build`, then
| build/bin/server.js); BENCH_SERVER=ts runs bin/server.ts through ts-node instead.
| BENCH_BUILT=1 starts the existing build/ without compiling again.
| BENCH_REUSE=1 keeps an already generated database (e.g. the 10,000,000 exams of
| bench/reading_queue_10m.sql, with BENCH_DB=imaging_bench_scale); BENCH_EXPLAIN_ONLY=1 stops
| after the EXPLAINs (no load); BENCH_NODE_ARGS passes
| flags to the server's node (e.g. --cpu-prof to profile it).
| BENCH_COMPARE=<path of another checkout> runs the same load, alternately, against
| that checkout's server and this one's (BENCH_ROUNDS rounds each, default 3), and
| reports p95 and the server's CPU milliseconds per request for both and their
| ratio: CPU per request stays comparable on a loaded machine, latency does not. BENCH_CURRENT=<path> puts a
| third checkout on the "current" side (one commit against its parent, both older than this bench).
| BENCH_AUTH=session loads the queue PAGE (GET /reading, HTML) with a session cookie from a login by the form
| instead of the API with a bearer token: the path a radiologist's browser takes, through the session store,
| CSRF/shield and the login rate limiter (each side logs its radiologists in again after it starts, as a
| cookie of one server's store means nothing to the other's).
| Loopback only. Writes bench/results/reading_queue.json and prints a summary.
*/
import 'reflect-metadata'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import mysql from 'mysql2/promise'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const DB = process.env.BENCH_DB ?? 'imaging_bench'
const PORT = Number(process.env.BENCH_PORT ?? 3399)
const EXAMS = Number(process.env.BENCH_EXAMS ?? 1_000_000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60)
const USERS = Number(process.env.BENCH_USERS ?? 50)
const QUEUED = Math.round(EXAMS * 0.01)
const WAITING_FOR_IMAGES = Math.round(EXAMS * 0.002)
const PATIENTS = Math.round(EXAMS * 0.3)
const CLINICS = 40
const RADIOLOGISTS = 60
const BATCH = 5000

const say = (message: string) =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`)

/** A fixed pseudo-random sequence: every run generates the same county. */
let seed = 20261122
const random = () => {
  seed = (seed * 1664525 + 1013904223) % 4294967296
  return seed / 4294967296
}
const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]
const sqlTime = (ms: number) => new Date(ms).toISOString().slice(0, 23).replace('T', ' ')

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
  // The queue never calls Orthanc; nothing listens here.
  ORTHANC_URL: 'http://127.0.0.1:9',
  // BENCH_AUTH=session logs every radiologist in by the form from this one address, each round.
  LOGIN_RATE_PER_IP: '100000',
  LOGIN_RATE_PER_ACCOUNT: '100000',
}
const SESSION_AUTH = process.env.BENCH_AUTH === 'session'
const BENCH_PASSWORD = 'Queue-bench-2026!'

type Radiologist = { userId: number; token: string; username: string; cookie?: string }

async function connect(database?: string) {
  return mysql.createConnection({
    host: env.DB_HOST,
    port: Number(env.DB_PORT),
    user: env.DB_USER,
    password: env.DB_PASSWORD,
    database,
    timezone: 'Z',
    multipleStatements: false,
  })
}

/* ------------------------------------------------------------------ data */

async function generate() {
  const admin = await connect()
  await admin.query(`DROP DATABASE IF EXISTS \`${DB}\``)
  await admin.query(`CREATE DATABASE \`${DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  await admin.end()
  say(`migrating ${DB}…`)
  const migrated = spawnSync(process.execPath, ['ace.js', 'migration:run', '--force'], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
  })
  if (migrated.status !== 0) throw new Error('migrations failed')

  const c = await connect(DB)
  await c.query('SET unique_checks = 0, foreign_key_checks = 0')
  const now = Date.now()
  const stamp = sqlTime(now)
  const insert = async (table: string, columns: string[], rows: unknown[][]) => {
    for (let i = 0; i < rows.length; i += BATCH) {
      await c.query(
        `INSERT INTO \`${table}\` (${columns.map((col) => `\`${col}\``).join(',')}) VALUES ?`,
        [rows.slice(i, i + BATCH)]
      )
    }
  }

  await insert(
    'institutions',
    ['id', 'code', 'name', 'kind', 'level', 'active', 'created_at', 'updated_at'],
    [
      [1, 'LEAD', '清河县人民医院', 'lead_hospital', '二级甲等', 1, stamp, stamp],
      ...Array.from({ length: CLINICS }, (_, i) => [
        i + 2,
        `M${String(i + 1).padStart(2, '0')}`,
        `第${i + 1}卫生院`,
        'member_clinic',
        '一级',
        1,
        stamp,
        stamp,
      ]),
    ]
  )
  const titles = ['junior', 'intermediate', 'senior'] as const
  const users: unknown[][] = []
  for (let i = 1; i <= RADIOLOGISTS; i++)
    users.push([
      i,
      1,
      `rad${i}`,
      `医师${i}`,
      '!',
      'radiologist',
      titles[i % 3],
      'active',
      0,
      stamp,
      stamp,
    ])
  for (let i = 0; i < CLINICS; i++)
    users.push([
      RADIOLOGISTS + 1 + i,
      i + 2,
      `clinic${i + 1}`,
      `护士${i + 1}`,
      '!',
      'clinic_staff',
      null,
      'active',
      0,
      stamp,
      stamp,
    ])
  await insert(
    'users',
    [
      'id',
      'institution_id',
      'username',
      'full_name',
      'password',
      'role',
      'title',
      'status',
      'failed_login_count',
      'created_at',
      'updated_at',
    ],
    users
  )

  const items: unknown[][] = []
  const parts = {
    DR: ['胸部', '腰椎', '膝关节', '腕关节', '颈椎'],
    CT: ['头部', '胸部', '上腹部', '腰椎', '鼻窦'],
    MR: ['头颅', '腰椎', '膝关节', '颈椎', '肩关节'],
  }
  let itemId = 1
  for (const modality of ['DR', 'CT', 'MR'] as const) {
    for (const part of parts[modality]) {
      const method = modality === 'DR' ? '摄影' : '平扫'
      items.push([
        itemId,
        'local',
        itemId,
        modality,
        part,
        method,
        `${modality} ${part} ${method}`,
        `${part}${method}`,
        0,
        1,
        stamp,
        stamp,
      ])
      itemId++
    }
  }
  await insert(
    'exam_items',
    [
      'id',
      'catalogue',
      'seq',
      'modality',
      'body_part',
      'method',
      'name',
      'source_name',
      'is_contrast',
      'active',
      'created_at',
      'updated_at',
    ],
    items
  )

  say(`${PATIENTS} patients…`)
  const surnames = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗'
  const given = ['秀英', '建国', '志强', '丽', '敏', '静', '伟', '芳', '军', '桂兰']
  const patients: unknown[][] = []
  for (let i = 1; i <= PATIENTS; i++) {
    patients.push([
      i,
      pick(surnames.split('')) + pick(given),
      random() < 0.5 ? 'M' : 'F',
      `${1940 + Math.floor(random() * 75)}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`,
      stamp,
      stamp,
    ])
    if (patients.length === 50_000)
      await insert(
        'patients',
        ['id', 'name', 'sex', 'birth_date', 'created_at', 'updated_at'],
        patients.splice(0)
      )
  }
  await insert(
    'patients',
    ['id', 'name', 'sex', 'birth_date', 'created_at', 'updated_at'],
    patients
  )

  // Five years of exams, oldest first. The newest are the live ones: the last QUEUED
  // waiting to be read (as a backlog, most past their due time), and before them the
  // last few registered without images yet; everything older is signed.
  say(`${EXAMS} exams (${QUEUED} in the reading queue)…`)
  const span = 5 * 365 * 86_400_000
  const started = Date.now()
  const limits: Record<string, Record<string, number>> = {
    emergency: { DR: 30, CT: 120, MR: 120 },
    routine: { DR: 1440, CT: 1440, MR: 1440 },
    special: { DR: 2880, CT: 2880, MR: 2880 },
  }
  const examColumns = [
    'id',
    'accession_number',
    'patient_id',
    'institution_id',
    'modality',
    'priority',
    'status',
    'clinical_history',
    'purpose',
    'requesting_doctor',
    'registered_by_id',
    'registered_at',
    'images_received_at',
    'instance_count',
    'created_at',
    'updated_at',
    'due_at',
    'in_reading_queue',
    'claimed_by_id',
    'claimed_at',
    'report_signed_at',
  ]
  let exams: unknown[][] = []
  let pivot: unknown[][] = []
  for (let id = 1; id <= EXAMS; id++) {
    const registered = now - span + Math.floor((id / EXAMS) * span) - Math.floor(random() * 600_000)
    const received = registered + 300_000 + Math.floor(random() * 2_400_000)
    const modality = pick(['DR', 'DR', 'DR', 'DR', 'CT', 'CT', 'CT', 'MR', 'MR'] as const)
    const priority = pick([
      'routine',
      'routine',
      'routine',
      'routine',
      'emergency',
      'emergency',
      'special',
    ] as const)
    const due = received + limits[priority][modality] * 60_000
    const clinic = 2 + Math.floor(random() * CLINICS)
    const fromEnd = EXAMS - id
    let status: string
    let inQueue = 0
    let claimedBy: number | null = null
    let signedAt: string | null = null
    if (fromEnd < QUEUED) {
      inQueue = 1
      const r = random()
      status = r < 0.6 ? 'images_received' : r < 0.85 ? 'in_progress' : 'pending_review'
      if (status !== 'images_received') claimedBy = 1 + Math.floor(random() * RADIOLOGISTS)
    } else if (fromEnd < QUEUED + WAITING_FOR_IMAGES) {
      status = 'registered'
    } else {
      status = random() < 0.03 ? 'amended' : 'signed'
      signedAt = sqlTime(received + Math.floor(random() * limits[priority][modality] * 60_000))
    }
    const hasImages = status !== 'registered'
    exams.push([
      id,
      String(26_000_000_000 + id),
      1 + Math.floor(random() * PATIENTS),
      clinic,
      modality,
      priority,
      status,
      '咳嗽一周，发热两天',
      '排除肺炎',
      '刘医生',
      RADIOLOGISTS + clinic - 1,
      sqlTime(registered),
      hasImages ? sqlTime(received) : null,
      hasImages ? 20 : 0,
      sqlTime(registered),
      sqlTime(registered),
      hasImages ? sqlTime(due) : null,
      inQueue,
      claimedBy,
      claimedBy ? sqlTime(received + 600_000) : null,
      signedAt,
    ])
    const itemsOf =
      modality === 'DR'
        ? [1, 2, 3, 4, 5]
        : modality === 'CT'
          ? [6, 7, 8, 9, 10]
          : [11, 12, 13, 14, 15]
    pivot.push([id, pick(itemsOf)])
    if (exams.length === BATCH * 4) {
      await insert('exams', examColumns, exams)
      await insert('exam_exam_items', ['exam_id', 'exam_item_id'], pivot)
      exams = []
      pivot = []
      if (id % 100_000 === 0) say(`  ${id} exams (${Math.round((Date.now() - started) / 1000)} s)`)
    }
  }
  await insert('exams', examColumns, exams)
  await insert('exam_exam_items', ['exam_id', 'exam_item_id'], pivot)

  // The working report of every exam being written or reviewed (the queue shows its state).
  const [claimed] = (await c.query(
    'SELECT id, status, claimed_by_id FROM exams WHERE in_reading_queue = 1 AND claimed_by_id IS NOT NULL'
  )) as any
  await insert(
    'report_versions',
    [
      'exam_id',
      'version_no',
      'status',
      'findings',
      'impression',
      'technique',
      'author_id',
      'last_modified_by_id',
      'revision',
      'created_at',
      'updated_at',
    ],
    claimed.map((e: any) => [
      e.id,
      1,
      e.status === 'pending_review' ? 'pending_review' : 'draft',
      '右肺下叶斑片影。',
      '右肺下叶炎症。',
      '横断位平扫',
      e.claimed_by_id,
      e.claimed_by_id,
      1,
      stamp,
      stamp,
    ])
  )
  await c.query('SET unique_checks = 1, foreign_key_checks = 1')
  say(`generated in ${Math.round((Date.now() - started) / 1000)} s; analysing tables…`)
  await c.query(
    'ANALYZE TABLE exams, exam_exam_items, patients, report_versions, users, institutions'
  )
  await c.end()
}

/* ------------------------------------------------------------------ the app, in this process: tokens and the exact SQL */

async function bootApp() {
  Object.assign(process.env, env)
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

type Scenario = {
  name: string
  weight: number
  query: (userId: number) => Record<string, string | number | boolean>
}

/** What radiologists do with the queue, and how often. */
const SCENARIOS: Scenario[] = [
  { name: 'default (all waiting, by due time)', weight: 30, query: () => ({}) },
  { name: 'mine', weight: 15, query: () => ({ mine: true }) },
  { name: 'modality', weight: 15, query: () => ({ modality: pick(['DR', 'CT', 'MR']) }) },
  {
    name: 'clinic',
    weight: 10,
    query: () => ({ institutionId: 2 + Math.floor(random() * CLINICS) }),
  },
  {
    name: 'priority',
    weight: 10,
    query: () => ({ priority: pick(['emergency', 'routine', 'special']) }),
  },
  {
    name: 'status',
    weight: 10,
    query: () => ({ status: pick(['images_received', 'in_progress', 'pending_review']) }),
  },
  {
    name: 'modality + priority + clinic',
    weight: 5,
    query: () => ({
      modality: pick(['DR', 'CT', 'MR']),
      priority: 'emergency',
      institutionId: 2 + Math.floor(random() * CLINICS),
    }),
  },
  { name: 'next page (keyset)', weight: 5, query: () => ({ after: 'NEXT' }) },
]

async function explainAll(app: any, userId: number) {
  const { ReadingQueue } = await import('#app/reading/services/reading_queue')
  const db = (await import('@adonisjs/lucid/services/db')).default
  const queue = await app.container.make(ReadingQueue)
  const firstPage = await queue.list({ id: userId }, {})
  const ids = firstPage.rows.map((r: any) => r.id)
  const shapes: Array<[string, any]> = [
    ['default', {}],
    ['mine', { mine: true }],
    ['modality', { modality: 'CT' }],
    ['clinic', { institutionId: 7 }],
    ['priority', { priority: 'emergency' }],
    ['status', { status: 'pending_review' }],
    ['modality + priority + clinic', { modality: 'CT', priority: 'emergency', institutionId: 7 }],
    ['next page (keyset)', { after: firstPage.next }],
  ]
  const results: Array<{ name: string; sql: string; plan: any[] }> = []
  const explain = async (name: string, sql: string) => {
    const [rows] = await db.rawQuery(`EXPLAIN ${sql}`)
    results.push({
      name,
      sql,
      plan: rows.map((r: any) => ({
        table: r.table,
        type: r.type,
        key: r.key,
        rows: r.rows,
        Extra: r.Extra,
      })),
    })
  }
  // Exactly the queries the service runs for a request (its own builders, rendered to SQL).
  for (const [name, filters] of shapes)
    await explain(`page: ${name}`, queue.pageQuery({ id: userId }, filters, 50).toQuery())
  for (const [name, filters] of shapes.slice(0, 7))
    await explain(`counts: ${name}`, queue.countsQuery({ id: userId }, filters).toQuery())
  await explain('page items', queue.itemsQuery(ids).toQuery())
  await explain('page working reports', queue.workingQuery(ids).toQuery())
  return results
}

async function createTokens(count: number) {
  const User = (await import('#models/user')).default
  const tokens: Radiologist[] = []
  if (SESSION_AUTH) {
    // The generated users have no usable password: give the radiologists one (hashed as the app hashes).
    const hash = (await import('@adonisjs/core/services/hash')).default
    const db = (await import('@adonisjs/lucid/services/db')).default
    await db
      .from('users')
      .where('role', 'radiologist')
      .update({ password: await hash.make(BENCH_PASSWORD) })
  }
  for (let id = 1; id <= count; id++) {
    const user = await User.findOrFail(((id - 1) % RADIOLOGISTS) + 1)
    const token = await User.accessTokens.create(user, ['*'], { name: 'bench' })
    tokens.push({ userId: user.id, token: token.value!.release(), username: user.username })
  }
  return tokens
}

/** BENCH_AUTH=session: each radiologist logs in by the form (CSRF token from the page), as a browser does. */
async function logInAll(radiologists: Radiologist[]) {
  const logIn = async (who: Radiologist) => {
    const jar = new Map<string, string>()
    const keep = (response: Response) => {
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';')
        const at = pair.indexOf('=')
        jar.set(pair.slice(0, at), pair.slice(at + 1))
      }
    }
    const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
    const page = await fetch(`http://127.0.0.1:${PORT}/login`)
    keep(page)
    const csrf = (await page.text()).match(/name=['"]_csrf['"] value=['"]([^'"]+)['"]/)?.[1] ?? ''
    const login = await fetch(`http://127.0.0.1:${PORT}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'cookie': cookie(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, username: who.username, password: BENCH_PASSWORD }),
    })
    keep(login)
    if (login.status !== 302 || login.headers.get('location') === '/login')
      throw new Error(`login of ${who.username} failed: ${login.status}`)
    return { ...who, cookie: cookie() }
  }
  const signedIn: Radiologist[] = []
  for (const who of radiologists) signedIn.push(await logIn(who))
  return signedIn
}

/* ------------------------------------------------------------------ load */

/** The app's secrets from a checkout's .env (APP_KEY…), for a server started outside bin/up.mjs. */
function dotEnv(root = ROOT) {
  const values: Record<string, string> = {}
  const file = join(root, '.env')
  if (!existsSync(file)) return values
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const match = line.match(/^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/)
    if (match) values[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2')
  }
  return values
}

function startServer(root = ROOT): Promise<ChildProcess> {
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)
  // That checkout's own .env: an older checkout refuses settings it does not know (SESSION_DRIVER=auto).
  const serverEnv = { ...dotEnv(root), ...env }
  let server: ChildProcess
  if (process.env.BENCH_SERVER === 'ts') {
    server = spawn(
      process.execPath,
      [...extra, '--import', 'ts-node-maintained/register/esm', 'bin/server.ts'],
      { cwd: ROOT, env: serverEnv, stdio: ['ignore', 'inherit', 'inherit'] }
    )
  } else if (process.env.BENCH_BUILT === '1' && existsSync(join(root, 'build/bin/server.js'))) {
    say('using the existing build/ (BENCH_BUILT=1)')
    if (!existsSync(join(root, 'build/node_modules')))
      symlinkSync(join(root, 'node_modules'), join(root, 'build/node_modules'))
    server = spawn(process.execPath, [...extra, 'bin/server.js'], {
      cwd: join(root, 'build'),
      env: serverEnv,
      stdio: ['ignore', 'inherit', 'inherit'],
    })
  } else {
    say('compiling the app (node ace build)…')
    const built = spawnSync(process.execPath, ['ace.js', 'build'], {
      cwd: root,
      env: serverEnv,
      stdio: 'ignore',
    })
    if (built.status !== 0) throw new Error('node ace build failed')
    if (!existsSync(join(root, 'build/node_modules')))
      symlinkSync(join(root, 'node_modules'), join(root, 'build/node_modules'))
    server = spawn(process.execPath, [...extra, 'bin/server.js'], {
      cwd: join(root, 'build'),
      env: serverEnv,
      stdio: ['ignore', 'inherit', 'inherit'],
    })
  }
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 60_000
    const probe = async () => {
      try {
        const response = await fetch(`http://127.0.0.1:${PORT}/login`)
        if (response.status === 200) return resolve(server)
      } catch {}
      if (Date.now() > deadline) return reject(new Error('server did not start'))
      setTimeout(probe, 500)
    }
    server.once('exit', (code) => reject(new Error(`server exited ${code}`)))
    probe()
  })
}

function percentile(sorted: number[], p: number) {
  if (!sorted.length) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b)
  const round = (n: number) => Math.round(n * 10) / 10
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
  }
}

async function load(tokens: Radiologist[], seconds: number, thinkMs: [number, number]) {
  const byScenario = new Map<string, number[]>()
  const all: number[] = []
  let errors = 0
  const totalWeight = SCENARIOS.reduce((t, s) => t + s.weight, 0)
  const chooseScenario = () => {
    let r = random() * totalWeight
    for (const s of SCENARIOS) if ((r -= s.weight) < 0) return s
    return SCENARIOS[0]
  }
  const started = Date.now()
  const warmupEnd = started + 5_000
  const end = warmupEnd + seconds * 1000
  const nextCursor = new Map<number, string>()
  const radiologist = async (who: Radiologist) => {
    await new Promise((r) => setTimeout(r, random() * 1000))
    while (Date.now() < end) {
      const scenario = chooseScenario()
      const query = scenario.query(who.userId)
      if (query.after === 'NEXT') {
        const cursor = nextCursor.get(who.userId)
        if (cursor) query.after = cursor
        else delete query.after
      }
      const qs = new URLSearchParams(
        Object.entries(query).map(([k, v]) => [k, String(v)] as [string, string])
      ).toString()
      const t0 = performance.now()
      try {
        const response = who.cookie
          ? await fetch(`http://127.0.0.1:${PORT}/reading?${qs}`, {
              headers: { Cookie: who.cookie, Accept: 'text/html' },
              redirect: 'manual',
            })
          : await fetch(`http://127.0.0.1:${PORT}/api/v1/reading/queue?${qs}`, {
              headers: { Authorization: `Bearer ${who.token}`, Accept: 'application/json' },
            })
        // The page's next-page link is not followed: its keyset cursor comes from the API's meta only.
        const body: any = who.cookie ? { html: await response.text() } : await response.json()
        const ms = performance.now() - t0
        if (response.status !== 200) errors++
        else if (Date.now() > warmupEnd) {
          all.push(ms)
          if (!byScenario.has(scenario.name)) byScenario.set(scenario.name, [])
          byScenario.get(scenario.name)!.push(ms)
          if (body.meta?.next) nextCursor.set(who.userId, body.meta.next)
        }
      } catch {
        errors++
      }
      const think = thinkMs[0] + random() * (thinkMs[1] - thinkMs[0])
      if (think > 0) await new Promise((r) => setTimeout(r, think))
    }
  }
  await Promise.all(tokens.map(radiologist))
  const elapsed = (Date.now() - warmupEnd) / 1000
  return {
    seconds: Math.round(elapsed),
    requests: all.length,
    throughput: Math.round((all.length / elapsed) * 10) / 10,
    errors,
    overall: summary(all),
    byScenario: Object.fromEntries(
      [...byScenario].map(([name, samples]) => [name, summary(samples)])
    ),
  }
}

/* ------------------------------------------------------------------ main */

async function main() {
  const began = Date.now()
  if (process.env.BENCH_REUSE !== '1') await generate()
  else say(`reusing ${DB}`)

  const app = await bootApp()
  let tokens = await createTokens(USERS)
  say('EXPLAIN of every query a queue request runs…')
  const plans = await explainAll(app, 1)
  const scanned = plans.flatMap((p) =>
    p.plan
      .filter(
        (row) => row.type === 'ALL' || (row.table === 'exams' && /filesort/i.test(row.Extra ?? ''))
      )
      .map(() => p.name)
  )
  const db = (await import('@adonisjs/lucid/services/db')).default
  const [[counts]] = await db.rawQuery(
    'SELECT COUNT(*) AS exams, SUM(in_reading_queue) AS queued FROM exams'
  )
  await app.terminate()
  if (process.env.BENCH_EXPLAIN_ONLY === '1') {
    for (const p of plans)
      say(
        `${p.name.padEnd(36)} ${p.plan.map((r: any) => `${r.table}:${r.type}:${r.key}:${r.rows}${r.Extra ? ` (${r.Extra})` : ''}`).join('  ')}`
      )
    say(`queries not served by an index: ${scanned.length ? scanned.join(', ') : 'none'}`)
    return
  }

  if (process.env.BENCH_COMPARE)
    return compare(tokens, process.env.BENCH_COMPARE, Number(counts.exams))

  say('starting the app server…')
  const server = await startServer()
  try {
    if (SESSION_AUTH) tokens = await logInAll(tokens)
    say(`${USERS} radiologists, think time 0.5–1.5 s, ${SECONDS} s after a 5 s warm-up…`)
    const paced = await load(tokens, SECONDS, [500, 1500])
    say(`paced: ${JSON.stringify(paced.overall)} at ${paced.throughput} req/s`)
    say(`${USERS} radiologists with no think time (saturation), 20 s…`)
    const saturated = await load(tokens, 20, [0, 0])
    say(`saturated: ${JSON.stringify(saturated.overall)} at ${saturated.throughput} req/s`)
    const result = {
      date: new Date().toISOString(),
      database: DB,
      exams: Number(counts.exams),
      queued: Number(counts.queued),
      users: USERS,
      paced,
      saturated,
      plans,
      queriesNotServedByAnIndex: scanned,
      totalSeconds: Math.round((Date.now() - began) / 1000),
    }
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true })
    writeFileSync(join(ROOT, 'bench/results/reading_queue.json'), JSON.stringify(result, null, 2))
    say(`queries not served by an index: ${scanned.length ? scanned.join(', ') : 'none'}`)
    say(`done in ${result.totalSeconds} s; bench/results/reading_queue.json written`)
  } finally {
    server.kill('SIGTERM')
  }
}

/** User + system CPU time of a process so far, in milliseconds (from /proc, clock ticks of 10 ms). */
function cpuMs(pid: number) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** The same paced load against two checkouts' servers, alternately, BENCH_ROUNDS rounds each. */
async function compare(tokens: Radiologist[], other: string, exams: number) {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
  const sides = [
    { name: 'previous', root: other },
    { name: 'current', root: process.env.BENCH_CURRENT ?? ROOT },
  ]
  const runs: Array<{
    side: string
    round: number
    p50: number
    p95: number
    requests: number
    cpuMsPerRequest: number
  }> = []
  for (let round = 1; round <= rounds; round++) {
    for (const side of sides) {
      const server = await startServer(side.root)
      try {
        const who = SESSION_AUTH ? await logInAll(tokens) : tokens
        await load(who, 5, [500, 1500]) // JIT warm-up, not counted
        const before = cpuMs(server.pid!)
        const paced = await load(who, SECONDS, [500, 1500])
        const cpu = cpuMs(server.pid!) - before
        const run = {
          side: side.name,
          round,
          p50: paced.overall.p50,
          p95: paced.overall.p95,
          requests: paced.requests,
          cpuMsPerRequest: Math.round((cpu / paced.requests) * 100) / 100,
        }
        runs.push(run)
        say(`${side.name} round ${round}: ${JSON.stringify(run)}`)
      } finally {
        server.kill('SIGTERM')
        await new Promise((r) => server.once('exit', r))
      }
    }
  }
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
  const of = (side: string, key: 'p95' | 'cpuMsPerRequest') =>
    median(runs.filter((r) => r.side === side).map((r) => r[key]))
  const result = {
    date: new Date().toISOString(),
    auth: SESSION_AUTH ? 'session cookie, queue page' : 'bearer token, queue API',
    exams,
    users: USERS,
    seconds: SECONDS,
    loadAverageBefore: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    runs,
    median: {
      previous: { p95: of('previous', 'p95'), cpuMsPerRequest: of('previous', 'cpuMsPerRequest') },
      current: { p95: of('current', 'p95'), cpuMsPerRequest: of('current', 'cpuMsPerRequest') },
    },
    ratio: {
      p95: Math.round((of('current', 'p95') / of('previous', 'p95')) * 1000) / 1000,
      cpuMsPerRequest:
        Math.round((of('current', 'cpuMsPerRequest') / of('previous', 'cpuMsPerRequest')) * 1000) /
        1000,
    },
  }
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true })
  writeFileSync(
    join(ROOT, `bench/results/reading_queue_compare${SESSION_AUTH ? '_session' : ''}.json`),
    JSON.stringify(result, null, 2)
  )
  say(
    `median p95 ${result.median.previous.p95} → ${result.median.current.p95} ms (×${result.ratio.p95}); CPU per request ${result.median.previous.cpuMsPerRequest} → ${result.median.current.cpuMsPerRequest} ms (×${result.ratio.cpuMsPerRequest})`
  )
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
