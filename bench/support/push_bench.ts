/*
| Shared pieces of the socket push benches (bench/consultation_push.ts,
| bench/two_node_push.ts): the bench database, booting the app in-process for
| seeding, an app server child process, a cookie browser that logs in by the
| form, quantiles and peak RSS. bench/critical_push.ts keeps its own copy.
*/
import 'reflect-metadata'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { Ignitor } from '@adonisjs/core'

export const ROOT = new URL('../../', import.meta.url)
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
export const say = (message: string) =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`)
export const ms = (value: number) => Math.round(value * 10) / 10
/** Wall-clock time in ms with sub-ms precision, comparable across processes of one machine. */
export const epochNow = () => performance.timeOrigin + performance.now()

export function quantile(values: number[], q: number) {
  if (!values.length) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = q * (sorted.length - 1)
  const low = Math.floor(rank)
  return sorted[low] + (sorted[Math.ceil(rank)] - sorted[low]) * (rank - low)
}

export function summary(values: number[]) {
  return {
    n: values.length,
    p50: ms(quantile(values, 0.5)),
    p95: ms(quantile(values, 0.95)),
    p99: ms(quantile(values, 0.99)),
    max: ms(values.length ? values.reduce((a, b) => (b > a ? b : a)) : Number.NaN),
  }
}

export async function prepareDatabase(db: string) {
  const mysql = (await import('mysql2/promise')).default
  const connection = await mysql.createConnection({
    host: process.env.DB_HOST || '127.0.0.1',
    port: Number(process.env.DB_PORT || 3306),
    user: process.env.DB_USER || 'root',
    password: process.env.DB_PASSWORD || '',
  })
  await connection.query(
    `CREATE DATABASE IF NOT EXISTS \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`
  )
  await connection.end()
  const migrated = spawnSync(process.execPath, ['ace.js', 'migration:fresh', '--force'], {
    cwd: ROOT,
    env: process.env,
    stdio: 'inherit',
  })
  if (migrated.status !== 0) throw new Error('migrations failed')
}

export async function bootApp() {
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

export interface AppServer {
  base: string
  child: ChildProcess
}

export async function startServer(port: number, env: Record<string, string> = {}) {
  const child = spawn(
    process.execPath,
    ['--import', 'ts-node-maintained/register/esm', 'bin/server.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    }
  )
  const base = `http://127.0.0.1:${port}`
  // Something already answering there (a server of an earlier run) would be measured instead of ours.
  if (
    await fetch(base + '/login').then(
      () => true,
      () => false
    )
  ) {
    child.kill('SIGKILL')
    throw new Error(`port ${port} is taken by another server`)
  }
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server on ${port} exited`)
    try {
      const response = await fetch(base + '/login')
      if (response.ok) return { base, child }
    } catch {}
    await sleep(250)
  }
  throw new Error(`server on ${port} did not start`)
}

/** SIGTERM, then SIGKILL after 10 s: a server left running would answer the next run on its port. */
export function stopServer(server: AppServer | null, signal: NodeJS.Signals = 'SIGTERM') {
  const child = server?.child
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', () => {
      clearTimeout(force)
      resolve()
    })
    child.kill(signal)
  })
}

/** Peak resident set (VmHWM) and current RSS of a process, in MB (Linux /proc). */
export function memoryOf(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key: string) =>
    Number(status.match(new RegExp(`${key}:\\s+(\\d+)`))?.[1] ?? Number.NaN)
  return { peakRssMb: Math.round(kb('VmHWM') / 1024), rssMb: Math.round(kb('VmRSS') / 1024) }
}

/** fetch with a cookie jar; logs in by the form and reads the CSRF token and socket ticket from pages. */
export class Browser {
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

  /** Logs in by the form; returns the socket ticket the next page carries (the browser's own flow). */
  async login(username: string, password: string, page: string) {
    const form = await (await this.request('GET', '/login')).text()
    const token = form.match(/name=['"]_csrf['"] value=['"]([^'"]+)['"]/)![1]
    const response = await this.request('POST', '/login', {
      form: { username, password, _csrf: token },
    })
    if (response.status !== 302 || response.headers.get('location')?.startsWith('/login'))
      throw new Error(`login failed: ${response.status} ${response.headers.get('location')}`)
    const html = await (await this.request('GET', page)).text()
    const csrf = html.match(/name=['"]_csrf['"] value=['"]([^'"]+)['"]/)
    if (csrf) this.csrf = csrf[1]
    const ticket = html.match(/data-socket-ticket="([^"]+)"/)?.[1]
    if (!ticket) throw new Error(`no socket ticket on ${page} for ${username}`)
    return ticket
  }
}
