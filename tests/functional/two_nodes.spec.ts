import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import http from 'node:http'
import net from 'node:net'
import { randomUUID } from 'node:crypto'
import { spawn, type ChildProcess } from 'node:child_process'
import { io as connectSocket, type Socket } from 'socket.io-client'
import Exam from '#models/exam'
import ReportVersion from '#models/report_version'
import { DutyRoster } from '#app/critical_values/services/duty_roster'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { orthancStudyIdOf } from '#app/intake/services/study_links'
import * as make from '#tests/support/fixtures'
import { apiToken } from '#tests/support/http'
import {
  finding,
  examWithImages as examReadyForAlert,
  MESSAGE,
} from '#tests/support/critical_values'
import { CT_REPORT, doctor, examWithImages, revisionOf } from '#tests/support/reading'
import { studyFor } from '#tests/support/dicom'
import { eventually } from '#tests/support/wait'
import { acquireLease, releaseLease } from '#app/platform/job_lease'
import { freePort } from '#tests/support/orthanc_node'

/*
| Two app nodes (issue 18): two real server processes (bin/server.ts) on two
| ports, against the suite's MariaDB and Orthanc and the local Redis
| (REDIS_URL), with cookie sessions as in production. Rows are committed (the
| nodes cannot see a test transaction), uniquely named and left in the test
| database, as in reading_concurrency.spec.ts.
| Skipped, saying so, when no Redis answers at REDIS_URL (default 127.0.0.1:6379), except
| in CI (TWO_NODES_REQUIRED=1, .ci/run), where that fails.
*/

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379'

interface AppNode {
  name: string
  port: number
  base: string
  child: ChildProcess
  stderr: () => string
}

async function startNode(name: string, redisUrl = REDIS_URL): Promise<AppNode> {
  const port = await freePort()
  const child = spawn(
    process.execPath,
    ['--import', 'ts-node-maintained/register/esm', 'bin/server.ts'],
    {
      cwd: app.makePath(),
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        REDIS_URL: redisUrl,
        SESSION_DRIVER: 'database', // as several nodes run: any node finds the session
        SCHEDULER_ENABLED: 'false',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    }
  )
  let stderr = ''
  child.stderr!.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)))
  const node = { name, port, base: `http://127.0.0.1:${port}`, child, stderr: () => stderr }
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`node ${name} exited: ${stderr}`)
      const health = await fetch(`${node.base}/health`).catch(() => null)
      return health?.status === 200 ? ((await health.json()) as any) : null
    },
    { timeoutMs: 120_000, everyMs: 250 }
  )
  return node
}

function exited(child: ChildProcess) {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => child.once('exit', () => r()))
}

/** The socket ticket a page of `node` carries once `user` logged in there (sessions live in the shared database). */
async function ticketFrom(node: AppNode, user: { username: string }) {
  const browser = new Browser(node.base)
  await browser.login(user.username)
  const page = await (await browser.request('GET', '/critical-values')).text()
  return page.match(/data-socket-ticket="([^"]+)"/)![1]
}

async function stopNode(node: AppNode | null) {
  if (!node || node.child.exitCode !== null || node.child.signalCode !== null) return
  node.child.kill('SIGTERM')
  await Promise.race([exited(node.child), new Promise((r) => setTimeout(r, 10_000))])
  if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL')
}

async function redisAnswers() {
  const { createClient } = await import('redis')
  const client = createClient({
    url: REDIS_URL,
    socket: { connectTimeout: 1000, reconnectStrategy: false },
  })
  client.on('error', () => {})
  try {
    await client.connect()
    await client.ping()
    return true
  } catch {
    return false
  } finally {
    await client.disconnect().catch(() => {})
  }
}

/**
 * A TCP relay in front of the shared Redis, so that one node can lose Redis without stopping the
 * Redis every other checkout on the machine uses: `cut()` drops every connection and refuses new ones.
 */
