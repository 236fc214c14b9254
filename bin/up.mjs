#!/usr/bin/env node
/*
| One command for everything a fresh machine needs.
|
|   npm start  →  node bin/up.mjs start   install, bring up DB + Orthanc, migrate, seed the demo county, serve :3333
|   npm test   →  node bin/up.mjs test    install, bring up MySQL/MariaDB + a dedicated Orthanc, run the whole suite
|
| Plain JavaScript on purpose: it runs before the dependencies are installed.
| Extra arguments after `npm test --` go to `node ace test` (e.g. `npm test -- unit`).
*/
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

import { withMigrationLock, adviceFor } from './lib/migrate.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const mode = process.argv[2]
// `npm start -- --fresh`: empty the app's database and local Orthanc, then seed a new demo county dated today.
const fresh = mode === 'start' && process.argv.includes('--fresh')
const passThrough = process.argv.slice(3).filter((arg) => !(mode === 'start' && arg === '--fresh'))
if (mode !== 'start' && mode !== 'test') {
  console.error('usage: node bin/up.mjs start|test [-- args for ace test]')
  process.exit(2)
}

const say = (message) => console.log(`\x1b[36m[up]\x1b[0m ${message}`)
const warn = (message) => console.log(`\x1b[33m[up]\x1b[0m ${message}`)
const fail = (message) => {
  console.error(`\x1b[31m[up]\x1b[0m ${message}`)
  process.exit(1)
}
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', ...options })
  if (result.error) throw result.error
  return result.status ?? 1
}

/* ---------------------------------------------------------------- packages */

function ensureNodeModules() {
  // Installed when every dependency named in package.json is present (a content check, so a
  // fresh checkout with an already-filled node_modules does not reinstall).
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })
  const missing = names.filter(
    (name) => !existsSync(join(ROOT, 'node_modules', name, 'package.json'))
  )
  if (missing.length === 0) return
  // `npm install`, not `npm ci`: the lockfile pins every version, but registries that serve only this
  // platform's packages (as on these machines) leave other platforms' optional binaries (@swc/core-darwin-*)
  // out of it, and `npm ci` then refuses the lockfile as out of sync.
  say(
    `installing npm dependencies (missing: ${missing.slice(0, 4).join(', ')}${missing.length > 4 ? '…' : ''}; better-sqlite3 compiles from source here, about a minute)…`
  )
  const status = run('npm', ['install', '--no-audit', '--no-fund'])
  if (status !== 0) fail('installing the npm dependencies failed; see the output above')
}

function aptInstall(packages, why) {
  const missing = packages.filter(([, probe]) => !existsSync(probe)).map(([name]) => name)
  if (missing.length === 0) return
  if (!isRoot) {
    fail(
      `missing system packages (${missing.join(', ')}) needed for ${why}; install them: sudo apt-get install -y ${missing.join(' ')}`
    )
  }
  say(`installing ${missing.join(', ')} with apt (needed for ${why})…`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  let status = run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], {
    env,
  })
  if (status !== 0) {
    run('apt-get', ['update', '-q'], { env })
    status = run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env })
  }
  if (status !== 0) fail(`apt-get install ${missing.join(' ')} failed`)
}

/* --------------------------------------------------------------------- env */

function parseEnvFile(file) {
  const values = {}
  if (!existsSync(file)) return values
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const match = line.match(/^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/)
    if (!match) continue
    values[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2')
  }
  return values
}

/** Writes .env on first run with fresh secrets; never overwrites an existing one. */
function ensureEnvFile() {
  const file = join(ROOT, '.env')
  if (existsSync(file)) return
  const secret = () => randomBytes(32).toString('base64url')
  const template = readFileSync(join(ROOT, '.env.example'), 'utf8')
    .replace(/^APP_KEY=.*$/m, `APP_KEY=${secret()}`)
    .replace(/^PATIENT_ID_HASH_KEY=.*$/m, `PATIENT_ID_HASH_KEY=${secret()}`)
    .replace(/^ORTHANC_PASSWORD=.*$/m, `ORTHANC_PASSWORD=${secret()}`)
  writeFileSync(file, template, { mode: 0o600 })
  say('wrote .env with newly generated secrets (APP_KEY, PATIENT_ID_HASH_KEY, ORTHANC_PASSWORD)')
}

