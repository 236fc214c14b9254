/*
| Critical-value push benchmark (issue 4).
|
|   node --import ts-node-maintained/register/esm bench/critical_push.ts
|
| Starts its own app server (bin/server.ts, scheduler off) on a database of
| its own (BENCH_DB, recreated), seeds 50 clinics × 20 clinic users on duty,
| connects 1,000 socket.io clients (one process, one socket each, as browser
| tabs do) and measures:
|   A. raise → receipt: a radiologist raises critical values over HTTP (as the
|      exam-page form does, JSON); each of the clinic's 20 sockets receives the
|      alert; latency = receipt at the socket − start of the raise request.
|   B1. a forced reconnect of all sockets from the client side (every transport
|      dropped at once, as a network outage would), with alerts raised while
|      they are away and during the reconnect storm;
|   B2. a forced reconnect from the server side: the server process is killed
|      (SIGKILL) right after alerts were accepted and started again, with more
|      alerts raised during the reconnect storm.
| "Lost" = an accepted alert (HTTP 201) that one of its recipients' sockets
| never received. Loopback only; bounded in time (a few minutes).
|
| Env: BENCH_PORT (3393), BENCH_DB (imaging_bench_critical), BENCH_CLINICS (50),
|      BENCH_USERS_PER_CLINIC (20), BENCH_RAISES (200), BENCH_RATE (raises/s, 10).
*/
import 'reflect-metadata'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { writeFileSync, mkdirSync } from 'node:fs'
import { performance, monitorEventLoopDelay } from 'node:perf_hooks'
import { randomUUID } from 'node:crypto'
import os from 'node:os'
import { Ignitor } from '@adonisjs/core'
import { io, type Socket } from 'socket.io-client'

const ROOT = new URL('../', import.meta.url)
const PORT = Number(process.env.BENCH_PORT ?? 3393)
const DB = process.env.BENCH_DB ?? 'imaging_bench_critical'
const CLINICS = Number(process.env.BENCH_CLINICS ?? 50)
const PER_CLINIC = Number(process.env.BENCH_USERS_PER_CLINIC ?? 20)
const RAISES = Number(process.env.BENCH_RAISES ?? 200)
const RATE = Number(process.env.BENCH_RATE ?? 10)
const PASSWORD = 'Bench@2026-critical'
const BASE = `http://127.0.0.1:${PORT}`
const MESSAGE = '右侧基底节区急性脑出血，量约30ml，中线左移5mm'

process.env.TZ = 'UTC'
Object.assign(process.env, {
  DB_CONNECTION: 'mysql',
  DB_DATABASE: DB,
  PORT: String(PORT),
  HOST: '127.0.0.1',
  SCHEDULER_ENABLED: 'false',
  LOG_LEVEL: 'warn',
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const say = (message: string) =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`)

function quantile(values: number[], q: number) {
  if (!values.length) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = q * (sorted.length - 1)
  const low = Math.floor(rank)
  return sorted[low] + (sorted[Math.ceil(rank)] - sorted[low]) * (rank - low)
}
const ms = (value: number) => Math.round(value * 10) / 10

/* ------------------------------------------------------------ database + seed */

async function prepareDatabase() {
  const mysql = (await import('mysql2/promise')).default
  const connection = await mysql.createConnection({
    host: process.env.DB_HOST || '127.0.0.1',
    port: Number(process.env.DB_PORT || 3306),
    user: process.env.DB_USER || 'root',
    password: process.env.DB_PASSWORD || '',
  })
  await connection.query(
    `CREATE DATABASE IF NOT EXISTS \`${DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`
  )
  await connection.end()
  const migrated = spawnSync(process.execPath, ['ace.js', 'migration:fresh', '--force'], {
    cwd: ROOT,
    env: process.env,
    stdio: 'inherit',
  })
  if (migrated.status !== 0) throw new Error('migrations failed')
}

async function bootApp() {
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
  return app
}

interface Seeded {
  clinics: Array<{ id: number; users: Array<{ id: number; ticket: string }>; exams: number[] }>
  radiologist: string
  findingId: number
}

