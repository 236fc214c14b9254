/*
| Upload benchmark: the same DICOM files, at the same concurrency, sent
| (a) straight to Orthanc's POST /instances and (b) through the app's
| POST /api/v1/exams/:accession/images (which checks each file's header and
| streams it on to Orthanc). Reports MB/s, instances/s, the ratio, and the app
| process's resident memory sampled every 50 ms during its upload.
|
|   node ace build   # the app is measured as it runs in production (build/bin/server.js)
|   node --import ts-node-maintained/register/esm bench/upload_throughput.ts [--mb 550] [--concurrency 4] [--rounds 2] [--dev] [--profile]
|
| It runs in its own world: database imaging_bench_upload (MySQL/MariaDB on
| 127.0.0.1), an Orthanc on 127.0.0.1:8081, the app on 127.0.0.1:3381.
*/
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises'
import { existsSync, readFileSync } from 'node:fs'
import { tmpdir, cpus, totalmem } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import mysql from 'mysql2/promise'
import { OrthancProcess } from '../bin/lib/orthanc_process.mjs'
import { syntheticInstance, newUid } from '../database/demo/synthetic_dicom.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`)
  return index > 0 ? Number(process.argv[index + 1]) : fallback
}
const TARGET_MB = arg('mb', 550)
const CONCURRENCIES = (
  process.argv.includes('--concurrency')
    ? process.argv[process.argv.indexOf('--concurrency') + 1]
    : '4,8'
)
  .split(',')
  .map(Number)
const BATCH = arg('batch', 16)
const ROUNDS = arg('rounds', 2)
const APP_PORT = 3381
const ORTHANC_PORT = 8081
const DATABASE = 'imaging_bench_upload'

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
  // The changes feed's work on each stable study (metadata, MD5 manifest) follows either way of ingest, seconds later,
  // so it would land in the next measured phase: off here, as the upload path is what is compared.
  SCHEDULER_ENABLED: 'false',
  ORTHANC_URL: `http://127.0.0.1:${ORTHANC_PORT}`,
  ORTHANC_DICOM_PORT: String(ORTHANC_PORT - 3800),
}
const ace = (...args: string[]) =>
  execFileSync(process.execPath, ['ace.js', ...args], { cwd: ROOT, env, encoding: 'utf8' })
const orthancAuth = 'Basic ' + Buffer.from(`imaging-app:${password}`).toString('base64')

async function waitFor(url: string) {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`${url} did not answer`)
}