/* ---------------------------------------------------------------- database */

async function probeMysql(env) {
  const mysql = (await import('mysql2/promise')).default
  const attempts = [
    { host: env.DB_HOST || '127.0.0.1', port: Number(env.DB_PORT || 3306) },
    ...(env.DB_SOCKET_PATH ? [{ socketPath: env.DB_SOCKET_PATH }] : []),
    ...(!env.DB_SOCKET_PATH &&
    existsSync('/run/mysqld/mysqld.sock') &&
    ['127.0.0.1', 'localhost'].includes(env.DB_HOST || '127.0.0.1')
      ? [{ socketPath: '/run/mysqld/mysqld.sock' }]
      : []),
  ]
  let lastError = null
  for (const target of attempts) {
    try {
      const connection = await mysql.createConnection({
        ...target,
        user: env.DB_USER || 'root',
        password: env.DB_PASSWORD || '',
        connectTimeout: 2000,
      })
      const database = env.DB_DATABASE
      await connection.query(
        `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`
      )
      const [[row]] = await connection.query('SELECT VERSION() AS version')
      await connection.end()
      return { ok: true, version: row.version, socketPath: target.socketPath }
    } catch (error) {
      lastError = error
    }
  }
  return { ok: false, error: lastError }
}

async function startLocalMariadb() {
  const daemon = '/usr/sbin/mariadbd'
  aptInstall([['mariadb-server', daemon]], 'the test suite (it runs against real MySQL/MariaDB)')
  say('starting MariaDB…')
  // As root mariadbd refuses to start without --user=mysql (SETUP-NOTES).
  run('start-stop-daemon', [
    '--start',
    '--oknodo',
    '--background',
    '--exec',
    daemon,
    '--',
    '--user=mysql',
  ])
}

async function chooseDatabase(env) {
  const wantsSqlite = env.DB_CONNECTION === 'sqlite'
  if (wantsSqlite && mode === 'start') {
    say(`database: SQLite file ${env.SQLITE_FILE || 'tmp/imaging.sqlite3'} (DB_CONNECTION=sqlite)`)
    return { DB_CONNECTION: 'sqlite' }
  }
  let probe = await probeMysql(env)
  if (!probe.ok && mode === 'test') {
    const local = ['127.0.0.1', 'localhost', undefined, ''].includes(env.DB_HOST)
    if (!local)
      fail(`MySQL at ${env.DB_HOST}:${env.DB_PORT} is not reachable: ${probe.error?.message}`)
    await startLocalMariadb()
    for (let i = 0; i < 60 && !probe.ok; i++) {
      await sleep(500)
      probe = await probeMysql(env)
    }
    if (!probe.ok) fail(`MariaDB did not come up: ${probe.error?.message}`)
  }
  if (probe.ok) {
    say(
      `database: MySQL/MariaDB ${probe.version} at ${probe.socketPath || `${env.DB_HOST}:${env.DB_PORT}`}, database "${env.DB_DATABASE}"`
    )
    return {
      DB_CONNECTION: 'mysql',
      ...(probe.socketPath ? { DB_SOCKET_PATH: probe.socketPath } : {}),
    }
  }
  warn(
    `MySQL/MariaDB at ${env.DB_HOST}:${env.DB_PORT} is not reachable (${probe.error?.code || probe.error?.message}).`
  )
  warn(
    `Falling back to an embedded SQLite database in tmp/imaging.sqlite3 — fine for trying the app, not for production.`
  )
  warn('Set DB_HOST/DB_PORT/DB_USER/DB_PASSWORD/DB_DATABASE in .env to use MySQL/MariaDB.')
  mkdirSync(join(ROOT, 'tmp'), { recursive: true })
  return { DB_CONNECTION: 'sqlite' }
}

/* ----------------------------------------------------------------- Orthanc */

