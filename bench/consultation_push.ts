/*
| Fast-track consultation push benchmark (issue 15: "a fast-track notification
| reaches the consultant's socket p99 ≤ 200 ms with 1,000 sockets connected").
|
|   node --import ts-node-maintained/register/esm bench/consultation_push.ts
|
| Recreates its own database (BENCH_DB), starts the app server (bin/server.ts,
| scheduler off), seeds a lead hospital with BENCH_CONSULTANTS duty-desk
| consultants, one requesting clinic, and bystander clinic users up to
| BENCH_SOCKETS sockets in all. The consultants and the requester log in by the
| login form and take the socket ticket from their page, as a browser does; the
| bystanders' tickets are made in-process by the same session store and ticket
| signer the login uses (1,000 form logins would hit the login rate limit of
| one address, and scrypt would dominate the set-up). Every socket is verified
| by the server's real ticket check.
| The requester then asks BENCH_REQUESTS fast-track consultations at
| BENCH_RATE per second through the app's real route (POST
| /exams/:id/consultations, JSON, CSRF), on a fresh exam each (one open
| consultation per exam); latency = receipt of consultation:assigned on the
| assigned consultant's socket − start of the request.
| Baseline, in the same run, alternating with the requests (B before A on odd
| rounds): a lead-hospital radiologist raises a critical value on an exam of
| one of the bystander clinics (POST /exams/:id/critical-values, as
| bench/critical_push.ts), whose 20 users are on duty; its latency is taken to
| the first and to every one of the clinic's sockets. Same server, same sockets,
| same moment: the ratio says what the consultation path costs over the push
| path that meets its target, whatever the machine's load.
|
| Env: BENCH_PORT (3517), BENCH_DB (imaging_bench_consult), BENCH_SOCKETS (1000),
|      BENCH_CONSULTANTS (4), BENCH_REQUESTS (300), BENCH_RATE (5).
*/
import { writeFileSync, mkdirSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import os from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { io, type Socket } from 'socket.io-client'
import {
  Browser,
  bootApp,
  memoryOf,
  ms,
  prepareDatabase,
  say,
  sleep,
  startServer,
  stopServer,
  summary,
  type AppServer,
} from './support/push_bench.js'

const PORT = Number(process.env.BENCH_PORT ?? 3517)
const DB = process.env.BENCH_DB ?? 'imaging_bench_consult'
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 1000)
const CONSULTANTS = Number(process.env.BENCH_CONSULTANTS ?? 4)
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300)
const RATE = Number(process.env.BENCH_RATE ?? 5)
const PASSWORD = 'Bench@2026-consult'

process.env.TZ = 'UTC'
Object.assign(process.env, {
  DB_CONNECTION: 'mysql',
  DB_DATABASE: DB,
  PORT: String(PORT),
  HOST: '127.0.0.1',
  SCHEDULER_ENABLED: 'false',
  LOG_LEVEL: 'warn',
})

