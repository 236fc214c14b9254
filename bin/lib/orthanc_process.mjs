/*
| Starts and stops a local Orthanc process from the project's configuration
| (docker/orthanc/orthanc.json). Used by bin/up.mjs for `npm start` / `npm test`
| and by the test suite when it needs extra nodes (centre, member site, backup).
|
| Plain JavaScript with no dependencies: it runs before `npm ci` has finished
| on a fresh machine.
*/
import { spawn, spawnSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  openSync,
} from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import http from 'node:http'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const ORTHANC_BINARY = process.env.ORTHANC_BINARY || '/usr/sbin/Orthanc'
export const BASE_CONFIG = join(ROOT, 'docker/orthanc/orthanc.json')

/** GET /system with basic auth; resolves to the parsed body or null when not answering. */
export function probeOrthanc({ url, username, password, timeoutMs = 1500 }) {
  return new Promise((resolvePromise) => {
    const target = new URL('/system', url)
    const request = http.get(
      target,
      {
        timeout: timeoutMs,
        headers: {
          Authorization: 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64'),
        },
      },
      (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk) => (body += chunk))
        response.on('end', () => {
          if (response.statusCode !== 200) return resolvePromise({ status: response.statusCode })
          try {
            resolvePromise({ status: 200, system: JSON.parse(body) })
          } catch {
            resolvePromise(null)
          }
        })
      }
    )
    request.on('timeout', () => request.destroy())
    request.on('error', () => resolvePromise(null))
  })
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

export const POSTGRESQL_INDEX_PLUGIN = '/usr/share/orthanc/plugins/libOrthancPostgreSQLIndex.so'

/** A PostgreSQL database name from any text (e.g. "orthanc_" + DB_DATABASE): lower case, [a-z0-9_], ≤ 63 bytes. */
export function postgresDatabaseName(text) {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 63)
}

function psql(target, database, sql) {
  return spawnSync(
    'psql',
    [
      '-h',
      target.host,
      '-p',
      String(target.port),
      '-U',
      target.user,
      '-d',
      database,
      '-v',
      'ON_ERROR_STOP=1',
      '-Atqc',
      sql,
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, PGPASSWORD: target.password ?? '', PGCONNECT_TIMEOUT: '2' },
    }
  )
}

/**
 * Is a PostgreSQL server answering with these credentials (psql, so no npm dependency)?
 * @returns {{ ok: boolean, version?: string, error?: string }}
 */
export function probePostgres(target) {
  const result = psql(target, 'postgres', 'SHOW server_version')
  if (result.error)
    return {
      ok: false,
      error:
        result.error.code === 'ENOENT'
          ? 'psql is not installed (apt-get install -y postgresql-client)'
          : result.error.message,
    }
  if (result.status !== 0) return { ok: false, error: (result.stderr || '').trim().split('\n')[0] }
  return { ok: true, version: result.stdout.trim() }
}

