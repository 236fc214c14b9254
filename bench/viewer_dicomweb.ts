/*
| Viewer benchmark (issue 14): a 300-slice CT read the way OHIF reads it,
| (a) straight from Orthanc's DICOMweb and (b) through the app's /dicomweb
| proxy (session check, visibility, audit once per study, streaming) with the
| session cookie of a login by the form, as OHIF in a browser, and with a bearer token,
| with the same requests at the same concurrency:
|
|   QIDO studies?StudyInstanceUID=…  →  QIDO studies/…/series  →  WADO-RS series metadata
|   →  every slice's frames/1 (multipart/related; type="application/octet-stream"; transfer-syntax=*)
|
| "First image" = the three calls plus the first slice's frame (what OHIF waits
| for before it draws); "whole series" = every frame. Concurrency 6: a browser's
| connections per host on HTTP/1.1, which is what the viewer gets from the app.
| The app process's resident memory is sampled every 20 ms while it serves.
|
|   node --import ts-node-maintained/register/esm bench/viewer_dicomweb.ts [--slices 300] [--rounds 3] [--concurrency 6] [--profile]
|
| Its own world: database imaging_bench_viewer (MySQL/MariaDB on 127.0.0.1,
| recreated, demo county seeded), an Orthanc on 127.0.0.1:8066 with the
| DICOMweb plugin, the app (TypeScript sources, NODE_ENV=production) on 127.0.0.1:3366.
*/
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import http from 'node:http'
import mysql from 'mysql2/promise'
import { OrthancProcess } from '../bin/lib/orthanc_process.mjs'
import { syntheticInstance, newUid } from '../database/demo/synthetic_dicom.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`)
  return index > 0 ? Number(process.argv[index + 1]) : fallback
}
const SLICES = arg('slices', 300)
const ROUNDS = arg('rounds', 3)
const CONCURRENCY = arg('concurrency', 6)
const APP_PORT = 3366
const ORTHANC_PORT = 8066
const DATABASE = 'imaging_bench_viewer'
const FRAME_ACCEPT = 'multipart/related; type="application/octet-stream"; transfer-syntax=*'

function envFile() {
  const values: Record<string, string> = {}
  const file = join(ROOT, '.env')
  if (!existsSync(file)) throw new Error('no .env: run `npm start` or `npm test` once first')
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = line.match(/^([A-Z0-9_]+)=(.*)$/)
    if (match) values[match[1]] = match[2]
  }
  return values
}

const base = envFile()
const password = base.ORTHANC_PASSWORD
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ...base,
  TZ: 'UTC',
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  HOST: '127.0.0.1',
  PORT: String(APP_PORT),
  DB_CONNECTION: 'mysql',
  DB_DATABASE: DATABASE,
  ORTHANC_URL: `http://127.0.0.1:${ORTHANC_PORT}`,
  ORTHANC_DICOM_PORT: String(ORTHANC_PORT - 3800),
  SCHEDULER_ENABLED: 'false',
}
const ace = (...args: string[]) =>
  execFileSync(process.execPath, ['ace.js', ...args], { cwd: ROOT, env, encoding: 'utf8' })
const orthancAuth = 'Basic ' + Buffer.from(`imaging-app:${password}`).toString('base64')

async function waitFor(url: string) {
  for (let i = 0; i < 400; i++) {
    try {
      if ((await fetch(url)).ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`${url} did not answer`)
}

function rssOf(pid: number) {
  const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)
  if (!match) throw new Error(`process ${pid} is gone`)
  return Number(match[1]) * 1024
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })

/** One GET read to its end (as the viewer reads it); resolves to the body for JSON, the byte count otherwise. */
function get(
  port: number,
  path: string,
  headers: Record<string, string>
): Promise<{ status: number; bytes: number; body: Buffer | null }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path, headers, agent }, (response) => {
      const json = /json/.test(String(response.headers['content-type']))
      const chunks: Buffer[] = []
      let bytes = 0
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length
        if (json) chunks.push(chunk)
      })
      response.on('end', () =>
        resolve({ status: response.statusCode!, bytes, body: json ? Buffer.concat(chunks) : null })
      )
      response.on('error', reject)
    })
    request.on('error', reject)
    request.end()
  })
}

