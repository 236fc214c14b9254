/*
| A demo county of its own for the crawler: what `npm start` gives a newcomer
| (migrations, `demo:seed`, the server in development mode), in a database
| named after the suite's (`<test db>_crawl`, emptied first) and on a free
| port, with the suite's Orthanc as its archive. DEMO_SIZE=small seeds a
| smaller county made by the same demo modules, so the crawl stays short.
| Scheduled jobs stay off: the suite's Orthanc holds every other test's
| studies too, which this county's feed must not adopt.
*/
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import mysql from 'mysql2/promise'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

async function freePort() {
  return new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port
      server.close(() => resolve(port))
    })
  })
}

function run(args: string[], env: NodeJS.ProcessEnv, log: string[]) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout.on('data', (chunk) => log.push(String(chunk)))
    child.stderr.on('data', (chunk) => log.push(String(chunk)))
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${args.join(' ')} exited ${code}:\n${log.join('').slice(-3000)}`))
    )
  })
}

export interface DemoServer {
  baseUrl: string
  database: string
  db: {
    host?: string
    port?: number
    socketPath?: string
    user?: string
    password?: string
    database: string
  }
  log: string[]
  stop(): Promise<void>
}

export async function startDemoServer(): Promise<DemoServer> {
  const database = `${process.env.DB_DATABASE}_crawl`
  const connection = {
    host: process.env.DB_HOST || '127.0.0.1',
    port: Number(process.env.DB_PORT || 3306),
    ...(process.env.DB_SOCKET_PATH ? { socketPath: process.env.DB_SOCKET_PATH } : {}),
    user: process.env.DB_USER || 'root',
    password: process.env.DB_PASSWORD || '',
  }
  const admin = await mysql.createConnection(connection)
  await admin.query(`DROP DATABASE IF EXISTS \`${database}\``)
  await admin.query(
    `CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`
  )
  await admin.end()

  const port = await freePort()
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    DB_DATABASE: database,
    PORT: String(port),
    HOST: '127.0.0.1',
    SESSION_DRIVER: 'database',
    // A throw-away database of its own: migrated and served as the migration account (bin/up.mjs grants the
    // app's own account on the suite's and the demo's databases only).
    DB_APP_USER: '',
    SCHEDULER_ENABLED: 'false',
    LOG_LEVEL: 'error',
    DEMO_SIZE: 'small',
  }
  const log: string[] = []
  // Its own throw-away database, one process: no lock needed (Lucid's lock on a shared MariaDB sometimes fails to release).
  await run(['ace.js', 'migration:run', '--force', '--disable-locks'], env, log)
  await run(['ace.js', 'demo:seed'], env, log)
  const server: ChildProcess = spawn(
    process.execPath,
    ['--import', 'ts-node-maintained/register/esm', '--enable-source-maps', 'bin/server.ts'],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }
  )
  server.stdout!.on('data', (chunk) => log.push(String(chunk)))
  server.stderr!.on('data', (chunk) => log.push(String(chunk)))
  const baseUrl = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 90_000
  for (;;) {
    if (server.exitCode !== null)
      throw new Error(`the demo server exited ${server.exitCode}:\n${log.join('').slice(-3000)}`)
    const ok = await fetch(baseUrl + '/health').then(
      (r) => r.ok,
      () => false
    )
    if (ok) break
    if (Date.now() > deadline)
      throw new Error(`the demo server did not answer within 90 s:\n${log.join('').slice(-3000)}`)
    await new Promise((r) => setTimeout(r, 300))
  }
  return {
    baseUrl,
    database,
    db: { ...connection, database },
    log,
    async stop() {
      if (server.exitCode !== null) return
      const exited = new Promise((r) => server.once('exit', r))
      server.kill('SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
      if (server.exitCode === null) server.kill('SIGKILL')
    },
  }
}
