/*
| Ingest at scale (issue 18): loads many small synthetic CT instances into
| Orthanc THROUGH THE APP (multipart batches on POST /api/v1/exams/:accession/images,
| every check applied), once with Orthanc's SQLite index and once with its
| PostgreSQL index, and reports instances/s per slice, so the curve shows
| whether the index slows down as it fills.
|
|   node ace build
|   node --import ts-node-maintained/register/esm bench/ingest_curve.ts [--instances 200000] [--slice 20000]
|        [--index sqlite,postgresql] [--per-study 100] [--batch 50] [--concurrency 4] [--max-minutes 15]
|        [--direct] [--parallel]
|
| --direct leaves the app out: each instance is POSTed straight to Orthanc's REST
| (POST /instances, the call the app itself makes per file), CONCURRENCY in flight, so
| what is measured is Orthanc and its index alone. It exists because the run through
| the app could not reach 200,000 on this loaded machine within the time. No database,
| no build needed. --parallel runs the indexes at the same time (each its own Orthanc,
| ports 8082 and 8083), so a shared machine's load falls on both alike.
|
| Its own world: database imaging_bench_ingest, an Orthanc on 127.0.0.1:8082
| (PostgreSQL database orthanc_imaging_bench_ingest), the compiled app on 127.0.0.1:3382.
| An index that has not loaded everything after --max-minutes stops there, and the table says so.
*/
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { cpus, totalmem, loadavg } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import mysql from 'mysql2/promise'
import { OrthancProcess } from '../bin/lib/orthanc_process.mjs'
import { syntheticInstance, newUid } from '../database/demo/synthetic_dicom.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const option = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`)
  return index > 0 ? process.argv[index + 1] : fallback
}
const INSTANCES = Number(option('instances', '200000'))
const SLICE = Number(option('slice', '20000'))
const INDEXES = option('index', 'sqlite,postgresql').split(',')
const PER_STUDY = Number(option('per-study', '100'))
const BATCH = Number(option('batch', '50'))
const CONCURRENCY = Number(option('concurrency', '4'))
const MAX_MS = Number(option('max-minutes', '15')) * 60_000
const DIRECT = process.argv.includes('--direct')
const PARALLEL = process.argv.includes('--parallel')
const APP_PORT = 3382
const ORTHANC_PORT = 8082
const DATABASE = 'imaging_bench_ingest'

const base: Record<string, string> = {}
for (const line of readFileSync(join(ROOT, '.env'), 'utf8').split('\n')) {
  const match = line.match(/^([A-Z0-9_]+)=(.*)$/)
  if (match) base[match[1]] = match[2]
}
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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function waitFor(url: string) {
  for (let i = 0; i < 400; i++) {
    try {
      if ((await fetch(url)).ok) return
    } catch {}
    await sleep(250)
  }
  throw new Error(`${url} did not answer`)
}