/** Creates the index database if missing; `fresh` drops it first (closing what is still connected). */
export function preparePostgresDatabase(target, database, { fresh = false } = {}) {
  if (!/^[a-z0-9_]+$/.test(database))
    throw new Error(`unsafe PostgreSQL database name: ${database}`)
  if (fresh) {
    const dropped = psql(target, 'postgres', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
    if (dropped.status !== 0)
      throw new Error(`dropping PostgreSQL database ${database} failed: ${dropped.stderr}`)
  }
  const exists = psql(target, 'postgres', `SELECT 1 FROM pg_database WHERE datname = '${database}'`)
  if (exists.status !== 0)
    throw new Error(`PostgreSQL at ${target.host}:${target.port}: ${exists.stderr}`)
  if (exists.stdout.trim() !== '1') {
    const created = psql(
      target,
      'postgres',
      `CREATE DATABASE ${database} ENCODING 'UTF8' TEMPLATE template0`
    )
    if (created.status !== 0 && !/already exists/.test(created.stderr))
      throw new Error(`creating PostgreSQL database ${database} failed: ${created.stderr}`)
  }
}

/**
 * The index settings (docs/deployment.md says why each):
 * - IndexConnectionsCount 5: the HTTP threads store in parallel instead of queueing on one connection
 *   (plugin ≥ 4.0 runs several index transactions at once); 5 is what the Orthanc book suggests to start with.
 * - Lock true: one Orthanc per index database (as SQLite's file lock does); a second process sharing it
 *   must be configured for it on purpose.
 * - MaximumConnectionRetries / ConnectionRetryInterval: a restarting PostgreSQL is waited for, not fatal.
 */
export function postgresIndexConfig(target, database) {
  return {
    EnableIndex: true,
    EnableStorage: false,
    Host: target.host,
    Port: Number(target.port),
    Database: database,
    Username: target.user,
    Password: target.password ?? '',
    Lock: true,
    IndexConnectionsCount: 5,
    MaximumConnectionRetries: 10,
    ConnectionRetryInterval: 5,
  }
}

/**
 * A local Orthanc node.
 * @param {object} options
 * @param {string} options.name       node name, also the folder under tmp/orthanc/
 * @param {number} options.httpPort
 * @param {number} options.dicomPort
 * @param {string} options.password   password of the `imaging-app` HTTP user
 * @param {string} [options.aet]      the node's own AE title
 * @param {number} [options.stableAge] seconds before a study is "stable"
 * @param {boolean} [options.fresh]   wipe the node's storage before starting
 * @param {object} [options.overrides] extra configuration keys
 * @param {{host: string, port: number, user: string, password?: string, database: string}} [options.postgres]
 *   keep the index in this PostgreSQL database (Orthanc's PostgreSQL plugin) instead of SQLite;
 *   `fresh` then empties that database too
 */
export class OrthancProcess {
  constructor(options) {
    this.options = {
      aet: 'IMAGING_CENTRE',
      stableAge: 10,
      fresh: false,
      overrides: {},
      postgres: null,
      ...options,
    }
    this.home = join(ROOT, 'tmp/orthanc', this.options.name)
    this.child = null
  }

  /** "PostgreSQL <database>" or "SQLite" */
  get index() {
    return this.options.postgres
      ? `PostgreSQL ${this.options.postgres.database} at ${this.options.postgres.host}:${this.options.postgres.port}`
      : 'SQLite'
  }

  get url() {
    return `http://127.0.0.1:${this.options.httpPort}`
  }

  get credentials() {
    return { url: this.url, username: 'imaging-app', password: this.options.password }
  }

  writeConfig() {
    const storage = join(this.home, 'storage')
    if (this.options.fresh) rmSync(storage, { recursive: true, force: true })
    // Owner-only (MLPS 8.1.4.4 / C 8.5): the configuration holds the REST password and the storage holds
    // patients' images; no other local account may read either. mkdir's mode does not change an existing
    // directory, hence the chmods.
    mkdirSync(storage, { recursive: true, mode: 0o700 })
    mkdirSync(join(this.home, 'logs'), { recursive: true, mode: 0o700 })
    for (const dir of [this.home, storage, join(this.home, 'logs')]) chmodSync(dir, 0o700)
    const config = JSON.parse(readFileSync(BASE_CONFIG, 'utf8'))
    Object.assign(config, {
      Name: this.options.name,
      StorageDirectory: storage,
      IndexDirectory: storage,
      HttpPort: this.options.httpPort,
      DicomPort: this.options.dicomPort,
      DicomAet: this.options.aet,
      StableAge: this.options.stableAge,
      RegisteredUsers: { 'imaging-app': this.options.password },
      ...this.options.overrides,
    })
    if (this.options.postgres) {
      config.Plugins = [...(config.Plugins ?? []), POSTGRESQL_INDEX_PLUGIN]
      config.PostgreSQL = postgresIndexConfig(this.options.postgres, this.options.postgres.database)
    }
    // Only plugin files that are installed (orthanc-gdcm or orthanc-dicomweb may be missing on a machine without root).
    const plugins = config.Plugins ?? []
    config.Plugins = plugins.filter((file) => existsSync(file))
    for (const missing of plugins.filter((file) => !existsSync(file))) {
      const hint = /DicomWeb/.test(missing)
        ? 'apt-get install -y orthanc-dicomweb for the viewer'
        : 'apt-get install -y orthanc-gdcm for JPEG 2000 / JPEG-LS previews'
      console.warn(`[orthanc] plugin ${missing} is not installed; starting without it (${hint})`)
    }
    const file = join(this.home, 'orthanc.json')
    writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 })
    chmodSync(file, 0o600)
    return file
  }

  /** Starts the process and waits until its REST API answers. */
  async start({ timeoutMs = 30_000 } = {}) {
    if (!existsSync(ORTHANC_BINARY)) {
      throw new Error(
        `Orthanc is not installed (${ORTHANC_BINARY}); run: apt-get install -y orthanc`
      )
    }
    const already = await probeOrthanc(this.credentials)
    if (already?.status === 200) {
      throw new Error(
        `port ${this.options.httpPort} already answers as Orthanc "${already.system.Name}"`
      )
    }
    if (this.options.postgres) {
      if (!existsSync(POSTGRESQL_INDEX_PLUGIN))
        throw new Error(
          'the PostgreSQL index plugin is not installed: apt-get install -y orthanc-postgresql'
        )
      preparePostgresDatabase(this.options.postgres, this.options.postgres.database, {
        fresh: this.options.fresh,
      })
    }
    const configFile = this.writeConfig()
    const log = openSync(join(this.home, 'logs', 'stdout.log'), 'a')
    // TCP_NODELAY: DICOM C-STORE goes from ~20 to ~225 instances/s (SETUP-NOTES).
    this.child = spawn(ORTHANC_BINARY, [`--logdir=${join(this.home, 'logs')}`, configFile], {
      env: { ...process.env, TCP_NODELAY: '1' },
      stdio: ['ignore', log, log],
      detached: false,
    })
    const exited = new Promise((r) => this.child.once('exit', (code) => r(code)))
    this.exited = exited
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const raced = await Promise.race([
        exited.then((code) => ({ exitCode: code })),
        sleep(200).then(() => null),
      ])
      if (raced) {
        throw new Error(
          `Orthanc "${this.options.name}" exited with code ${raced.exitCode}; see ${join(this.home, 'logs')}`
        )
      }
      const probe = await probeOrthanc(this.credentials)
      if (probe?.status === 200) return this
    }
    await this.stop()
    throw new Error(
      `Orthanc "${this.options.name}" did not answer on ${this.url} within ${timeoutMs} ms`
    )
  }

  /** Stops the process and waits for it to exit (a restarted node needs the SQLite lock released). */
  async stop({ timeoutMs = 15_000 } = {}) {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return
    this.child.kill('SIGTERM')
    const done = await Promise.race([
      this.exited.then(() => true),
      sleep(timeoutMs).then(() => false),
    ])
    if (!done) {
      this.child.kill('SIGKILL')
      await this.exited
    }
  }

  /** Pauses the process (SIGSTOP): it keeps its sockets open and answers nothing, like a hung server. */
  pause() {
    if (this.child?.pid) process.kill(this.child.pid, 'SIGSTOP')
  }

  resume() {
    if (this.child?.pid) process.kill(this.child.pid, 'SIGCONT')
  }

  async restart() {
    await this.stop()
    this.options.fresh = false
    return this.start()
  }
}