async function redisRelay() {
  const target = new URL(REDIS_URL)
  const sockets = new Set<net.Socket>()
  let up = true
  /** what clients wrote to a connection the relay accepted while cut, then dropped */
  const dropped: string[] = []
  const server = net.createServer((client) => {
    if (!up) {
      // As a Redis that accepts and then drops: the client sees a connection, may write what it
      // queued (a publish), and loses it with the connection.
      client.on('error', () => {})
      client.once('data', (chunk) => {
        dropped.push(chunk.toString('latin1'))
        client.destroy()
      })
      setTimeout(() => client.destroy(), 50)
      return
    }
    const upstream = net.connect(Number(target.port || 6379), target.hostname)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => {})
      socket.on('close', () => {
        sockets.delete(socket)
        client.destroy()
        upstream.destroy()
      })
    }
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return {
    url: `redis://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    dropped,
    cut() {
      up = false
      for (const socket of sockets) socket.destroy()
    },
    restore() {
      up = true
    },
    close() {
      up = false
      for (const socket of sockets) socket.destroy()
      server.close()
    },
  }
}

/** A logged-in browser (cookie session, CSRF token from the page), on one node. */
class Browser {
  cookies = new Map<string, string>()
  csrf = ''
  constructor(public base: string) {}

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
    const response = await fetch(this.base + path, { method, headers, body, redirect: 'manual' })
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const index = pair.indexOf('=')
      this.cookies.set(pair.slice(0, index), pair.slice(index + 1))
    }
    return response
  }

  async login(username: string) {
    const page = await (await this.request('GET', '/login')).text()
    const token = page.match(/name=['"]_csrf['"] value=['"]([^'"]+)['"]/)![1]
    const response = await this.request('POST', '/login', {
      form: { username, password: make.PASSWORD, _csrf: token },
    })
    if (response.status !== 302 || response.headers.get('location')?.startsWith('/login'))
      throw new Error(`login failed: ${response.status}`)
    const after = await (await this.request('GET', '/critical-values')).text()
    this.csrf = after.match(/name=['"]_csrf['"] value=['"]([^'"]+)['"]/)![1]
  }
}

async function api(base: string, method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json',
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await response.text()
  let parsed: any = text
  try {
    parsed = JSON.parse(text)
  } catch {}
  return { status: response.status, body: parsed }
}

function multipartParts(files: Array<{ name: string; data: Buffer }>) {
  const boundary = `----nodes${randomUUID().slice(0, 8)}`
  const parts = files.map((file) =>
    Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${file.name}"\r\nContent-Type: application/dicom\r\n\r\n`
      ),
      file.data,
      Buffer.from('\r\n'),
    ])
  )
  return {
    parts,
    end: Buffer.from(`--${boundary}--\r\n`),
    type: `multipart/form-data; boundary=${boundary}`,
  }
}