/**
 * Orthanc's index: PostgreSQL when one answers (ORTHANC_INDEX=auto, the default) or when asked
 * (ORTHANC_INDEX=postgresql, then it must answer), else SQLite (ORTHANC_INDEX=sqlite forces it).
 * One database per checkout, named from DB_DATABASE (orthanc_<db>, the suite's orthanc_<db>_test),
 * so parallel checkouts never share an index.
 */
function chooseOrthancIndex(env, { probePostgres, postgresDatabaseName, POSTGRESQL_INDEX_PLUGIN }) {
  const wanted = (env.ORTHANC_INDEX || 'auto').toLowerCase()
  if (wanted === 'sqlite') {
    say('Orthanc index: SQLite (ORTHANC_INDEX=sqlite)')
    return null
  }
  const target = {
    host: env.ORTHANC_PG_HOST || '127.0.0.1',
    port: Number(env.ORTHANC_PG_PORT || 5432),
    user: env.ORTHANC_PG_USER || 'postgres',
    password: env.ORTHANC_PG_PASSWORD || '',
    database: postgresDatabaseName(env.ORTHANC_PG_DATABASE || `orthanc_${env.DB_DATABASE}`),
  }
  if (!existsSync(POSTGRESQL_INDEX_PLUGIN)) {
    if (wanted === 'postgresql')
      aptInstall(
        [['orthanc-postgresql', POSTGRESQL_INDEX_PLUGIN]],
        "Orthanc's PostgreSQL index (ORTHANC_INDEX=postgresql)"
      )
    else {
      warn(
        'Orthanc index: SQLite (the PostgreSQL index plugin is not installed: apt-get install -y orthanc-postgresql)'
      )
      return null
    }
  }
  const probe = probePostgres(target)
  if (!probe.ok) {
    if (wanted === 'postgresql')
      fail(
        `ORTHANC_INDEX=postgresql but PostgreSQL at ${target.host}:${target.port} does not answer: ${probe.error}`
      )
    warn(
      `Orthanc index: SQLite — PostgreSQL at ${target.host}:${target.port} is not reachable (${probe.error}); fine for trying the app, not for a county's archive.`
    )
    return null
  }
  say(
    `Orthanc index: PostgreSQL ${probe.version} at ${target.host}:${target.port}, database "${target.database}"`
  )
  return target
}

async function ensureOrthanc(env, orthanc) {
  const { OrthancProcess, probeOrthanc } = orthanc
  const credentials = {
    url: env.ORTHANC_URL,
    username: env.ORTHANC_USERNAME,
    password: env.ORTHANC_PASSWORD,
  }
  const probe = await probeOrthanc(credentials)
  if (probe?.status === 200 && mode === 'start') {
    if (fresh)
      warn(
        `--fresh: the Orthanc at ${env.ORTHANC_URL} was not started by npm start, so its studies stay; the database is emptied`
      )
    say(
      `Orthanc: using the one already running at ${env.ORTHANC_URL} ("${probe.system.Name}", ${probe.system.Version})`
    )
    return null
  }
  if (probe?.status === 401) {
    fail(
      `an Orthanc at ${env.ORTHANC_URL} refuses our credentials; stop it or set ORTHANC_PASSWORD to its password`
    )
  }
  if (probe?.status === 200 && mode === 'test') {
    fail(
      `an Orthanc already answers at ${env.ORTHANC_URL}; the suite needs its own (set TEST_ORTHANC_HTTP_PORT to a free port)`
    )
  }
  aptInstall(
    [
      ['orthanc', '/usr/sbin/Orthanc'],
      // decodes JPEG 2000 and JPEG-LS (lossless studies in those syntaxes are accepted and must display)
      ['orthanc-gdcm', '/usr/share/orthanc/plugins/libOrthancGdcm.so'],
      // DICOMweb for the reading viewer (OHIF), reached only through the app's /dicomweb proxy
      ['orthanc-dicomweb', '/usr/share/orthanc/plugins/libOrthancDicomWeb.so'],
    ],
    'the DICOM store'
  )
  const url = new URL(env.ORTHANC_URL)
  const postgres = chooseOrthancIndex(env, orthanc)
  const node = new OrthancProcess({
    postgres,
    name:
      mode === 'test'
        ? `test-${url.port}`
        : url.port && url.port !== '8042'
          ? `centre-${url.port}`
          : 'centre',
    httpPort: Number(url.port || 8042),
    dicomPort: Number(env.ORTHANC_DICOM_PORT || 4242),
    aet: env.ORTHANC_AET || 'IMAGING_CENTRE',
    password: env.ORTHANC_PASSWORD,
    // Tests want stable studies quickly; a clinic's DR sends slowly, so production waits longer.
    stableAge: mode === 'test' ? 2 : Number(env.ORTHANC_STABLE_AGE || 10),
    fresh: mode === 'test' || fresh,
  })
  say(
    `starting Orthanc on 127.0.0.1:${node.options.httpPort} (DICOM port ${node.options.dicomPort}, files in ${node.home}, index ${node.index})…`
  )
  await node.start()
  return node
}

