/*
| The 10,000-socket critical-value push over two app nodes (issue 18, item 5:
| p99 ≤ 200 ms from raise to receipt through Redis).
|
|   node --import ts-node-maintained/register/esm bench/two_node_push.ts
|
| Recreates its own database (BENCH_DB), seeds one clinic with BENCH_USERS
| clinic users on duty (every alert goes to all of them) and a lead-hospital
| radiologist, starts two app servers (bin/server.ts, scheduler off) on
| BENCH_PORT_A and BENCH_PORT_B against that database and the local Redis
| (REDIS_URL: socket.io's Redis adapter and the session store), and forks
| BENCH_CLIENTS client processes (bench/support/push_clients.ts) that open
| BENCH_TABS sockets per user (tabs of one login session: one ticket), the
| sockets alternating between node A and node B, so each node holds half and
| each client process holds half of each node's. Tickets are made by the same
| session store and ticket signer the login uses (10,000 form logins from one
| address would meet the login rate limit); the server checks every one.
| The radiologist logs in on node A by the form and raises BENCH_RAISES critical
| values there (POST /exams/:id/critical-values, JSON) every BENCH_GAP_MS; each
| alert must reach all sockets on A and on B. Reported per node: raise →
| receipt p50/p95/p99, time to the last socket per raise, lost; each node's
| peak RSS; each client process's CPU share and event-loop delay (the client's
| own limit: its delay is counted as latency).
| Then the two "0 lost" phases: BENCH_RECONNECT_RAISES alerts raised while every
| socket is dropped and connects again (spread over BENCH_SPREAD_MS), and
| BENCH_KILL_RAISES alerts raised after node B is SIGKILLed, before it is
| started again on its port; its sockets come back by themselves and must get
| those alerts from the store (the resend on connect). Lost counts every
| socket that never showed an alert, per phase and node.
|
| Env: BENCH_PORT_A (3518), BENCH_PORT_B (3519), BENCH_DB (imaging_bench_consult_nodes),
|      BENCH_USERS (1000), BENCH_TABS (10), BENCH_CLIENTS (2), BENCH_RAISES (20),
|      BENCH_GAP_MS (3000), BENCH_RECONNECT_RAISES (5), BENCH_KILL_RAISES (5),
|      BENCH_SPREAD_MS (5000), REDIS_URL (redis://127.0.0.1:6379).
*/
import { fork, type ChildProcess } from 'node:child_process'
import { writeFileSync, mkdirSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import os from 'node:os'
import {
  Browser,
  bootApp,
  epochNow,
  memoryOf,
  prepareDatabase,
  say,
  sleep,
  startServer,
  stopServer,
  summary,
  type AppServer,
} from './support/push_bench.js'

const PORT_A = Number(process.env.BENCH_PORT_A ?? 3518)
const PORT_B = Number(process.env.BENCH_PORT_B ?? 3519)
const DB = process.env.BENCH_DB ?? 'imaging_bench_consult_nodes'
const USERS = Number(process.env.BENCH_USERS ?? 1000)
const TABS = Number(process.env.BENCH_TABS ?? 10)
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 2)
const RAISES = Number(process.env.BENCH_RAISES ?? 20)
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 3000)
const RECONNECT_RAISES = Number(process.env.BENCH_RECONNECT_RAISES ?? 5)
const KILL_RAISES = Number(process.env.BENCH_KILL_RAISES ?? 5)
const SPREAD_MS = Number(process.env.BENCH_SPREAD_MS ?? 5000)
const EXAMS = RAISES + RECONNECT_RAISES + KILL_RAISES
type Phase = 'steady' | 'reconnect' | 'kill'
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379'
const PASSWORD = 'Bench@2026-two-nodes'
const MESSAGE = '右侧基底节区急性脑出血，量约30ml，中线左移5mm'

process.env.TZ = 'UTC'
Object.assign(process.env, {
  DB_CONNECTION: 'mysql',
  DB_DATABASE: DB,
  HOST: '127.0.0.1',
  REDIS_URL,
  SESSION_DRIVER: 'redis',
  SCHEDULER_ENABLED: 'false',
  LOG_LEVEL: 'warn',
})