function multipart(files: Buffer[]) {
  const boundary = `----ingest${Math.random().toString(16).slice(2)}`
  const parts: Buffer[] = []
  files.forEach((body, i) => {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="IM${i}.dcm"\r\nContent-Type: application/dicom\r\n\r\n`
      ),
      body,
      Buffer.from('\r\n')
    )
  })
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` }
}

interface Slice {
  index: string
  from: number
  to: number
  seconds: number
  perSecond: number
}

async function runIndex(
  index: string,
  token: string
): Promise<{ slices: Slice[]; loaded: number; stopped: boolean }> {
  const postgres =
    index === 'postgresql'
      ? {
          host: '127.0.0.1',
          port: 5432,
          user: 'postgres',
          password: '',
          database: `orthanc_${DATABASE}`,
        }
      : null
  const orthanc = new OrthancProcess({
    name: `bench-ingest-${index}`,
    httpPort: ORTHANC_PORT,
    dicomPort: ORTHANC_PORT - 3800,
    password: base.ORTHANC_PASSWORD,
    fresh: true,
    stableAge: 60,
    postgres,
  })
  await orthanc.start()
  let server: ChildProcess | null = null
  try {
    server = spawn(process.execPath, ['bin/server.js'], {
      cwd: join(ROOT, 'build'),
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    })
    await waitFor(`http://127.0.0.1:${APP_PORT}/health`)
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${APP_PORT}/api/v1${path}`, {
        ...init,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          ...(init.headers ?? {}),
        },
      })
    const patient = ((await (await api('/patients')).json()) as any).data[0]
    const itemId = ((await (await api('/exam-items?modality=CT')).json()) as any).data[0].id

    // The work: studies of PER_STUDY instances, each for its own registered exam, sent in batches.
    let nextStudy = 0
    let loaded = 0
    const started = Date.now()
    const slices: Slice[] = []
    let sliceStart = performance.now()
    let sliceFrom = 0
    let stopped = false
    let registrations: Promise<unknown> = Promise.resolve()
    let retries = 0
    const studies = Math.ceil(INSTANCES / PER_STUDY)
    async function worker() {
      while (nextStudy < studies && !stopped) {
        const s = nextStudy++
        // Registered one at a time (accession numbers are issued in sequence).
        const registering = registrations.then(() =>
          api('/exams', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({
              clinicPatientId: patient.id,
              itemIds: [itemId],
              priority: 'routine',
              clinicalHistory: '基准测试',
              purpose: '入库曲线',
              requestingDoctor: 'bench',
            }),
          }).then((r) => r.json() as Promise<any>)
        )
        registrations = registering.catch(() => {})
        const registered = await registering
        if (!registered?.data?.[0])
          throw new Error(`registering an exam failed: ${JSON.stringify(registered).slice(0, 300)}`)
        const accession = registered.data[0].accessionNumber
        const studyUid = newUid()
        const seriesUid = newUid()
        for (let first = 0; first < PER_STUDY && !stopped; first += BATCH) {
          const files = Array.from({ length: Math.min(BATCH, PER_STUDY - first) }, (_, k) =>
            syntheticInstance(
              {
                modality: 'CT',
                patientName: 'Bench^Ingest',
                patientId: patient.clinicPatientNo,
                accessionNumber: accession,
                studyInstanceUid: studyUid,
              },
              {
                seriesInstanceUid: seriesUid,
                seriesNumber: 1,
                instanceNumber: first + k + 1,
                rows: 64,
                columns: 64,
                position: ((first + k) % 100) / 100,
              }
            )
          )
          const form = multipart(files)
          // A batch with a file the store failed on is sent again, as the uploader does (what is stored is skipped).
          for (let attempt = 1; ; attempt++) {
            const response = await api(`/exams/${accession}/images`, {
              method: 'POST',
              headers: { 'Content-Type': form.type },
              body: form.body,
            })
            const summary = (await response.json()) as any
            if (response.ok && summary.stored + summary.alreadyStored === files.length) break
            const reasons = (summary.files ?? [])
              .filter((f: any) => f.reason)
              .map((f: any) => f.reason)
            if (attempt >= 3 || reasons.some((r: string) => r !== 'store_failed'))
              throw new Error(
                `${response.status}: ${reasons.join(', ') || JSON.stringify(summary).slice(0, 300)}`
              )
            retries++
          }
          loaded += files.length
          if (loaded - sliceFrom >= SLICE) {
            const seconds = (performance.now() - sliceStart) / 1000
            slices.push({
              index,
              from: sliceFrom,
              to: loaded,
              seconds,
              perSecond: (loaded - sliceFrom) / seconds,
            })
            console.log(
              `${index}: ${sliceFrom}–${loaded} in ${seconds.toFixed(1)} s = ${((loaded - sliceFrom) / seconds).toFixed(0)} instances/s (load ${loadavg()[0].toFixed(1)})`
            )
            sliceFrom = loaded
            sliceStart = performance.now()
          }
          if (Date.now() - started > MAX_MS) stopped = true
        }
        void s
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    if (loaded > sliceFrom) {
      const seconds = (performance.now() - sliceStart) / 1000
      slices.push({
        index,
        from: sliceFrom,
        to: loaded,
        seconds,
        perSecond: (loaded - sliceFrom) / seconds,
      })
    }
    if (retries) console.log(`${index}: ${retries} batches sent again after store_failed`)
    return { slices, loaded, stopped }
  } finally {
    server?.kill('SIGTERM')
    await sleep(1000)
    await orthanc.stop()
  }
}

/** Straight into Orthanc's REST, one instance per request, CONCURRENCY in flight. */
async function runDirect(
  index: string,
  port: number
): Promise<{ slices: Slice[]; loaded: number; stopped: boolean }> {
  const postgres =
    index === 'postgresql'
      ? {
          host: '127.0.0.1',
          port: 5432,
          user: 'postgres',
          password: '',
          database: `orthanc_${DATABASE}`,
        }
      : null
  const orthanc = new OrthancProcess({
    name: `bench-ingest-direct-${index}`,
    httpPort: port,
    dicomPort: port - 3800,
    password: base.ORTHANC_PASSWORD,
    fresh: true,
    stableAge: 60,
    postgres,
  })
  await orthanc.start()
  const auth = 'Basic ' + Buffer.from(`imaging-app:${base.ORTHANC_PASSWORD}`).toString('base64')
  try {
    let next = 0
    let loaded = 0
    let stopped = false
    const started = Date.now()
    const slices: Slice[] = []
    let sliceStart = performance.now()
    let sliceFrom = 0
    const studies = new Map<number, { study: string; series: string }>()
    async function worker() {
      while (!stopped) {
        const n = next++
        if (n >= INSTANCES) return
        const s = Math.floor(n / PER_STUDY)
        if (!studies.has(s)) studies.set(s, { study: newUid(), series: newUid() })
        const uids = studies.get(s)!
        if (n % PER_STUDY === PER_STUDY - 1) studies.delete(s)
        const body = syntheticInstance(
          {
            modality: 'CT',
            patientName: 'Bench^Ingest',
            patientId: `BENCH${Math.floor(s / 10)}`,
            accessionNumber: String(26_900_000_000 + s),
            studyInstanceUid: uids.study,
          },
          {
            seriesInstanceUid: uids.series,
            seriesNumber: 1,
            instanceNumber: (n % PER_STUDY) + 1,
            rows: 64,
            columns: 64,
            position: (n % 100) / 100,
          }
        )
        for (let attempt = 1; ; attempt++) {
          const response = await fetch(`http://127.0.0.1:${port}/instances`, {
            method: 'POST',
            headers: { 'Authorization': auth, 'Content-Type': 'application/dicom' },
            body,
          })
          const answer = (await response.json().catch(() => ({}))) as any
          if (response.ok && (answer.Status === 'Success' || answer.Status === 'AlreadyStored'))
            break
          if (attempt >= 3)
            throw new Error(`${index}: ${response.status} ${JSON.stringify(answer)}`)
        }
        loaded++
        if (loaded - sliceFrom >= SLICE) {
          const seconds = (performance.now() - sliceStart) / 1000
          slices.push({
            index,
            from: sliceFrom,
            to: loaded,
            seconds,
            perSecond: (loaded - sliceFrom) / seconds,
          })
          console.log(
            `${index} (direct): ${sliceFrom}–${loaded} in ${seconds.toFixed(1)} s = ${((loaded - sliceFrom) / seconds).toFixed(0)} instances/s (load ${loadavg()[0].toFixed(1)}, ${new Date().toISOString().slice(11, 19)})`
          )
          sliceFrom = loaded
          sliceStart = performance.now()
        }
        if (Date.now() - started > MAX_MS) stopped = true
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    if (loaded > sliceFrom) {
      const seconds = (performance.now() - sliceStart) / 1000
      slices.push({
        index,
        from: sliceFrom,
        to: loaded,
        seconds,
        perSecond: (loaded - sliceFrom) / seconds,
      })
    }
    return { slices, loaded, stopped }
  } finally {
    await orthanc.stop()
  }
}