async function seed() {
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const { default: hash } = await import('@adonisjs/core/services/hash')
  const { default: Institution } = await import('#models/institution')
  const { default: User } = await import('#models/user')
  const { default: ExamItem } = await import('#models/exam_item')
  const { default: CriticalFinding } = await import('#models/critical_finding')
  const { ticketFor } = await import('#tests/support/sessions')
  const { importAllCatalogues } = await import('#app/catalogue/catalogue_import')
  const { PatientRegistry } = await import('#app/intake/services/patient_registry')
  const { ExamRegistration } = await import('#app/intake/services/exam_registration')
  const { SystemClock } = await import('#app/platform/clock')
  const { DateTime } = await import('luxon')

  await importAllCatalogues()
  const item = await ExamItem.query().where('modality', 'CT').where('active', true).firstOrFail()
  const now = DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')
  const passwordHash = await hash.make(PASSWORD)
  const lead = await Institution.create({
    code: 'LEAD',
    name: '基准牵头医院',
    kind: 'lead_hospital',
    level: '二级甲等',
    active: true,
  } as any)
  const consultants = []
  for (let i = 0; i < CONSULTANTS; i++) {
    const user = await User.create({
      username: `bench.desk${i}`,
      fullName: `会诊医师${i}`,
      password: PASSWORD,
      institutionId: lead.id,
      role: 'radiologist',
      title: 'intermediate',
      status: 'active',
      failedLoginCount: 0,
    })
    await db
      .table('critical_value_contacts')
      .insert({ user_id: user.id, duty: 'duty_desk', assigned_at: now })
    consultants.push(user)
  }
  await User.create({
    username: 'bench.rad',
    fullName: '基准危急值医师',
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
  const requester = await User.create({
    username: 'bench.clinic',
    fullName: '基准申请人',
    password: PASSWORD,
    institutionId: clinic.id,
    role: 'clinic_staff',
    status: 'active',
    failedLoginCount: 0,
  })
  const registry = new PatientRegistry()
  const registration = new ExamRegistration(new SystemClock())
  const exams: number[] = []
  for (let e = 0; e < REQUESTS; e++) {
    const patient = await registry.register(clinic, {
      name: `患者${e}`,
      sex: 'F',
      birthDate: DateTime.utc(1958, 3, 1),
      clinicPatientNo: `P${e}`,
      nationalId: null,
    })
    const [exam] = await registration.register(requester, {
      clinicPatientId: patient.clinicPatient.id,
      itemIds: [item.id],
      priority: 'emergency',
      clinicalHistory: '突发右侧肢体无力2小时',
      purpose: '排除脑梗死',
      requestingDoctor: '值班医生',
    })
    exams.push(exam.id)
  }
  // Bystanders: clinic users of other clinics, 20 a clinic, on duty (the baseline's critical values go to them).
  const bystanderCount = SOCKETS - CONSULTANTS - 2
  const bystanderTickets: Array<{ clinic: number; ticket: string }> = []
  const clinicExams: number[][] = []
  for (let c = 0; bystanderTickets.length < bystanderCount; c++) {
    const other = await Institution.create({
      code: `B${String(c).padStart(3, '0')}`,
      name: `旁观卫生院${c}`,
      kind: 'member_clinic',
      level: '一级',
      active: true,
    } as any)
    const n = Math.min(20, bystanderCount - bystanderTickets.length)
    await db.table('users').multiInsert(
      Array.from({ length: n }, (_, u) => ({
        institution_id: other.id,
        username: `bench.b${c}.u${u}`,
        full_name: `旁观人员${c}-${u}`,
        password: passwordHash,
        role: 'clinic_staff',
        status: 'active',
        failed_login_count: 0,
        created_at: now,
        updated_at: now,
      }))
    )
    const users = await User.query().where('institution_id', other.id).orderBy('id')
    await db
      .table('critical_value_contacts')
      .multiInsert(users.map((u) => ({ user_id: u.id, duty: 'on_duty', assigned_at: now })))
    for (const user of users) bystanderTickets.push({ clinic: c, ticket: await ticketFor(user) })
    clinicExams.push([])
    void other
  }
  // One baseline exam per round, the bystander clinics in turn.
  const clinicRows = await Institution.query().where('code', 'like', 'B%').orderBy('id')
  for (let e = 0; e < REQUESTS; e++) {
    const c = e % clinicRows.length
    const owner = await User.query().where('institution_id', clinicRows[c].id).firstOrFail()
    const patient = await registry.register(clinicRows[c], {
      name: `危急值患者${e}`,
      sex: 'M',
      birthDate: DateTime.utc(1960, 1, 1),
      clinicPatientNo: `Q${e}`,
      nationalId: null,
    })
    const [exam] = await registration.register(owner, {
      clinicPatientId: patient.clinicPatient.id,
      itemIds: [item.id],
      priority: 'emergency',
      clinicalHistory: '突发头痛伴呕吐2小时',
      purpose: '排除脑出血',
      requestingDoctor: '值班医生',
    })
    clinicExams[c].push(exam.id)
  }
  await db
    .from('exams')
    .update({ status: 'images_received', images_received_at: now, instance_count: 1 })
  const finding = await CriticalFinding.findByOrFail('code', 'ICH')
  return {
    findingId: finding.id,
    clinicExams,
    consultants: consultants.map((c) => ({ id: c.id, username: c.username })),
    requester: requester.username,
    exams,
    bystanderTickets,
  }
}

function connect(
  base: string,
  ticket: string,
  onAssigned?: (id: number) => void,
  onAlert?: (id: number) => void
) {
  const socket: Socket = io(base, {
    auth: { ticket },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  })
  if (onAssigned)
    socket.on('consultation:assigned', (p: { id: number; reason: string }) => {
      if (p.reason === 'assigned') onAssigned(p.id)
    })
  if (onAlert)
    socket.on('critical:alert', (alert: { id: number }) => {
      onAlert(alert.id)
      socket.emit('critical:received', { id: alert.id })
    })
  return new Promise<Socket>((resolve, reject) => {
    socket.once('connect', () => resolve(socket))
    socket.once('connect_error', reject)
  })
}

async function main() {
  const started = Date.now()
  const loadAtStart = os.loadavg().map((l) => Math.round(l * 100) / 100)
  say(`database ${DB}: migrating…`)
  await prepareDatabase(DB)
  const app = await bootApp()
  say(
    `seeding ${CONSULTANTS} desk consultants, ${REQUESTS} exams, bystanders to ${SOCKETS} sockets…`
  )
  const seeded = await seed()
  say('starting the app server…')
  let server: AppServer | null = await startServer(PORT)
  try {
    const received = new Map<number, { at: number; userId: number }>()
    const sockets: Socket[] = []
    for (const consultant of seeded.consultants) {
      const browser = new Browser(server.base)
      const ticket = await browser.login(consultant.username, PASSWORD, '/consultations')
      sockets.push(
        await connect(server.base, ticket, (id) => {
          if (!received.has(id)) received.set(id, { at: performance.now(), userId: consultant.id })
        })
      )
    }
    const requester = new Browser(server.base)
    sockets.push(
      await connect(
        server.base,
        await requester.login(
          seeded.requester,
          PASSWORD,
          `/exams/${seeded.exams[0]}/consultations/new`
        )
      )
    )
    const radiologist = new Browser(server.base)
    sockets.push(
      await connect(server.base, await radiologist.login('bench.rad', PASSWORD, '/critical-values'))
    )
    /** alert id → receipt times at its clinic's sockets */
    const alerts = new Map<number, number[]>()
    const connectStart = performance.now()
    for (let i = 0; i < seeded.bystanderTickets.length; i += 50)
      sockets.push(
        ...(await Promise.all(
          seeded.bystanderTickets.slice(i, i + 50).map((t) =>
            connect(server!.base, t.ticket, undefined, (id) => {
              const list = alerts.get(id)
              if (list) list.push(performance.now())
              else alerts.set(id, [performance.now()])
            })
          )
        ))
      )
    say(
      `${sockets.length} sockets connected (bystanders in ${Math.round(performance.now() - connectStart)} ms)`
    )

    const loopDelay = monitorEventLoopDelay({ resolution: 10 })
    loopDelay.enable()
    const samples: Array<{
      id: number
      consultantId: number
      startedAt: number
      respondedAt: number
    }> = []
    const refused: number[] = []
    const pending: Array<Promise<void>> = []
    const raised: Array<{ id: number; clinic: number; startedAt: number; respondedAt: number }> = []
    // Sockets a clinic's alert should reach: its on-duty staff (the last clinic has fewer than 20).
    const socketsOfClinic = new Map<number, number>()
    for (const t of seeded.bystanderTickets)
      socketsOfClinic.set(t.clinic, (socketsOfClinic.get(t.clinic) ?? 0) + 1)
    const alertsMissing = () =>
      raised.reduce(
        (n, r) => n + (socketsOfClinic.get(r.clinic)! - (alerts.get(r.id)?.length ?? 0)),
        0
      )
    const raiseCritical = async (round: number) => {
      const clinic = round % seeded.clinicExams.length
      const examId = seeded.clinicExams[clinic][Math.floor(round / seeded.clinicExams.length)]
      const startedAt = performance.now()
      const response = await radiologist.request('POST', `/exams/${examId}/critical-values`, {
        json: {
          findingId: seeded.findingId,
          message: '右侧基底节区急性脑出血',
          requestKey: randomUUID(),
        },
      })
      const respondedAt = performance.now()
      if (response.status !== 201) return void refused.push(response.status)
      const body = (await response.json()) as { id: number }
      raised.push({ id: body.id, clinic, startedAt, respondedAt })
    }
    for (let i = 0; i < REQUESTS; i++) {
      const examId = seeded.exams[i]
      if (i % 2 === 1) {
        pending.push(raiseCritical(i))
        await sleep(500 / RATE)
      }
      pending.push(
        (async () => {
          const startedAt = performance.now()
          const response = await requester.request('POST', `/exams/${examId}/consultations`, {
            json: {
              question: '左侧基底节区低密度影性质？',
              clinicalSummary: '突发右侧肢体无力2小时',
              urgency: 'fast_track',
              requestKey: randomUUID(),
            },
          })
          const respondedAt = performance.now()
          if (response.status !== 201) {
            refused.push(response.status)
            return
          }
          const body = (await response.json()) as { id: number; consultantId: number }
          samples.push({ id: body.id, consultantId: body.consultantId, startedAt, respondedAt })
        })()
      )
      await sleep(500 / RATE)
      if (i % 2 === 0) {
        pending.push(raiseCritical(i))
        await sleep(500 / RATE)
      }
    }
    await Promise.all(pending)
    const deadline = performance.now() + 30_000
    while (
      performance.now() < deadline &&
      (samples.some((s) => !received.has(s.id)) || alertsMissing() > 0)
    )
      await sleep(50)
    loopDelay.disable()

    const latencies = samples
      .filter((s) => received.has(s.id))
      .map((s) => received.get(s.id)!.at - s.startedAt)
    const http = samples.map((s) => s.respondedAt - s.startedAt)
    const alertFirst = raised
      .filter((r) => alerts.has(r.id))
      .map((r) => Math.min(...alerts.get(r.id)!) - r.startedAt)
    const alertAll = raised.flatMap((r) => (alerts.get(r.id) ?? []).map((t) => t - r.startedAt))
    const alertLost = alertsMissing()
    const consultationSummary = summary(latencies)
    const baselineSummary = summary(alertFirst)
    const wrongSocket = samples.filter(
      (s) => received.has(s.id) && received.get(s.id)!.userId !== s.consultantId
    ).length
    const perConsultant: Record<string, number> = {}
    for (const s of samples)
      perConsultant[s.consultantId] = (perConsultant[s.consultantId] ?? 0) + 1
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
      },
      sockets: sockets.filter((s) => s.connected).length,
      requests: REQUESTS,
      ratePerSecond: RATE,
      accepted: samples.length,
      refused,
      requestToConsultantSocketMs: consultationSummary,
      requestHttpMs: summary(http),
      lost: samples.length - latencies.length,
      deliveredToAnotherConsultant: wrongSocket,
      perConsultant,
      baselineCriticalValue: {
        raised: raised.length,
        raiseToFirstSocketMs: baselineSummary,
        raiseToEverySocketMs: summary(alertAll),
        raiseHttpMs: summary(raised.map((r) => r.respondedAt - r.startedAt)),
        lost: alertLost,
      },
      ratioConsultationToCriticalFirstSocket: {
        p50: ms(consultationSummary.p50 / baselineSummary.p50),
        p99: ms(consultationSummary.p99 / baselineSummary.p99),
      },
      benchEventLoopDelayMs: {
        p99: ms(loopDelay.percentile(99) / 1e6),
        max: ms(loopDelay.max / 1e6),
      },
      server: memoryOf(server.child.pid!),
      target: 'p99 ≤ 200 ms',
      durationSeconds: Math.round((Date.now() - started) / 1000),
    }
    console.log(JSON.stringify(result, null, 2))
    mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
    writeFileSync(
      new URL(`./results/consultation_push-${result.date.slice(0, 10)}.json`, import.meta.url),
      JSON.stringify(result, null, 2)
    )
    for (const s of sockets) s.close()
  } finally {
    await stopServer(server)
    server = null
    await app.terminate()
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