function rssOf(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = status.match(/VmRSS:\s+(\d+) kB/)
  if (!match) throw new Error(`the app process ${pid} is gone`)
  return Number(match[1]) * 1024
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSecondsOf(pid: number) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** Sends every file, `perRequest` files a request, with `concurrency` requests in flight; returns seconds. */
async function send(
  paths: string[],
  concurrency: number,
  perRequest: number,
  post: (bodies: Buffer[]) => Promise<Response>
) {
  let next = 0
  const started = performance.now()
  async function worker() {
    while (next < paths.length) {
      const group = paths.slice(next, next + perRequest)
      next += group.length
      const bodies = await Promise.all(group.map((path) => readFile(path)))
      const response = await post(bodies)
      const text = await response.text()
      if (!response.ok) throw new Error(`${response.status}: ${text.slice(0, 200)}`)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return (performance.now() - started) / 1000
}

/** A multipart/form-data body of several DICOM files (what the browser's FormData sends). */
function multipart(bodies: Buffer[]) {
  const boundary = `----bench${Math.random().toString(16).slice(2)}`
  const parts: Buffer[] = []
  bodies.forEach((body, i) => {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="IM${i}.dcm"\r\nContent-Type: application/dicom\r\n\r\n`
      )
    )
    parts.push(body, Buffer.from('\r\n'))
  })
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` }
}

async function deleteStudy(studyUid: string) {
  const found = (await (
    await fetch(`http://127.0.0.1:${ORTHANC_PORT}/tools/find`, {
      method: 'POST',
      headers: { Authorization: orthancAuth },
      body: JSON.stringify({ Level: 'Study', Query: { StudyInstanceUID: studyUid } }),
    })
  ).json()) as string[]
  for (const id of found)
    await fetch(`http://127.0.0.1:${ORTHANC_PORT}/studies/${id}`, {
      method: 'DELETE',
      headers: { Authorization: orthancAuth },
    })
}

async function main() {
  console.log(
    `upload benchmark: ~${TARGET_MB} MB, concurrency ${CONCURRENCIES.join(' and ')}, ${BATCH} files per app request, ${ROUNDS} rounds each way`
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
    name: 'bench-upload',
    httpPort: ORTHANC_PORT,
    dicomPort: ORTHANC_PORT - 3800,
    password,
    fresh: true,
    stableAge: 10,
  })
  await orthanc.start()
  let server: ChildProcess | null = null
  const folder = await mkdtemp(join(tmpdir(), 'bench-upload-'))
  try {
    ace('migration:run', '--force')
    ace('demo:seed')
    const token = ace('api:token', 'clinic1', '--name', 'bench').trim().split('\n').pop()!.trim()

    const profile = process.argv.includes('--profile')
      ? [
          '--cpu-prof',
          '--cpu-prof-interval',
          '2000',
          `--cpu-prof-dir=${join(ROOT, 'tmp/profiles')}`,
        ]
      : []
    // The production build (node ace build), as a hospital would run it; --dev runs the TypeScript sources.
    const dev = process.argv.includes('--dev')
    if (!dev && !existsSync(join(ROOT, 'build/bin/server.js')))
      throw new Error('no build/: run `node ace build` first, or pass --dev')
    server = dev
      ? spawn(
          process.execPath,
          [...profile, '--import', 'ts-node-maintained/register/esm', 'bin/server.ts'],
          { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] }
        )
      : spawn(process.execPath, [...profile, 'bin/server.js'], {
          cwd: join(ROOT, 'build'),
          env,
          stdio: ['ignore', 'inherit', 'inherit'],
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
          purpose: '上传吞吐量',
          requestingDoctor: 'bench',
        }),
      })
    ).json()) as any
    const accession = registered.data[0].accessionNumber

    // 512x512x16-bit CT slices (~525 KB each, like a real CT) until the target size.
    const studyUid = newUid()
    const seriesUid = newUid()
    const paths: string[] = []
    let bytes = 0
    for (let i = 1; bytes < TARGET_MB * 1024 * 1024; i++) {
      const data = syntheticInstance(
        {
          modality: 'CT',
          patientName: 'Bench^Upload',
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
          position: (i % 100) / 100,
        }
      )
      const path = join(folder, `IM${String(i).padStart(5, '0')}.dcm`)
      await mkdir(dirname(path), { recursive: true })
      await writeFile(path, data)
      paths.push(path)
      bytes += data.length
    }
    const megabytes = bytes / 1024 / 1024
    console.log(`generated ${paths.length} instances, ${megabytes.toFixed(0)} MB`)

    const direct = ([body]: Buffer[]) =>
      fetch(`http://127.0.0.1:${ORTHANC_PORT}/instances`, {
        method: 'POST',
        headers: { 'Authorization': orthancAuth, 'Content-Type': 'application/dicom' },
        body,
      })
    const viaApp = (bodies: Buffer[]) => {
      const url = `http://127.0.0.1:${APP_PORT}/api/v1/exams/${accession}/images`
      if (BATCH === 1)
        return fetch(url, {
          method: 'POST',
          headers: {
            'Authorization': `Bearer ${token}`,
            'Content-Type': 'application/dicom',
            'Accept': 'application/json',
          },
          body: bodies[0],
        })
      const form = multipart(bodies)
      return fetch(url, {
        method: 'POST',
        headers: {
          'Authorization': `Bearer ${token}`,
          'Content-Type': form.type,
          'Accept': 'application/json',
        },
        body: form.body,
      })
    }

    type Row = {
      path: string
      concurrency: number
      round: number
      seconds: number
      mbps: number
      ips: number
      orthancCpu: number
      appCpu: number
      peakRssMb?: number
      baselineRssMb?: number
    }
    const results: Row[] = []
    const orthancPid = (orthanc as any).child.pid as number
    const cpu = () => ({ orthanc: cpuSecondsOf(orthancPid), app: cpuSecondsOf(server!.pid!) })
    for (const concurrency of CONCURRENCIES)
      for (let round = 1; round <= ROUNDS; round++) {
        await deleteStudy(studyUid)
        let before = cpu()
        const directSeconds = await send(paths, concurrency, 1, direct)
        let after = cpu()
        results.push({
          path: 'direct to Orthanc',
          concurrency,
          round,
          seconds: directSeconds,
          mbps: megabytes / directSeconds,
          ips: paths.length / directSeconds,
          orthancCpu: after.orthanc - before.orthanc,
          appCpu: after.app - before.app,
        })
        await deleteStudy(studyUid)
        before = cpu()

        const baseline = rssOf(server.pid!)
        let peak = baseline
        const sampler = setInterval(() => (peak = Math.max(peak, rssOf(server!.pid!))), 50)
        const appSeconds = await send(paths, concurrency, BATCH, viaApp)
        clearInterval(sampler)
        peak = Math.max(peak, rssOf(server.pid!))
        after = cpu()
        results.push({
          path: `through the app (${BATCH} per request)`,
          concurrency,
          round,
          seconds: appSeconds,
          mbps: megabytes / appSeconds,
          ips: paths.length / appSeconds,
          orthancCpu: after.orthanc - before.orthanc,
          appCpu: after.app - before.app,
          peakRssMb: peak / 1024 / 1024,
          baselineRssMb: baseline / 1024 / 1024,
        })
      }

    const peakRss = Math.max(...results.filter((r) => r.peakRssMb).map((r) => r.peakRssMb!))
    console.log(
      '\n| path | concurrency | round | seconds | MB/s | instances/s | Orthanc CPU s | app CPU s | app RSS before → peak |'
    )
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |')
    for (const r of results) {
      console.log(
        `| ${r.path} | ${r.concurrency} | ${r.round} | ${r.seconds.toFixed(1)} | ${r.mbps.toFixed(1)} | ${r.ips.toFixed(0)} | ${r.orthancCpu.toFixed(1)} | ${r.appCpu.toFixed(1)} | ${r.peakRssMb ? `${r.baselineRssMb!.toFixed(0)} → ${r.peakRssMb.toFixed(0)} MB` : ''} |`
      )
    }
    for (const concurrency of CONCURRENCIES) {
      const best = (app: boolean) =>
        results
          .filter((r) => r.concurrency === concurrency && r.path.startsWith('through') === app)
          .sort((x, y) => y.mbps - x.mbps)[0]
      const [d, a] = [best(false), best(true)]
      console.log(
        `\n${paths.length} instances, ${megabytes.toFixed(0)} MB, concurrency ${concurrency}; best of ${ROUNDS}: app ${a.mbps.toFixed(1)} MB/s (${a.ips.toFixed(0)}/s) vs direct ${d.mbps.toFixed(1)} MB/s (${d.ips.toFixed(0)}/s) = ${(a.mbps / d.mbps).toFixed(2)}×`
      )
    }
    console.log(`app peak RSS ${peakRss.toFixed(0)} MB`)
    console.log(
      `machine: ${cpus().length} cores (${cpus()[0].model}), ${(totalmem() / 1024 ** 3).toFixed(0)} GB, Node ${process.version}, ${new Date().toISOString()}`
    )
  } finally {
    server?.kill('SIGTERM')
    await orthanc.stop()
    await rm(folder, { recursive: true, force: true })
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