async function main() {
  if (DIRECT) {
    console.log(
      `ingest curve, straight into Orthanc's REST (no app): ${INSTANCES} instances (64×64 CT, ~9 KB), slices of ${SLICE}, ${PER_STUDY} per study, ${CONCURRENCY} requests in flight, indexes ${INDEXES.join(', ')}${PARALLEL ? ' side by side' : ''}, at most ${MAX_MS / 60_000} min each, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`
    )
    // allSettled: one index failing must not leave the other's Orthanc running unattended.
    const settled = PARALLEL
      ? await Promise.allSettled(INDEXES.map((index, i) => runDirect(index, ORTHANC_PORT + i)))
      : []
    const failed = settled.find((r) => r.status === 'rejected')
    if (failed) throw (failed as PromiseRejectedResult).reason
    const results = settled.map(
      (r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof runDirect>>>).value
    )
    if (!PARALLEL) for (const index of INDEXES) results.push(await runDirect(index, ORTHANC_PORT))
    return report(results)
  }
  if (!existsSync(join(ROOT, 'build/bin/server.js')))
    throw new Error('no build/: run `node ace build` first')
  console.log(
    `ingest curve: ${INSTANCES} instances (64×64 CT, ~9 KB), slices of ${SLICE}, ${PER_STUDY} per study, ${BATCH} per request, ${CONCURRENCY} requests in flight, indexes ${INDEXES.join(', ')}, at most ${MAX_MS / 60_000} min each`
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
  ace('migration:run', '--force')
  // The clinic, its patient and the catalogue, without the demo's studies.
  const seedOrthanc = new OrthancProcess({
    name: 'bench-ingest-seed',
    httpPort: ORTHANC_PORT,
    dicomPort: ORTHANC_PORT - 3800,
    password: base.ORTHANC_PASSWORD,
    fresh: true,
  })
  await seedOrthanc.start()
  try {
    ace('demo:seed')
  } finally {
    await seedOrthanc.stop()
  }
  const token = ace('api:token', 'clinic1', '--name', 'bench').trim().split('\n').pop()!.trim()

  const results: Array<Awaited<ReturnType<typeof runIndex>>> = []
  for (const index of INDEXES) results.push(await runIndex(index, token))
  report(results)
}

function report(results: Array<{ slices: Slice[]; loaded: number; stopped: boolean }>) {
  console.log('\n| index | instances | seconds | instances/s |')
  console.log('| --- | --- | ---: | ---: |')
  for (const run of results) {
    for (const s of run.slices)
      console.log(
        `| ${s.index} | ${s.from.toLocaleString('en')}–${s.to.toLocaleString('en')} | ${s.seconds.toFixed(1)} | ${s.perSecond.toFixed(0)} |`
      )
    if (run.stopped)
      console.log(
        `| ${run.slices[0]?.index} | stopped after ${run.loaded.toLocaleString('en')} (time limit) | | |`
      )
  }
  console.log(
    `machine: ${cpus().length} cores (${cpus()[0].model}), ${(totalmem() / 1024 ** 3).toFixed(0)} GB, Node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}, ${new Date().toISOString()}`
  )
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