async function seed(examsPerClinic: number): Promise<Seeded> {
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const { default: hash } = await import('@adonisjs/core/services/hash')
  const { default: Institution } = await import('#models/institution')
  const { default: User } = await import('#models/user')
  const { default: CriticalFinding } = await import('#models/critical_finding')
  const { ticketFor } = await import('#tests/support/sessions')
  const { importAllCatalogues } = await import('#app/catalogue/catalogue_import')
  const { PatientRegistry } = await import('#app/intake/services/patient_registry')
  const { ExamRegistration } = await import('#app/intake/services/exam_registration')
  const { SystemClock } = await import('#app/platform/clock')
  const { default: ExamItem } = await import('#models/exam_item')
  const { DateTime } = await import('luxon')

  await importAllCatalogues()
  const item = await ExamItem.query().where('modality', 'CT').where('active', true).firstOrFail()
  const lead = await Institution.create({
    code: 'LEAD',
    name: '基准牵头医院',
    kind: 'lead_hospital',
    level: '二级甲等',
    active: true,
  } as any)
  const radiologist = await User.create({
    username: 'bench.rad',
    fullName: '基准医师',
    password: PASSWORD,
    institutionId: lead.id,
    role: 'radiologist',
    title: 'senior',
    status: 'active',
    failedLoginCount: 0,
  })
  void radiologist
  const passwordHash = await hash.make(PASSWORD)
  const now = DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')
  const registry = new PatientRegistry()
  const registration = new ExamRegistration(new SystemClock())
  const clinics: Seeded['clinics'] = []
  for (let c = 0; c < CLINICS; c++) {
    const clinic = await Institution.create({
      code: `B${String(c).padStart(3, '0')}`,
      name: `基准卫生院${c}`,
      kind: 'member_clinic',
      level: '一级',
      active: true,
    } as any)
    await db.table('users').multiInsert(
      Array.from({ length: PER_CLINIC }, (_, u) => ({
        institution_id: clinic.id,
        username: `bench.c${c}.u${u}`,
        full_name: `基准人员${c}-${u}`,
        password: passwordHash,
        role: 'clinic_staff',
        status: 'active',
        failed_login_count: 0,
        created_at: now,
        updated_at: now,
      }))
    )
    const users = await User.query().where('institution_id', clinic.id).orderBy('id')
    // Everyone on duty: each alert goes to the clinic's 20 sockets.
    await db
      .table('critical_value_contacts')
      .multiInsert(users.map((u) => ({ user_id: u.id, duty: 'on_duty', assigned_at: now })))
    const exams: number[] = []
    for (let e = 0; e < examsPerClinic; e++) {
      const patient = await registry.register(clinic, {
        name: `患者${c}-${e}`,
        sex: 'M',
        birthDate: DateTime.utc(1960, 1, 1),
        clinicPatientNo: `P${c}-${e}`,
        nationalId: null,
      })
      const [exam] = await registration.register(users[0], {
        clinicPatientId: patient.clinicPatient.id,
        itemIds: [item.id],
        priority: 'emergency',
        clinicalHistory: '突发头痛伴呕吐2小时',
        purpose: '排除脑出血',
        requestingDoctor: '值班医生',
      })
      exams.push(exam.id)
    }
    clinics.push({
      id: clinic.id,
      users: await Promise.all(users.map(async (u) => ({ id: u.id, ticket: await ticketFor(u) }))),
      exams,
    })
  }
  await db
    .from('exams')
    .update({ status: 'images_received', images_received_at: now, instance_count: 1 })
  const finding = await CriticalFinding.findByOrFail('code', 'ICH')
  return { clinics, radiologist: 'bench.rad', findingId: finding.id }
}

/* ------------------------------------------------------------------- server */

let server: ChildProcess | null = null