/* -------------------------------------------------------------- migrations */

function mysqlTarget(env) {
  return env.DB_SOCKET_PATH
    ? {
        socketPath: env.DB_SOCKET_PATH,
        user: env.DB_USER || 'root',
        password: env.DB_PASSWORD || '',
      }
    : {
        host: env.DB_HOST,
        port: Number(env.DB_PORT),
        user: env.DB_USER || 'root',
        password: env.DB_PASSWORD || '',
      }
}

/** Lucid's lock is off: ours is held on one connection for the whole run (bin/lib/migrate.mjs says why). */
async function migrate(env, ace) {
  if (env.DB_CONNECTION !== 'mysql') {
    const code = await ace(['migration:run', '--force'])
    return { code, reason: code === 0 ? null : 'migration_failed' }
  }
  return withMigrationLock(
    mysqlTarget(env),
    env.DB_DATABASE,
    () => ace(['migration:run', '--force', '--disable-locks']),
    { say }
  )
}

async function emptyDatabase(env) {
  if (env.DB_CONNECTION === 'mysql') {
    const mysql = (await import('mysql2/promise')).default
    const connection = await mysql.createConnection(mysqlTarget(env))
    say(`--fresh: emptying the database "${env.DB_DATABASE}"…`)
    await connection.query(`DROP DATABASE IF EXISTS \`${env.DB_DATABASE}\``)
    await connection.query(
      `CREATE DATABASE \`${env.DB_DATABASE}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`
    )
    await connection.end()
  } else {
    const file = join(ROOT, env.SQLITE_FILE || 'tmp/imaging.sqlite3')
    say(`--fresh: removing ${file}…`)
    rmSync(file, { force: true })
  }
}

/* ------------------------------------------------------- database accounts */

/*
| MLPS 8.1.4.2 / the audit log's protection: the app connects with its own account, which may read and
| write rows but not change the schema (no DROP, ALTER, TRIGGER, TRUNCATE) and may not UPDATE audit lines;
| migrations keep DB_USER. Re-granted table by table after every migration run (new tables included).
| The password is kept in .env (DB_APP_PASSWORD, generated once). Returns the env for the app's processes.
*/
async function ensureAppAccount(env) {
  if (env.DB_CONNECTION !== 'mysql' || env.DB_APP_ACCOUNT === 'off') return {}
  let password = env.DB_APP_PASSWORD
  if (!password) {
    password = randomBytes(24).toString('base64url')
    writeFileSync(
      join(ROOT, '.env'),
      `${readFileSync(join(ROOT, '.env'), 'utf8').replace(/\n?$/, '\n')}DB_APP_PASSWORD=${password}\n`,
      { mode: 0o600 }
    )
  }
  const user = `${env.DB_DATABASE}_app`.slice(0, 80)
  const mysql = (await import('mysql2/promise')).default
  const connection = await mysql.createConnection({
    ...mysqlTarget(env),
    database: env.DB_DATABASE,
  })
  try {
    const [tables] = await connection.query("SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'")
    const names = tables.map((row) => Object.values(row)[0])
    for (const host of ['localhost', '%']) {
      await connection.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [
        user,
        host,
        password,
      ])
      await connection.query('ALTER USER ?@? IDENTIFIED BY ?', [user, host, password])
      await connection.query('REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@?', [user, host])
      for (const table of names) {
        const rights =
          table === 'audit_events'
            ? 'SELECT, INSERT, DELETE'
            : table.startsWith('adonis_schema')
              ? 'SELECT'
              : 'SELECT, INSERT, UPDATE, DELETE'
        await connection.query(`GRANT ${rights} ON \`${env.DB_DATABASE}\`.\`${table}\` TO ?@?`, [
          user,
          host,
        ])
      }
    }
  } finally {
    await connection.end()
  }
  say(`database account for the app: ${user} (rows only; migrations as ${env.DB_USER || 'root'})`)
  return { DB_APP_USER: user, DB_APP_PASSWORD: password }
}