const tag = (dataset: any, key: string) => dataset?.[key]?.Value?.[0]

/** The demo clinic user that the bench's token is for (`api:token clinic1`). */
const DEMO_USER = 'clinic1'

/** Logs in by the form as a browser does (CSRF token from the page); returns the session's Cookie header. */
async function logIn(username: string) {
  const { password: demoPassword } = JSON.parse(
    readFileSync(join(ROOT, 'database/demo/logins.json'), 'utf8')
  ) as { password: string }
  const jar = new Map<string, string>()
  const keep = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const at = pair.indexOf('=')
      jar.set(pair.slice(0, at), pair.slice(at + 1))
    }
  }
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
  const page = await fetch(`http://127.0.0.1:${APP_PORT}/login`)
  keep(page)
  const csrf = (await page.text()).match(/name=['"]_csrf['"] value=['"]([^'"]+)['"]/)?.[1] ?? ''
  const login = await fetch(`http://127.0.0.1:${APP_PORT}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'cookie': cookie(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, username, password: demoPassword }),
  })
  keep(login)
  if (login.status !== 302 || login.headers.get('location') === '/login')
    throw new Error(`login of ${username} failed: ${login.status} ${login.headers.get('location')}`)
  return cookie()
}

interface Side {
  name: string
  port: number
  root: string
  headers: Record<string, string>
}

async function readSeries(side: Side, studyUid: string) {
  const started = performance.now()
  const call = async (path: string, accept = 'application/dicom+json') => {
    const answer = await get(side.port, side.root + path, { ...side.headers, Accept: accept })
    if (answer.status !== 200) throw new Error(`${side.name} ${path} answered ${answer.status}`)
    return answer
  }
  await call(`/studies?StudyInstanceUID=${studyUid}&includefield=00081030,00080060`)
  const series = JSON.parse((await call(`/studies/${studyUid}/series`)).body!.toString())
  const seriesUid = tag(series[0], '0020000E')
  const metadata = JSON.parse(
    (await call(`/studies/${studyUid}/series/${seriesUid}/metadata`)).body!.toString()
  )
  const instances = metadata
    .map((m: any) => ({ uid: tag(m, '00080018') as string, number: Number(tag(m, '00200013')) }))
    .sort((a: any, b: any) => a.number - b.number)
  let bytes = 0
  const frame = async (uid: string) => {
    const received = (
      await call(`/studies/${studyUid}/series/${seriesUid}/instances/${uid}/frames/1`, FRAME_ACCEPT)
    ).bytes
    bytes += received
  }
  // OHIF draws the slice it opens at first, then loads the rest of the stack.
  await frame(instances[0].uid)
  const firstImageMs = performance.now() - started
  let next = 1
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < instances.length) await frame(instances[next++].uid)
    })
  )
  return {
    firstImageMs,
    wholeSeriesMs: performance.now() - started,
    frames: instances.length,
    bytes,
  }
}

async function main() {
  console.log(
    `viewer benchmark: ${SLICES}-slice CT, concurrency ${CONCURRENCY}, ${ROUNDS} rounds each way`
  )
  const admin = await mysql.createConnection({
    host: base.DB_HOST || '127.0.0.1',
    port: Number(base.DB_PORT || 3306),
    user: base.DB_USER || 'root',
    password: base.DB_PASSWORD || '',
  })
  await admin.query(`DROP DATABASE IF EXISTS \`${DATABASE}\``)
  await admin.query(`CREATE DATABASE \`${DATABASE}\` CHARACTER SET utf8mb4`)
  await admin.end()

  const orthanc = new OrthancProcess({
    name: 'bench-viewer',
    httpPort: ORTHANC_PORT,
    dicomPort: ORTHANC_PORT - 3800,
    password,
    fresh: true,
    stableAge: 10,
  })
  await orthanc.start()
  let server: ChildProcess | null = null
  let stopping = false
  try {
    ace('migration:run', '--force')
    // The small demo county: the bench needs one clinic user and a patient, not a hundred exams.
    execFileSync(process.execPath, ['ace.js', 'demo:seed'], {
      cwd: ROOT,
      env: { ...env, DEMO_SIZE: 'small' },
      encoding: 'utf8',
    })
    const token = ace('api:token', 'clinic1', '--name', 'bench').trim().split('\n').pop()!.trim()
    const profile = process.argv.includes('--profile')
      ? [
          '--cpu-prof',
          '--cpu-prof-interval',
          '2000',
          `--cpu-prof-dir=${join(ROOT, 'tmp/profiles')}`,
        ]
      : []
    server = spawn(
      process.execPath,
      [...profile, '--import', 'ts-node-maintained/register/esm', 'bin/server.ts'],
      { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] }
    )
    server.once('exit', (code, signal) => {
      if (!stopping)
        console.error(`the app exited during the bench: code ${code}, signal ${signal}`)
    })
    await waitFor(`http://127.0.0.1:${APP_PORT}/health`)
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${APP_PORT}/api/v1${path}`, {
        ...init,
        headers: {
          'Authorization': `Bearer ${token}`,
          'Accept': 'application/json',
          'Content-Type': 'application/json',
          ...(init.headers ?? {}),
        },
      })
    const patient = ((await (await api('/patients')).json()) as any).data[0]
    const items = ((await (await api('/exam-items?modality=CT')).json()) as any).data
    const registered = (await (
      await api('/exams', {
        method: 'POST',
        body: JSON.stringify({
          clinicPatientId: patient.id,
          itemIds: [items[0].id],
          priority: 'routine',
          clinicalHistory: '基准测试',
          purpose: '阅片器',
          requestingDoctor: 'bench',
        }),
      })
    ).json()) as any
    const accession = registered.data[0].accessionNumber

    // 512 × 512 × 16-bit CT slices (~525 KB each, like a real CT), uploaded through the app so the exam links the study.
    const studyUid = newUid()
    const seriesUid = newUid()
    let nextSlice = 1
    const uploadOne = async (i: number) => {
      const data = syntheticInstance(
        {
          modality: 'CT',
          patientName: 'Bench^Viewer',
          patientId: patient.clinicPatientNo,
          accessionNumber: accession,
          studyInstanceUid: studyUid,
        },
        {
          seriesInstanceUid: seriesUid,
          seriesNumber: 1,
          instanceNumber: i,
          rows: 512,
          columns: 512,
          position: i / SLICES,
        }
      )
      const stored = await fetch(`http://127.0.0.1:${APP_PORT}/api/v1/exams/${accession}/images`, {
        method: 'POST',
        headers: {
          'Authorization': `Bearer ${token}`,
          'Content-Type': 'application/dicom',
          'Accept': 'application/json',
        },
        body: data,
      })
      if (!stored.ok) throw new Error(`upload ${i}: ${stored.status} ${await stored.text()}`)
    }
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (nextSlice <= SLICES) await uploadOne(nextSlice++)
      })
    )
    console.log(`uploaded ${SLICES} slices`)

    const direct: Side = {
      name: 'direct',
      port: ORTHANC_PORT,
      root: '/dicomweb',
      headers: { Authorization: orthancAuth },
    }
    const proxied: Side = {
      name: 'app',
      port: APP_PORT,
      root: '/dicomweb',
      headers: { Authorization: `Bearer ${token}` },
    }
    // What OHIF in a browser presents: the session cookie of a login by the form.
    const viaSession: Side = {
      name: 'app (session)',
      port: APP_PORT,
      root: '/dicomweb',
      headers: { Cookie: await logIn(DEMO_USER) },
    }
    // Warm them (Orthanc's cache, the app's JIT) once, unmeasured.
    await readSeries(direct, studyUid)
    await readSeries(proxied, studyUid)
    await readSeries(viaSession, studyUid)

    type Row = Awaited<ReturnType<typeof readSeries>> & {
      side: string
      round: number
      baselineMb?: number
      peakMb?: number
    }
    const rows: Row[] = []
    for (let round = 1; round <= ROUNDS; round++) {
      rows.push({ side: 'direct from Orthanc', round, ...(await readSeries(direct, studyUid)) })
      for (const [side, label] of [
        [viaSession, 'through the app'],
        [proxied, 'through the app (token)'],
      ] as const) {
        const baseline = rssOf(server.pid!)
        let peak = baseline
        const sampler = setInterval(() => {
          // a dying app ends the read with an error; the sampler must not end the bench without its cleanup
          if (server!.exitCode === null) peak = Math.max(peak, rssOf(server!.pid!))
        }, 20)
        const result = await readSeries(side, studyUid)
        clearInterval(sampler)
        peak = Math.max(peak, rssOf(server.pid!))
        rows.push({
          side: label,
          round,
          ...result,
          baselineMb: baseline / 1024 / 1024,
          peakMb: peak / 1024 / 1024,
        })
      }
    }

    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
    const of = (side: string, key: 'firstImageMs' | 'wholeSeriesMs') =>
      median(rows.filter((r) => r.side === side).map((r) => r[key]))
    const mb = rows[0].bytes / 1024 / 1024
    console.log(
      '\n| path | round | first image ms | whole series ms | MB/s | app RSS before → peak |'
    )
    console.log('| --- | --- | --- | --- | --- | --- |')
    for (const r of rows) {
      console.log(
        `| ${r.side} | ${r.round} | ${r.firstImageMs.toFixed(0)} | ${r.wholeSeriesMs.toFixed(0)} | ${(mb / (r.wholeSeriesMs / 1000)).toFixed(1)} | ${r.peakMb ? `${r.baselineMb!.toFixed(0)} → ${r.peakMb.toFixed(0)} MB` : ''} |`
      )
    }
    const firstRatio =
      of('direct from Orthanc', 'firstImageMs') / of('through the app', 'firstImageMs')
    const wholeRatio =
      of('direct from Orthanc', 'wholeSeriesMs') / of('through the app', 'wholeSeriesMs')
    const tokenRatio =
      of('direct from Orthanc', 'wholeSeriesMs') / of('through the app (token)', 'wholeSeriesMs')
    console.log(
      `bearer token instead of the session: whole series ${of('through the app (token)', 'wholeSeriesMs').toFixed(0)} ms (${tokenRatio.toFixed(2)}×)`
    )
    const peakRss = Math.max(...rows.filter((r) => r.peakMb).map((r) => r.peakMb!))
    console.log(
      `\n${rows[0].frames} frames, ${mb.toFixed(0)} MB of pixel data a read, concurrency ${CONCURRENCY}, median of ${ROUNDS}:` +
        ` first image ${of('through the app', 'firstImageMs').toFixed(0)} ms via the app vs ${of('direct from Orthanc', 'firstImageMs').toFixed(0)} ms direct (speed ratio ${firstRatio.toFixed(2)}×),` +
        ` whole series ${of('through the app', 'wholeSeriesMs').toFixed(0)} ms vs ${of('direct from Orthanc', 'wholeSeriesMs').toFixed(0)} ms (${wholeRatio.toFixed(2)}×); app peak RSS ${peakRss.toFixed(0)} MB`
    )
    console.log(
      `machine: ${cpus().length} cores (${cpus()[0].model}), ${(totalmem() / 1024 ** 3).toFixed(0)} GB, Node ${process.version}, ${new Date().toISOString()}`
    )
  } finally {
    stopping = true
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r))
      server.kill('SIGTERM')
      await exited
    }
    await orthanc.stop()
    agent.destroy()
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