async function startServer() {
  const child = spawn(
    process.execPath,
    ['--import', 'ts-node-maintained/register/esm', 'bin/server.ts'],
    { cwd: ROOT, env: process.env, stdio: ['ignore', 'inherit', 'inherit'] }
  )
  server = child
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    try {
      const response = await fetch(BASE + '/login')
      if (response.ok) return child
    } catch {}
    await sleep(200)
  }
  throw new Error('server did not start')
}

function killServer(signal: NodeJS.Signals) {
  const child = server
  server = null
  if (!child || child.exitCode !== null) return Promise.resolve()
  return new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.kill(signal)
  })
}

/* --------------------------------------------------------------- radiologist */

class Browser {
  cookies = new Map<string, string>()
  csrf = ''

  async request(
    method: string,
    path: string,
    init: { form?: Record<string, string>; json?: unknown } = {}
  ) {
    const headers: Record<string, string> = {
      Cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    }
    let body: string | undefined
    if (init.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded'
      body = new URLSearchParams(init.form).toString()
    }
    if (init.json) {
      headers['Content-Type'] = 'application/json'
      headers['Accept'] = 'application/json'
      headers['X-CSRF-TOKEN'] = this.csrf
      body = JSON.stringify(init.json)
    }
    const response = await fetch(BASE + path, { method, headers, body, redirect: 'manual' })
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const index = pair.indexOf('=')
      this.cookies.set(pair.slice(0, index), pair.slice(index + 1))
    }
    return response
  }

  async refreshCsrf() {
    const page = await this.request('GET', '/critical-values')
    const found = (await page.text()).match(/name=['"]_csrf['"] value=['"]([^'"]+)['"]/)
    if (!found)
      throw new Error(`no page after login: ${page.status} ${page.headers.get('location')}`)
    this.csrf = found[1]
  }

  async login(username: string) {
    const page = await (await this.request('GET', '/login')).text()
    const token = page.match(/name=['"]_csrf['"] value=['"]([^'"]+)['"]/)![1]
    const response = await this.request('POST', '/login', {
      form: { username, password: PASSWORD, _csrf: token },
    })
    if (response.status !== 302 || response.headers.get('location')?.startsWith('/login'))
      throw new Error(`login failed: ${response.status} ${response.headers.get('location')}`)
    await this.refreshCsrf()
  }
}

/* ------------------------------------------------------------------ sockets */

interface Client {
  clinic: number
  socket: Socket
  receivedAt: Map<number, number>
  /** every time this socket (re)connected */
  connects: number[]
}

function connect(clinic: number, ticket: string): Promise<Client> {
  const socket = io(BASE, {
    auth: { ticket },
    transports: ['websocket'],
    forceNew: true,
    reconnection: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
    randomizationFactor: 0.5,
  })
  const client: Client = { clinic, socket, receivedAt: new Map(), connects: [] }
  socket.on('connect', () => client.connects.push(performance.now()))
  socket.on('critical:alert', (alert: { id: number }) => {
    if (!client.receivedAt.has(alert.id)) client.receivedAt.set(alert.id, performance.now())
    socket.emit('critical:received', { id: alert.id })
  })
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(client))
    socket.once('connect_error', reject)
  })
}

/* --------------------------------------------------------------------- main */

interface Raised {
  id: number
  clinicIndex: number
  startedAt: number
  respondedAt: number
}

async function main() {
  const started = Date.now()
  const loadAtStart = os.loadavg().map((l) => Math.round(l * 100) / 100)
  const totalRaises = RAISES + 50 + 20 + 30
  const examsPerClinic = Math.ceil(totalRaises / CLINICS) + 1
  say(`database ${DB}: migrating…`)
  await prepareDatabase()
  const app = await bootApp()
  say(
    `seeding ${CLINICS} clinics × ${PER_CLINIC} clinic users (on duty), ${examsPerClinic} exams each…`
  )
  const seeded = await seed(examsPerClinic)
  say('starting the app server…')
  await startServer()
  const radiologist = new Browser()
  await radiologist.login(seeded.radiologist)

  say(`connecting ${CLINICS * PER_CLINIC} sockets…`)
  const clients: Client[] = []
  const connectStart = performance.now()
  for (const [index, clinic] of seeded.clinics.entries()) {
    clients.push(...(await Promise.all(clinic.users.map((u) => connect(index, u.ticket)))))
  }
  const connectMs = performance.now() - connectStart
  say(`${clients.length} sockets connected in ${Math.round(connectMs)} ms`)

  const nextExam = new Map<number, number>()
  const raised: Raised[] = []
  const refused: number[] = []
  async function raise(clinicIndex: number) {
    const clinic = seeded.clinics[clinicIndex]
    const n = nextExam.get(clinicIndex) ?? 0
    nextExam.set(clinicIndex, n + 1)
    const examId = clinic.exams[n]
    const startedAt = performance.now()
    try {
      const response = await radiologist.request('POST', `/exams/${examId}/critical-values`, {
        json: { findingId: seeded.findingId, message: MESSAGE, requestKey: randomUUID() },
      })
      const respondedAt = performance.now()
      if (response.status !== 201) {
        refused.push(response.status)
        return null
      }
      const body = (await response.json()) as { id: number }
      const entry = { id: body.id, clinicIndex, startedAt, respondedAt }
      raised.push(entry)
      return entry
    } catch {
      refused.push(0) // the server was down: not accepted, so nothing to lose
      return null
    }
  }
  const missing = (set: Raised[]) => {
    let lost = 0
    for (const r of set)
      for (const c of clients) if (c.clinic === r.clinicIndex && !c.receivedAt.has(r.id)) lost++
    return lost
  }
  async function waitForAll(set: Raised[], timeoutMs: number) {
    const deadline = performance.now() + timeoutMs
    while (performance.now() < deadline && missing(set) > 0) await sleep(50)
    return missing(set)
  }
  const connectedCount = () => clients.filter((c) => c.socket.connected).length
  /** (alert, recipient) pairs whose socket was still away when the alert was accepted: only the resend on connect can deliver them. */
  const missedPushes = (set: Raised[], since: number) => {
    let count = 0
    for (const r of set) {
      for (const c of clients) {
        if (c.clinic !== r.clinicIndex) continue
        const back = c.connects.find((t) => t > since)
        if (back === undefined || back > r.respondedAt) count++
      }
    }
    return count
  }
  async function waitConnected(timeoutMs: number) {
    const begin = performance.now()
    while (performance.now() - begin < timeoutMs && connectedCount() < clients.length)
      await sleep(20)
    return performance.now() - begin
  }

  // ---- A: steady raises at RATE per second, clinics in turn.
  say(`A: ${RAISES} raises at ${RATE}/s…`)
  // The bench's own event loop: a stall here would be counted as latency, so it is reported.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 })
  loopDelay.enable()
  const phaseA: Array<Promise<Raised | null>> = []
  for (let i = 0; i < RAISES; i++) {
    phaseA.push(raise(i % CLINICS))
    await sleep(1000 / RATE)
  }
  const setA = (await Promise.all(phaseA)).filter(Boolean) as Raised[]
  const lostA = await waitForAll(setA, 30_000)
  const latencies: number[] = []
  for (const r of setA)
    for (const c of clients)
      if (c.clinic === r.clinicIndex && c.receivedAt.has(r.id))
        latencies.push(c.receivedAt.get(r.id)! - r.startedAt)
  const httpA = setA.map((r) => r.respondedAt - r.startedAt)
  // Where the time goes: the raise request itself, and the spread between a raise's first and last recipient.
  const firstReceipt = setA.map(
    (r) =>
      Math.min(
        ...clients
          .filter((c) => c.clinic === r.clinicIndex && c.receivedAt.has(r.id))
          .map((c) => c.receivedAt.get(r.id)!)
      ) - r.startedAt
  )
  const spread = setA.map((r) => {
    const times = clients
      .filter((c) => c.clinic === r.clinicIndex && c.receivedAt.has(r.id))
      .map((c) => c.receivedAt.get(r.id)!)
    return Math.max(...times) - Math.min(...times)
  })
  loopDelay.disable()
  const benchLoopMaxMs = ms(loopDelay.max / 1e6)
  say(
    `A: the bench's own event loop delay: p99 ${ms(loopDelay.percentile(99) / 1e6)} ms, max ${benchLoopMaxMs} ms`
  )
  const phaseStart = Math.min(...setA.map((r) => r.startedAt))
  const slowest = [...setA]
    .sort((a, b) => b.respondedAt - b.startedAt - (a.respondedAt - a.startedAt))
    .slice(0, 8)
  say(
    `A: slowest raises (start s → ms): ${slowest.map((r) => `${((r.startedAt - phaseStart) / 1000).toFixed(1)}→${Math.round(r.respondedAt - r.startedAt)}`).join(', ')}`
  )
  say(
    `A: ${latencies.length} receipts, p50 ${ms(quantile(latencies, 0.5))} ms, p99 ${ms(quantile(latencies, 0.99))} ms, lost ${lostA}`
  )
  say(
    `A: raise HTTP p50 ${ms(quantile(httpA, 0.5))} / p99 ${ms(quantile(httpA, 0.99))} ms; first receipt p50 ${ms(quantile(firstReceipt, 0.5))} / p99 ${ms(quantile(firstReceipt, 0.99))} ms; spread p50 ${ms(quantile(spread, 0.5))} / p99 ${ms(quantile(spread, 0.99))} ms`
  )

  // ---- B1: every socket's transport dropped at once; alerts raised while they are away and during the storm.
  say("B1: dropping every socket's connection at once…")
  for (const c of clients) c.socket.io.reconnectionDelay(1500)
  const dropAt = performance.now()
  for (const c of clients) (c.socket.io as any).engine.close()
  const phaseB1: Array<Promise<Raised | null>> = []
  for (let i = 0; i < 50; i++) {
    phaseB1.push(raise(i % CLINICS))
    if (i % 10 === 9) await sleep(50)
  }
  const setB1 = (await Promise.all(phaseB1)).filter(Boolean) as Raised[]
  await waitConnected(60_000)
  const reconnectB1 =
    Math.max(...clients.map((c) => c.connects.find((t) => t > dropAt) ?? Infinity)) - dropAt
  const lostB1 = await waitForAll([...setA, ...setB1], 60_000)
  const recoveredB1 = performance.now() - dropAt
  const missedB1 = missedPushes(setB1, dropAt)
  say(
    `B1: all ${connectedCount()} reconnected ${Math.round(reconnectB1)} ms after the drop; ${missedB1} deliveries were to sockets still away; lost ${lostB1}`
  )

  // ---- B2: alerts accepted, then the server killed (SIGKILL) and started again; more alerts during the storm.
  say('B2: 20 raises, then SIGKILL the server and start it again…')
  for (const c of clients) c.socket.io.reconnectionDelay(500)
  const beforeKill = (
    await Promise.all(Array.from({ length: 20 }, (_, i) => raise((i * 7) % CLINICS)))
  ).filter(Boolean) as Raised[]
  const killAt = performance.now()
  await killServer('SIGKILL')
  await startServer()
  const backAt = performance.now()
  const serverBackMs = backAt - killAt
  await radiologist.refreshCsrf() // sessions live in signed cookies: still logged in after the restart
  const storm: Array<Promise<Raised | null>> = []
  for (let i = 0; i < 30; i++) {
    storm.push(raise((i * 3) % CLINICS))
    await sleep(30)
  }
  const stormSet = (await Promise.all(storm)).filter(Boolean) as Raised[]
  const setB2 = [...beforeKill, ...stormSet]
  await waitConnected(60_000)
  const reconnectB2 =
    Math.max(...clients.map((c) => c.connects.find((t) => t > killAt) ?? Infinity)) - backAt
  const lostB2 = await waitForAll([...setA, ...setB1, ...setB2], 60_000)
  const missedB2 = missedPushes(stormSet, killAt)
  const stormHttp = stormSet.map((r) => r.respondedAt - r.startedAt)
  const stormLatency: number[] = []
  for (const r of stormSet)
    for (const c of clients)
      if (c.clinic === r.clinicIndex && c.receivedAt.has(r.id))
        stormLatency.push(c.receivedAt.get(r.id)! - r.startedAt)
  say(
    `B2: server back after ${Math.round(serverBackMs)} ms; all reconnected ${Math.round(reconnectB2)} ms later; ${missedB2} deliveries were to sockets still away; lost ${lostB2}`
  )

  // Receipts confirmed back to the server: every (alert, recipient) delivery row gets its receipt time.
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const accepted = [...setA, ...setB1, ...setB2]
  const count = async (withReceipt: boolean) =>
    Number(
      (
        await db
          .from('critical_value_deliveries')
          .whereIn(
            'critical_value_id',
            accepted.map((r) => r.id)
          )
          .if(withReceipt, (q) => q.whereNotNull('delivered_at'))
          .count('* as total')
          .first()
      )?.total
    )
  const settleStart = performance.now()
  let receiptRows = await count(true)
  while (receiptRows < accepted.length * PER_CLINIC && performance.now() - settleStart < 60_000) {
    await sleep(250)
    receiptRows = await count(true)
  }
  const receiptsSettledMs = performance.now() - settleStart
  const deliveryRows = await count(false)

  const result = {
    date: new Date().toISOString(),
    loadAverage: {
      atStart: loadAtStart,
      atEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
    },
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.type()} ${os.release()}`,
    },
    sockets: clients.length,
    clinics: CLINICS,
    recipientsPerAlert: PER_CLINIC,
    connectAllMs: Math.round(connectMs),
    phaseA: {
      raises: setA.length,
      ratePerSecond: RATE,
      receipts: latencies.length,
      latencyMs: {
        p50: ms(quantile(latencies, 0.5)),
        p90: ms(quantile(latencies, 0.9)),
        p99: ms(quantile(latencies, 0.99)),
        max: ms(Math.max(...latencies)),
      },
      raiseHttpMs: { p50: ms(quantile(httpA, 0.5)), p99: ms(quantile(httpA, 0.99)) },
      benchEventLoopMaxMs: benchLoopMaxMs,
      lost: lostA,
    },
    phaseB1: {
      raises: setB1.length,
      deliveriesToSocketsStillAway: missedB1,
      allReconnectedMs: Math.round(reconnectB1),
      allReceivedMs: Math.round(recoveredB1),
      lost: lostB1,
    },
    phaseB2: {
      raisesBeforeKill: beforeKill.length,
      raisesDuringStorm: stormSet.length,
      deliveriesToSocketsStillAway: missedB2,
      serverBackMs: Math.round(serverBackMs),
      allReconnectedAfterServerBackMs: Math.round(reconnectB2),
      stormRaiseHttpMs: { p50: ms(quantile(stormHttp, 0.5)), p99: ms(quantile(stormHttp, 0.99)) },
      stormRaiseToReceiptMs: {
        p50: ms(quantile(stormLatency, 0.5)),
        p99: ms(quantile(stormLatency, 0.99)),
      },
      lost: lostB2,
    },
    refusedOrServerDown: refused.length,
    deliveries: {
      rows: deliveryRows,
      withReceipt: receiptRows,
      expected: accepted.length * PER_CLINIC,
      receiptsSettledAfterMs: Math.round(receiptsSettledMs),
    },
    totalLost: lostB2,
    durationSeconds: Math.round((Date.now() - started) / 1000),
  }
  console.log(JSON.stringify(result, null, 2))
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
  writeFileSync(
    new URL(`./results/critical_push-${result.date.slice(0, 10)}.json`, import.meta.url),
    JSON.stringify(result, null, 2)
  )

  for (const c of clients) c.socket.close()
  await killServer('SIGTERM')
  await app.terminate()
}

main().catch(async (error) => {
  console.error(error)
  await killServer('SIGKILL')
  process.exit(1)
})