async function seed() {
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const { default: hash } = await import('@adonisjs/core/services/hash')
  const { default: Institution } = await import('#models/institution')
  const { default: User } = await import('#models/user')
  const { default: CriticalFinding } = await import('#models/critical_finding')
  const { default: ExamItem } = await import('#models/exam_item')
  const { ticketFor } = await import('#tests/support/sessions')
  const { importAllCatalogues } = await import('#app/catalogue/catalogue_import')
  const { PatientRegistry } = await import('#app/intake/services/patient_registry')
  const { ExamRegistration } = await import('#app/intake/services/exam_registration')
  const { SystemClock } = await import('#app/platform/clock')
  const { DateTime } = await import('luxon')

  await importAllCatalogues()
  const item = await ExamItem.query().where('modality', 'CT').where('active', true).firstOrFail()
  const now = DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')
  const lead = await Institution.create({
    code: 'LEAD',
    name: '基准牵头医院',
    kind: 'lead_hospital',
    level: '二级甲等',
    active: true,
  } as any)
  await User.create({
    username: 'bench.rad',
    fullName: '基准医师',
    password: PASSWORD,
    institutionId: lead.id,
    role: 'radiologist',
    title: 'senior',
    status: 'active',
    failedLoginCount: 0,
  })
  const clinic = await Institution.create({
    code: 'C000',
    name: '基准卫生院',
    kind: 'member_clinic',
    level: '一级',
    active: true,
  } as any)
  const passwordHash = await hash.make(PASSWORD)
  for (let i = 0; i < USERS; i += 500)
    await db.table('users').multiInsert(
      Array.from({ length: Math.min(500, USERS - i) }, (_, u) => ({
        institution_id: clinic.id,
        username: `bench.u${i + u}`,
        full_name: `基准人员${i + u}`,
        password: passwordHash,
        role: 'clinic_staff',
        status: 'active',
        failed_login_count: 0,
        created_at: now,
        updated_at: now,
      }))
    )
  const users = await User.query().where('institution_id', clinic.id).orderBy('id')
  for (let i = 0; i < users.length; i += 500)
    await db
      .table('critical_value_contacts')
      .multiInsert(
        users.slice(i, i + 500).map((u) => ({ user_id: u.id, duty: 'on_duty', assigned_at: now }))
      )
  const registry = new PatientRegistry()
  const registration = new ExamRegistration(new SystemClock())
  const exams: number[] = []
  for (let e = 0; e < EXAMS; e++) {
    const patient = await registry.register(clinic, {
      name: `患者${e}`,
      sex: 'M',
      birthDate: DateTime.utc(1960, 1, 1),
      clinicPatientNo: `P${e}`,
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
  await db
    .from('exams')
    .update({ status: 'images_received', images_received_at: now, instance_count: 1 })
  const tickets: string[] = []
  for (const user of users) tickets.push(await ticketFor(user))
  const finding = await CriticalFinding.findByOrFail('code', 'ICH')
  return { tickets, exams, findingId: finding.id }
}

function forkClient() {
  const child = fork(new URL('./support/push_clients.ts', import.meta.url), [], {
    execArgv: ['--import', 'ts-node-maintained/register/esm'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  return new Promise<ChildProcess>((resolve, reject) => {
    child.once('message', () => resolve(child))
    child.once('exit', () => reject(new Error('client process exited')))
  })
}

function ask(child: ChildProcess, message: object, reply: string) {
  return new Promise<any>((resolve) => {
    const listener = (m: any) => {
      if (m.type !== reply) return
      child.off('message', listener)
      resolve(m)
    }
    child.on('message', listener)
    child.send(message)
  })
}

async function main() {
  const started = Date.now()
  const loadAtStart = os.loadavg().map((l) => Math.round(l * 100) / 100)
  say(`database ${DB}: migrating…`)
  await prepareDatabase(DB)
  const app = await bootApp()
  say(`seeding one clinic with ${USERS} users on duty, ${EXAMS} exams…`)
  const seeded = await seed()
  let nodeA: AppServer | null = null
  let nodeB: AppServer | null = null
  const clients: ChildProcess[] = []
  try {
    say('starting node A and node B…')
    ;[nodeA, nodeB] = await Promise.all([startServer(PORT_A), startServer(PORT_B)])
    const peak = { A: 0, B: 0 }
    const sampler = setInterval(() => {
      for (const [name, node] of [
        ['A', nodeA],
        ['B', nodeB],
      ] as const) {
        try {
          peak[name] = Math.max(peak[name], memoryOf(node!.child.pid!).rssMb)
        } catch {}
      }
    }, 500)

    for (let i = 0; i < CLIENTS; i++) clients.push(await forkClient())
    const plan: Array<Array<{ base: string; node: string; ticket: string }>> = clients.map(() => [])
    let index = 0
    for (const ticket of seeded.tickets)
      for (let tab = 0; tab < TABS; tab++, index++) {
        const onA = index % 2 === 0
        plan[Math.floor(index / 2) % CLIENTS].push({
          base: onA ? nodeA.base : nodeB.base,
          node: onA ? 'A' : 'B',
          ticket,
        })
      }
    say(`connecting ${index} sockets from ${CLIENTS} client processes…`)
    const connectStart = performance.now()
    const connected = await Promise.all(
      clients.map((c, i) => ask(c, { type: 'connect', sockets: plan[i] }, 'connected'))
    )
    const connectMs = Math.round(performance.now() - connectStart)
    const perNode = { A: Math.ceil(index / 2), B: Math.floor(index / 2) }
    say(
      `connected ${connected.map((c) => c.count).join(' + ')} in ${connectMs} ms (failed ${connected.map((c) => c.failed).join(' + ')})`
    )
    const memoryAfterConnect = { A: memoryOf(nodeA.child.pid!), B: memoryOf(nodeB.child.pid!) }

    const radiologist = new Browser(nodeA.base)
    await radiologist.login('bench.rad', PASSWORD, '/critical-values')
    await Promise.all(clients.map((c) => ask(c, { type: 'measure' }, 'measuring')))
    const raised: Array<{ id: number; startedAt: number; httpMs: number; phase: Phase }> = []
    const refused: number[] = []
    let nextExam = 0
    const raise = async (phase: Phase, count: number) => {
      for (let r = 0; r < count; r++) {
        const startedAt = epochNow()
        const response = await radiologist.request(
          'POST',
          `/exams/${seeded.exams[nextExam++]}/critical-values`,
          {
            json: { findingId: seeded.findingId, message: MESSAGE, requestKey: randomUUID() },
          }
        )
        const httpMs = epochNow() - startedAt
        if (response.status === 201) {
          raised.push({
            id: ((await response.json()) as { id: number }).id,
            startedAt,
            httpMs,
            phase,
          })
        } else refused.push(response.status)
        await sleep(Math.max(0, GAP_MS - httpMs))
      }
    }
    say(`steady: ${RAISES} raises, one every ${GAP_MS} ms…`)
    await raise('steady', RAISES)
    await sleep(5_000)

    say(
      `reconnect: every socket drops and connects again within ${SPREAD_MS} ms; ${RECONNECT_RAISES} raises meanwhile…`
    )
    const reconnecting = Promise.all(
      clients.map((c) => ask(c, { type: 'reconnect', spreadMs: SPREAD_MS }, 'reconnected'))
    )
    await raise('reconnect', RECONNECT_RAISES)
    const reconnected = await reconnecting
    say(
      `reconnected ${reconnected.map((c) => c.connected).join(' + ')} (${reconnected.map((c) => c.ms).join(', ')} ms)`
    )
    await sleep(5_000)

    say(`kill: SIGKILL node B, ${KILL_RAISES} raises on node A, then node B starts again…`)
    const peakBeforeKill = { ...peak }
    const memoryBeforeKill = { A: memoryOf(nodeA.child.pid!), B: memoryOf(nodeB.child.pid!) }
    await stopServer(nodeB, 'SIGKILL')
    peak.B = 0 // from here on, the restarted node B's own peak
    const killedAt = epochNow()
    await raise('kill', KILL_RAISES)
    nodeB = await startServer(PORT_B)
    const restartedAfterMs = Math.round(epochNow() - killedAt)
    const settled = await Promise.all(
      clients.map((c) => ask(c, { type: 'settle', timeoutMs: 180_000 }, 'settled'))
    )
    say(
      `node B back after ${restartedAfterMs} ms; sockets connected ${settled.map((c) => c.connected).join(' + ')}`
    )
    await sleep(15_000) // the stragglers; lost ones are counted, not waited for
    const reports = await Promise.all(clients.map((c) => ask(c, { type: 'report' }, 'report')))
    clearInterval(sampler)

    const phases = ['steady', 'reconnect', 'kill'] as const
    const byPhase = Object.fromEntries(
      phases.map((phase) => [
        phase,
        {
          latencies: { A: [] as number[], B: [] as number[] },
          lastSocket: { A: [] as number[], B: [] as number[] },
          lost: { A: 0, B: 0 },
        },
      ])
    ) as Record<
      Phase,
      {
        latencies: Record<'A' | 'B', number[]>
        lastSocket: Record<'A' | 'B', number[]>
        lost: Record<'A' | 'B', number>
      }
    >
    for (const r of raised) {
      const into = byPhase[r.phase]
      for (const node of ['A', 'B'] as const) {
        const times = reports.flatMap((rep) => rep.receipts[`${r.id}:${node}`] ?? [])
        into.lost[node] += perNode[node] - times.length
        for (const t of times) into.latencies[node].push(t - r.startedAt)
        if (times.length)
          into.lastSocket[node].push(
            times.reduce((a: number, b: number) => (b > a ? b : a)) - r.startedAt
          )
      }
    }
    const latencies = byPhase.steady.latencies
    const lastSocket = byPhase.steady.lastSocket
    const lost = {
      A: phases.reduce((n, p) => n + byPhase[p].lost.A, 0),
      B: phases.reduce((n, p) => n + byPhase[p].lost.B, 0),
    }
    const phaseSummary = (phase: Phase) => ({
      raises: raised.filter((r) => r.phase === phase).length,
      raiseToReceiptMs: {
        nodeA: summary(byPhase[phase].latencies.A),
        nodeB: summary(byPhase[phase].latencies.B),
      },
      timeToLastSocketMs: {
        nodeA: summary(byPhase[phase].lastSocket.A),
        nodeB: summary(byPhase[phase].lastSocket.B),
      },
      lost: byPhase[phase].lost,
    })
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
        fileDescriptorLimit: 'ulimit -n of the shell (20000 here)',
      },
      sockets: { total: index, perNode, connectAllMs: connectMs, users: USERS, tabsPerUser: TABS },
      raises: { accepted: raised.length, refused, gapMs: GAP_MS },
      raiseHttpMs: summary(raised.map((r) => r.httpMs)),
      steadyPhase: 'raiseToReceiptMs, timeToLastSocketMs below are the steady phase alone',
      raiseToReceiptMs: {
        nodeA: summary(latencies.A),
        nodeB: summary(latencies.B),
        all: summary([...latencies.A, ...latencies.B]),
      },
      timeToLastSocketMs: { nodeA: summary(lastSocket.A), nodeB: summary(lastSocket.B) },
      reconnectPhase: {
        ...phaseSummary('reconnect'),
        spreadMs: SPREAD_MS,
        reconnectedMs: reconnected.map((c) => c.ms),
      },
      killPhase: {
        ...phaseSummary('kill'),
        nodeBBackAfterMs: restartedAfterMs,
        socketsSettledMs: settled.map((c) => c.ms),
        connectedAfterRestart: settled.map((c) => c.connected),
      },
      lost,
      nodes: {
        A: {
          ...memoryOf(nodeA.child.pid!),
          sampledPeakRssMb: peak.A,
          afterConnect: memoryAfterConnect.A,
          beforeKill: memoryBeforeKill.A,
        },
        B: {
          beforeKill: { ...memoryBeforeKill.B, sampledPeakRssMb: peakBeforeKill.B },
          afterConnect: memoryAfterConnect.B,
          restarted: { ...memoryOf(nodeB.child.pid!), sampledPeakRssMb: peak.B },
        },
      },
      clientProcesses: reports.map((rep) => ({
        connected: rep.connected,
        cpuShare: rep.cpuShare,
        loopDelayMs: rep.loopDelayMs,
        rssMb: rep.rssMb,
      })),
      target:
        'p99 ≤ 200 ms raise → receipt; 0 lost across a forced reconnect and a SIGKILL of one node',
      durationSeconds: Math.round((Date.now() - started) / 1000),
    }
    console.log(JSON.stringify(result, null, 2))
    mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
    writeFileSync(
      new URL(`./results/two_node_push-${result.date.slice(0, 10)}.json`, import.meta.url),
      JSON.stringify(result, null, 2)
    )
  } finally {
    for (const c of clients) c.send({ type: 'close' })
    await Promise.all([stopServer(nodeA), stopServer(nodeB)])
    await app.terminate()
  }
}

// The in-process app's Redis and pool handles would keep the bench alive after its report.
main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
