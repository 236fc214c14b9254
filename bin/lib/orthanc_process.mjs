/*
| Starts and stops a local Orthanc process from the project's configuration
| (docker/orthanc/orthanc.json). Used by bin/up.mjs for `npm start` / `npm test`
| and by the test suite when it needs extra nodes (centre, member site, backup).
|
| Plain JavaScript with no dependencies: it runs before `npm ci` has finished
| on a fresh machine.
*/
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, openSync } from 'node:fs'
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
        headers: { Authorization: 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64') },
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
 */
export class OrthancProcess {
  constructor(options) {
    this.options = { aet: 'IMAGING_CENTRE', stableAge: 10, fresh: false, overrides: {}, ...options }
    this.home = join(ROOT, 'tmp/orthanc', this.options.name)
    this.child = null
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
    mkdirSync(storage, { recursive: true })
    mkdirSync(join(this.home, 'logs'), { recursive: true })
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
    // Only plugin files that are installed (orthanc-gdcm or orthanc-dicomweb may be missing on a machine without root).
    const plugins = config.Plugins ?? []
    config.Plugins = plugins.filter((file) => existsSync(file))
    for (const missing of plugins.filter((file) => !existsSync(file))) {
      const hint = /DicomWeb/.test(missing) ? 'apt-get install -y orthanc-dicomweb for the viewer' : 'apt-get install -y orthanc-gdcm for JPEG 2000 / JPEG-LS previews'
      console.warn(`[orthanc] plugin ${missing} is not installed; starting without it (${hint})`)
    }
    const file = join(this.home, 'orthanc.json')
    writeFileSync(file, JSON.stringify(config, null, 2))
    return file
  }

  /** Starts the process and waits until its REST API answers. */
  async start({ timeoutMs = 30_000 } = {}) {
    if (!existsSync(ORTHANC_BINARY)) {
      throw new Error(`Orthanc is not installed (${ORTHANC_BINARY}); run: apt-get install -y orthanc`)
    }
    const already = await probeOrthanc(this.credentials)
    if (already?.status === 200) {
      throw new Error(`port ${this.options.httpPort} already answers as Orthanc "${already.system.Name}"`)
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
      const raced = await Promise.race([exited.then((code) => ({ exitCode: code })), sleep(200).then(() => null)])
      if (raced) {
        throw new Error(
          `Orthanc "${this.options.name}" exited with code ${raced.exitCode}; see ${join(this.home, 'logs')}`
        )
      }
      const probe = await probeOrthanc(this.credentials)
      if (probe?.status === 200) return this
    }
    await this.stop()
    throw new Error(`Orthanc "${this.options.name}" did not answer on ${this.url} within ${timeoutMs} ms`)
  }

  /** Stops the process and waits for it to exit (a restarted node needs the SQLite lock released). */
  async stop({ timeoutMs = 15_000 } = {}) {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return
    this.child.kill('SIGTERM')
    const done = await Promise.race([this.exited.then(() => true), sleep(timeoutMs).then(() => false)])
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