test.group('Two app nodes', (group) => {
  let a: AppNode | null = null
  let b: AppNode | null = null
  let skip = ''
  group.setup(async () => {
    if (!(await redisAnswers())) {
      // CI (.ci/run) sets TWO_NODES_REQUIRED: there a missing Redis fails the suite instead of skipping.
      if (process.env.TWO_NODES_REQUIRED === '1')
        throw new Error(`no Redis at ${REDIS_URL}, and TWO_NODES_REQUIRED=1`)
      skip = `no Redis at ${REDIS_URL}`
      return
    }
    ;[a, b] = await Promise.all([startNode('A'), startNode('B')])
  })
  group.teardown(async () => {
    await Promise.all([stopNode(a), stopNode(b)])
  })

  test('both nodes report Redis in their health; a socket ticket from a page of one node works on the other', async ({
    assert,
  }) => {
    if (skip) return console.warn(`two-node test skipped: ${skip}`)
    for (const node of [a!, b!]) {
      const health = (await (await fetch(`${node.base}/health`)).json()) as any
      assert.equal(health.checks.redis, 'ok', node.name)
    }
    const clinic = await make.user('clinic_staff')
    const browser = new Browser(a!.base)
    await browser.login(clinic.username)
    // The ticket the page of node A carries, used to connect to node B.
    const page = await (await browser.request('GET', '/critical-values')).text()
    const ticket = page.match(/data-socket-ticket="([^"]+)"/)![1]
    const socket = connectSocket(b!.base, {
      auth: { ticket },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    })
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve())
        socket.once('connect_error', reject)
      })
      assert.isTrue(socket.connected)
    } finally {
      socket.close()
    }
  }).timeout(60_000)

  test('a critical value raised on node A reaches a socket connected to node B at once', async ({
    assert,
  }) => {
    if (skip) return console.warn(`two-node test skipped: ${skip}`)
    const clinic = await make.institution('member_clinic', { phone: '0831-5550199' } as any)
    const staff = await make.user('clinic_staff', clinic)
    const roster = await app.container.make(DutyRoster)
    await roster.assign(staff, staff.id, 'on_duty', true)
    const radiologist = await make.user('radiologist')
    const { exam } = await examReadyForAlert(staff)

    // Connected to B before the raise, and never reconnecting: only a push across the nodes can bring it.
    const socket: Socket = connectSocket(b!.base, {
      auth: { ticket: await ticketFrom(a!, staff) },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    })
    const alerts: any[] = []
    socket.on('critical:alert', (alert) => alerts.push(alert))
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve())
        socket.once('connect_error', reject)
      })
      let connects = 0
      socket.on('connect', () => connects++)

      const browser = new Browser(a!.base)
      await browser.login(radiologist.username)
      const raised = await browser.request('POST', `/exams/${exam.id}/critical-values`, {
        json: { findingId: (await finding('ICH')).id, message: MESSAGE, requestKey: randomUUID() },
      })
      assert.equal(raised.status, 201)
      const { id } = (await raised.json()) as any
      const alert = await eventually(async () => alerts.find((x) => x.id === id) ?? null, {
        timeoutMs: 10_000,
        everyMs: 20,
      })
      assert.equal(alert.accessionNumber, exam.accessionNumber)
      assert.equal(connects, 0, 'the alert came by push, not by a reconnection replay')
    } finally {
      socket.close()
    }
  }).timeout(60_000)

  test('the same report signed on both nodes at the same instant: exactly one signature', async ({
    assert,
  }) => {
    if (skip) return console.warn(`two-node test skipped: ${skip}`)
    const clinic = await make.user('clinic_staff')
    const junior = await doctor('junior')
    const reviewers = [await doctor('intermediate'), await doctor('senior')]
    const tokens = await Promise.all(reviewers.map((r) => apiToken(r)))
    const juniorToken = await apiToken(junior)
    for (let round = 0; round < 3; round++) {
      const { exam } = await examWithImages(clinic, 'CT')
      await api(a!.base, 'POST', `/reading/exams/${exam.accessionNumber}/claim`, juniorToken)
      const submitted = await api(
        b!.base,
        'POST',
        `/reading/exams/${exam.accessionNumber}/submit`,
        juniorToken,
        { ...CT_REPORT, revision: await revisionOf(exam) }
      )
      assert.equal(submitted.status, 200, JSON.stringify(submitted.body))
      const revision = await revisionOf(exam)
      const results = await Promise.all(
        [a!, b!].map((node, i) =>
          api(node.base, 'POST', `/reading/exams/${exam.accessionNumber}/sign`, tokens[i], {
            revision,
          })
        )
      )
      assert.deepEqual(
        results.map((r) => r.status).sort(),
        [200, 409],
        JSON.stringify(results.map((r) => r.body))
      )
      const versions = await ReportVersion.query().where('exam_id', exam.id)
      assert.lengthOf(versions, 1)
      assert.equal(versions[0].status, 'signed')
      assert.equal((await Exam.findOrFail(exam.id)).status, 'signed')
    }
  }).timeout(90_000)

  test('node A killed in the middle of an upload batch: nothing half-registered, the batch sent again to node B completes it', async ({
    assert,
  }) => {
    if (skip) return console.warn(`two-node test skipped: ${skip}`)
    const clinic = await make.user('clinic_staff')
    const token = await apiToken(clinic)
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    const study = studyFor(exam, clinicPatient, 1, 12)
    const orthanc = await app.container.make(OrthancClient)
    const orthancStudyId = orthancStudyIdOf(clinicPatient.clinicPatientNo, study.studyInstanceUid)
    const inOrthanc = () =>
      orthanc.studySeries(orthancStudyId).then(
        (series) => series.reduce((n, s) => n + s.Instances.length, 0),
        () => 0
      )
    const { parts, end, type } = multipartParts(study.files)

    // Five files whole and half of the sixth reach node A; then it is killed (no shutdown, no finally).
    const request = http.request(`${a!.base}/api/v1/exams/${exam.accessionNumber}/images`, {
      method: 'POST',
      headers: {
        'Authorization': `Bearer ${token}`,
        'Accept': 'application/json',
        'Content-Type': type,
      },
    })
    request.on('error', () => {})
    for (const part of parts.slice(0, 5)) request.write(part)
    request.write(parts[5].subarray(0, parts[5].length >> 1))
    await eventually(async () => (await inOrthanc()) >= 5, { timeoutMs: 30_000, everyMs: 50 })
    a!.child.kill('SIGKILL')
    await exited(a!.child)
    request.destroy()

    // What A stored is in Orthanc, but the exam counts nothing of a batch that never finished.
    const atKill = await Exam.findOrFail(exam.id)
    assert.equal(atKill.status, 'registered')
    assert.equal(atKill.instanceCount, 0)

    // The uploader sends the batch again, now reaching node B.
    const retried = await fetch(`${b!.base}/api/v1/exams/${exam.accessionNumber}/images`, {
      method: 'POST',
      headers: {
        'Authorization': `Bearer ${token}`,
        'Accept': 'application/json',
        'Content-Type': type,
      },
      body: Buffer.concat([...parts, end]),
    })
    const summary = (await retried.json()) as any
    assert.equal(retried.status, 200)
    assert.equal(summary.stored + summary.alreadyStored, 12)
    assert.isAtLeast(summary.alreadyStored, 5)

    const done = await Exam.findOrFail(exam.id)
    assert.equal(done.status, 'images_received')
    assert.equal(done.instanceCount, 12)
    assert.equal(await inOrthanc(), 12)
    const links = await db.from('exam_studies').where('exam_id', exam.id)
    assert.lengthOf(links, 1)
    assert.equal(Number(links[0].instance_count), 12)
  }).timeout(90_000)

  test('a scheduled job asked for by both nodes at the same instant runs on exactly one (the lease)', async ({
    assert,
  }) => {
    // The lease is a database row: two holders on two connections are what two nodes' schedulers are to it.
    for (let round = 0; round < 10; round++) {
      const job = make.unique('lease-')
      const [onA, onB] = await Promise.all([
        acquireLease(job, 60_000, 'node-A'),
        acquireLease(job, 60_000, 'node-B'),
      ])
      assert.equal(Number(onA) + Number(onB), 1, `round ${round}: ${onA} ${onB}`)
      const [holder, other] = onA ? ['node-A', 'node-B'] : ['node-B', 'node-A']
      // The other node's next tick finds it held; after the run is released, whoever asks first takes it.
      assert.isFalse(await acquireLease(job, 60_000, other))
      await releaseLease(job, holder)
      assert.isTrue(await acquireLease(job, 60_000, other))
      await releaseLease(job, other)
    }
  })

  test('a node that loses Redis keeps serving and says so; the alert it accepted meanwhile reaches the other node when Redis is back', async ({
    assert,
  }) => {
    if (skip) return console.warn(`two-node test skipped: ${skip}`)
    const relay = await redisRelay()
    let c: AppNode | null = null
    const socketHolder: { socket?: Socket } = {}
    try {
      c = await startNode('C', relay.url)
      const clinic = await make.institution('member_clinic', { phone: '0831-5550198' } as any)
      const staff = await make.user('clinic_staff', clinic)
      await (await app.container.make(DutyRoster)).assign(staff, staff.id, 'on_duty', true)
      const radiologist = await make.user('radiologist')
      const { exam } = await examReadyForAlert(staff)
      const alerts: any[] = []
      const socket = connectSocket(b!.base, {
        auth: { ticket: await ticketFrom(b!, staff) },
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
      })
      socketHolder.socket = socket
      socket.on('critical:alert', (alert) => alerts.push(alert))
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve())
        socket.once('connect_error', reject)
      })
      const browser = new Browser(c.base)
      await browser.login(radiologist.username)

      relay.cut()
      const degraded = await eventually(
        async () => {
          const response = await fetch(`${c!.base}/health`)
          const body = (await response.json()) as any
          return body.checks.redis === 'degraded' ? { status: response.status, body } : null
        },
        { timeoutMs: 15_000, everyMs: 100 }
      )
      assert.equal(degraded.status, 200, 'still in the balancer')
      assert.equal(degraded.body.status, 'degraded')
      assert.equal(
        (await browser.request('GET', '/critical-values')).status,
        200,
        'pages keep working'
      )

      const raised = await browser.request('POST', `/exams/${exam.id}/critical-values`, {
        json: { findingId: (await finding('ICH')).id, message: MESSAGE, requestKey: randomUUID() },
      })
      assert.equal(raised.status, 201)
      const { id } = (await raised.json()) as any
      // The push of that alert is written to a reconnection the relay then drops (it used to be lost
      // there for a socket that stayed connected to node B).
      await eventually(async () => relay.dropped.some((chunk) => chunk.includes('PUBLISH')), {
        timeoutMs: 20_000,
        everyMs: 50,
      })

      relay.restore()
      await eventually(
        async () =>
          ((await (await fetch(`${c!.base}/health`)).json()) as any).checks.redis === 'ok',
        { timeoutMs: 20_000, everyMs: 200 }
      )
      const alert = await eventually(async () => alerts.find((x) => x.id === id) ?? null, {
        timeoutMs: 20_000,
        everyMs: 50,
      })
      assert.equal(alert.accessionNumber, exam.accessionNumber)
    } finally {
      socketHolder.socket?.close()
      await stopNode(c)
      relay.close()
    }
  }).timeout(120_000)
})