/* -------------------------------------------------------------------- main */

const children = new Set()
let orthancNode = null
let stopping = false

async function shutdown(code) {
  if (stopping) return
  stopping = true
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM')
  await Promise.all(
    [...children].map((child) =>
      child.exitCode === null ? new Promise((r) => child.once('exit', r)) : null
    )
  )
  if (orthancNode) {
    say('stopping Orthanc…')
    await orthancNode.stop()
  }
  process.exit(code)
}
process.on('SIGINT', () => shutdown(130))
process.on('SIGTERM', () => shutdown(143))

function spawnChild(args, env) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: 'inherit' })
  children.add(child)
  return new Promise((r) => child.once('exit', (code, signal) => r(code ?? (signal ? 1 : 0))))
}

async function main() {
  const major = Number(process.versions.node.split('.')[0])
  const minor = Number(process.versions.node.split('.')[1])
  if (major < 20 || (major === 20 && minor < 6))
    fail(`Node ${process.versions.node} is too old: Node ≥ 20.6 is needed`)

  ensureNodeModules()
  ensureEnvFile()
  if (mode === 'test') {
    aptInstall(
      [
        ['orthanc-gdcm', '/usr/share/orthanc/plugins/libOrthancGdcm.so'],
        ['orthanc-dicomweb', '/usr/share/orthanc/plugins/libOrthancDicomWeb.so'],
      ],
      "JPEG 2000 / JPEG-LS previews and the viewer's DICOMweb (the suite checks both)"
    )
    aptInstall(
      [
        ['dcmtk', '/usr/bin/storescu'],
        ['chromium', '/usr/bin/chromium'],
        ['fonts-wqy-microhei', '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc'],
        ['poppler-utils', '/usr/bin/pdftotext'],
        ['docker-compose', '/usr/bin/docker-compose'],
      ],
      'the test suite (storescu for C-STORE, Chromium for browser tests, a CJK font and pdftotext for PDF reports, docker-compose to validate docker/)'
    )
  } else {
    aptInstall(
      [
        ['dcmtk', '/usr/bin/storescu'],
        ['fonts-wqy-microhei', '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc'],
      ],
      'the demo county (storescu sends some studies by DICOM C-STORE) and printable PDF reports (a CJK font)'
    )
  }

  const fileEnv = parseEnvFile(join(ROOT, '.env'))
  const env = { ...fileEnv, ...process.env }
  env.TZ = 'UTC'
  env.NODE_ENV = mode === 'test' ? 'test' : env.NODE_ENV || 'development'
  env.DB_HOST ||= '127.0.0.1'
  env.DB_PORT ||= '3306'
  env.DB_DATABASE ||= 'imaging'
  if (mode === 'test') {
    // The suite gets its own database and its own Orthanc, so it never touches the demo county.
    env.DB_DATABASE = env.TEST_DB_DATABASE || `${env.DB_DATABASE}_test`
    const httpPort = Number(env.TEST_ORTHANC_HTTP_PORT || 8043)
    env.ORTHANC_URL = `http://127.0.0.1:${httpPort}`
    // 8043 → 4343: not 4243, which is the demo county's worklist SCP (its Orthanc's 4242 + 1), so `npm start`
    // and `npm test` can run side by side.
    env.ORTHANC_DICOM_PORT = env.TEST_ORTHANC_DICOM_PORT || String(httpPort - 3700)
    env.PORT = env.TEST_PORT || '3334'
    // The test client (loginAs, CSRF, flash assertions) shares the in-process memory store with the server;
    // the crawler's demo server runs on the database store.
    env.SESSION_DRIVER = 'memory'
    // The suite's requests run inside each test's global transaction; the limiter's database store kept a
    // connection of a finished one and later logins answered 500. Its counting is the same in memory.
    env.LIMITER_STORE ||= 'memory'
    // The suite logs in hundreds of times from one address; the login rate-limit tests set their own limits.
    env.LOGIN_RATE_PER_IP ||= '100000'
    env.LOGIN_RATE_PER_ACCOUNT ||= '100000'
    env.LOG_LEVEL = env.TEST_LOG_LEVEL || 'error'
    env.SCHEDULER_ENABLED = 'false'
  } else {
    env.ORTHANC_URL ||= 'http://127.0.0.1:8042'
  }
  env.ORTHANC_USERNAME ||= 'imaging-app'

  Object.assign(env, await chooseDatabase(env))
  const orthanc = await import('./lib/orthanc_process.mjs')
  orthancNode = await ensureOrthanc(env, orthanc)

  const ace = (args) => spawnChild(['ace.js', ...args], env)
  const context = { database: env.DB_DATABASE, connection: env.DB_CONNECTION, mode }
  if (fresh) await emptyDatabase(env)
  say('running migrations…')
  const migrated = await migrate(env, ace)
  if (migrated.code !== 0) {
    warn(adviceFor(migrated.reason === 'lock_timeout' ? 'lock_timeout' : 'migrations', context))
    return shutdown(1)
  }
  Object.assign(env, await ensureAppAccount(env))

  if (mode === 'test' && passThrough.length === 0) {
    // The whole suite starts with the checks that need no database: types, lint and format (a targeted run skips them).
    say('type check (tsc --noEmit), lint (eslint) and format (prettier --check)…')
    if ((await spawnChild(['node_modules/typescript/bin/tsc', '--noEmit'], env)) !== 0)
      return shutdown(1)
    if ((await spawnChild(['node_modules/eslint/bin/eslint.js', '.'], env)) !== 0)
      return shutdown(1)
    // The same files as `npm run format:check` (package.json), so the two never disagree.
    const formatted = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
      .scripts['format:check'].split(' ')
      .slice(2)
      .map((glob) => glob.replace(/^"|"$/g, ''))
    const prettier = ['node_modules/prettier/bin/prettier.cjs', '--check', '--log-level', 'warn']
    if ((await spawnChild([...prettier, ...formatted], env)) !== 0) return shutdown(1)
  }
  if (mode === 'test') {
    say(
      `running the suite against ${env.DB_CONNECTION} "${env.DB_DATABASE}" and Orthanc ${env.ORTHANC_URL}…`
    )
    const code = await ace(['test', ...passThrough])
    if (code !== 0 || passThrough.length > 0) return shutdown(code)
    // The date-sensitive files once more with the Node process in another time zone than UTC (the hospital's
    // day must come from the configured zone, never from the machine's): a few seconds.
    say('running the date-sensitive tests again with TZ=America/New_York…')
    const zoned = await spawnChild(
      [
        'ace.js',
        'test',
        '--files=tests/functional/time_of_day.spec.ts',
        '--files=tests/unit/intake_rules.spec.ts',
      ],
      { ...env, TZ: 'America/New_York' }
    )
    return shutdown(zoned)
  }

  if ((await ace(['demo:seed'])) !== 0) {
    warn(adviceFor('seed', context))
    return shutdown(1)
  }
  say(
    `serving the app at http://localhost:${env.PORT || 3333} — Ctrl-C stops it${orthancNode ? ' and Orthanc' : ''}`
  )
  const code = await spawnChild(
    ['--import', 'ts-node-maintained/register/esm', '--enable-source-maps', 'bin/server.ts'],
    env
  )
  return shutdown(code)
}

main().catch((error) => {
  console.error(error)
  shutdown(1)
})
