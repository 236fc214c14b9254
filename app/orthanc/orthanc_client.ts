import http from 'node:http'
import type { Readable } from 'node:stream'
import axios, { type AxiosInstance, type AxiosError } from 'axios'

/*
| The one place that speaks HTTP to Orthanc (like Orthanc Explorer 2's
| orthancApi). Everything else in the app calls these typed methods, so a
| change of Orthanc version, authentication or deployment is made here.
*/

export interface OrthancConnection {
  url: string
  username: string
  password: string
  /** ms; uploads of large instances pass their own, longer timeout */
  timeoutMs?: number
  deadlines?: Partial<OrthancDeadlines>
}

/**
 * How long each kind of call may wait on Orthanc. Every call has one: a hung
 * Orthanc (paused, deadlocked, its disk stalled) must give a clear "store
 * unavailable" within seconds, never a request that hangs. The idle deadlines
 * count from the last byte that moved either way, so a large upload or
 * download that keeps moving is never cut.
 */
export interface OrthancDeadlines {
  /** TCP connect */
  connectMs: number
  /** metadata calls: system, changes, studies, series, instances, find */
  callMs: number
  /** rendering a preview or a frame (JPEG 2000 decoding can take a while) */
  renderMs: number
  /** storing an instance: idle while the body streams and while Orthanc writes it */
  storeIdleMs: number
  /** reading or copying whole files between nodes (idle) */
  transferIdleMs: number
}

export const DEFAULT_DEADLINES: OrthancDeadlines = {
  connectMs: 3_000,
  callMs: 10_000,
  renderMs: 20_000,
  storeIdleMs: 30_000,
  transferIdleMs: 60_000,
}

export interface OrthancSystem {
  Name: string
  Version: string
  ApiVersion: number
  DicomAet: string
  DicomPort: number
  HttpPort: number
}

export interface OrthancStatistics {
  CountInstances: number
  CountSeries: number
  CountStudies: number
  CountPatients: number
  TotalDiskSize: string
  TotalDiskSizeMB: number
}

export type StoreStatus = 'Success' | 'AlreadyStored'

export interface StoredInstance {
  ID: string
  ParentPatient: string
  ParentStudy: string
  ParentSeries: string
  Path: string
  Status: StoreStatus
}

export interface OrthancChange {
  ChangeType: string
  Date: string
  ID: string
  Path: string
  ResourceType: 'Instance' | 'Series' | 'Study' | 'Patient'
  Seq: number
}

export interface OrthancChangesPage {
  Changes: OrthancChange[]
  Done: boolean
  Last: number
}

export interface OrthancStudy {
  ID: string
  IsStable: boolean
  LastUpdate: string
  MainDicomTags: Record<string, string>
  PatientMainDicomTags: Record<string, string>
  ParentPatient: string
  Series: string[]
}

export interface OrthancSeries {
  ID: string
  IsStable: boolean
  MainDicomTags: Record<string, string>
  ParentStudy: string
  Instances: string[]
  ExpectedNumberOfInstances: number | null
  Status: string
}

export interface OrthancInstance {
  ID: string
  FileSize: number
  FileUuid: string
  IndexInSeries: number | null
  MainDicomTags: Record<string, string>
  ParentSeries: string
}

/** Orthanc's own metadata on an instance: where it came from (RemoteAET for C-STORE). */
export interface OrthancInstanceMetadata {
  Origin?: 'DicomProtocol' | 'RestApi' | 'Plugins' | 'Lua' | 'WebDav' | 'Unknown'
  RemoteAET?: string
  RemoteIP?: string
  CalledAET?: string
  ReceptionDate?: string
  TransferSyntax?: string
  SopClassUid?: string
  [key: string]: string | undefined
}

/** One element of a DICOM JSON dataset (PS3.18 F.2). */
export interface DicomJsonElement {
  vr: string
  Value?: unknown[]
  BulkDataURI?: string
  InlineBinary?: string
}

export interface OrthancModality {
  AET: string
  Host: string
  Port: number
  Manufacturer?: string
  AllowEcho?: boolean
  AllowStore?: boolean
  AllowFind?: boolean
  AllowMove?: boolean
  AllowGet?: boolean
}

export interface RenderOptions {
  /** CT window, e.g. lung: centre -600, width 1500 */
  windowCenter?: number
  windowWidth?: number
  width?: number
  height?: number
}

export interface ImageStream {
  contentType: string
  stream: Readable
}

/** A request to Orthanc's DICOMweb plugin, by a path the caller has already checked segment by segment. */
export interface DicomWebRequest {
  /** below the plugin's root, e.g. `studies/1.2.3/series/1.2.3.4/metadata` or `wado` (WADO-URI) */
  path: string
  query?: Record<string, string | string[]>
  /** the browser's Accept header (multipart/related; type=…, transfer-syntax=…) */
  accept?: string
  /**
   * The host and scheme the browser used to reach the app: Orthanc writes its
   * own URLs (RetrieveURL, BulkDataURI) from the `Forwarded` header, so they
   * name the app's proxy and never Orthanc's port.
   */
  publicHost: string
  publicProto: 'http' | 'https'
}

/** Orthanc's DICOMweb answer, not yet read: the body is streamed through as it comes. */
export interface DicomWebAnswer {
  status: number
  contentType: string | null
  contentLength: number | null
  stream: Readable
}

/**
 * Query parameters as Orthanc's DICOMweb plugin reads them: it does not
 * percent-decode argument values (1.10 / DICOMweb 1.7: `PatientName=%2A`
 * matches nothing, `contentType=application%2Fdicom` is refused), so the
 * characters QIDO and WADO-URI use (`*`, `?`, `^`, `,`, `/`, `:`) go as they are
 * (a `?` inside the query is allowed by RFC 3986 §3.4; encoded, it would be
 * matched as the three characters `%3F`);
 * only what would break the URL is encoded.
 */
export function dicomWebQueryString(query: Record<string, string | string[]> = {}) {
  const encode = (value: string) =>
    encodeURIComponent(value).replace(/%(2A|3F|5E|2C|2F|3A|40|21|24|27|28|29)/gi, (_, hex) =>
      String.fromCharCode(Number.parseInt(hex, 16))
    )
  return Object.entries(query)
    .flatMap(([key, value]) =>
      (Array.isArray(value) ? value : [value]).map((v) => `${encode(key)}=${encode(v)}`)
    )
    .join('&')
}

/** The root the DICOMweb plugin is configured at (docker/orthanc/orthanc.json "DicomWeb.Root"): the app's own path. */
export const DICOMWEB_ROOT = '/dicomweb'

/**
 * Orthanc 1.10 answers `Keep-Alive: timeout=1` (configurable only from 1.11.3),
 * and Node's agent keeps a one-second safety margin, so it would reuse no
 * socket at all: every request would open a new TCP connection (measured: 20
 * sequential requests, 20 connections). This agent keeps sockets that have
 * been idle under half a second, well inside Orthanc's second.
 */
export class OrthancKeepAliveAgent extends http.Agent {
  static IDLE_MS = 500

  constructor(readonly connectMs = DEFAULT_DEADLINES.connectMs) {
    super({ keepAlive: true, maxSockets: 64 })
  }

  /** A connect that does not complete in time fails (the idle deadline only starts once connected). */
  createConnection(options: any, callback?: any) {
    const socket = (http.Agent.prototype as any).createConnection.call(
      this,
      options,
      callback
    ) as import('node:net').Socket
    const timer = setTimeout(
      () =>
        socket.destroy(
          Object.assign(new Error(`connect timeout after ${this.connectMs} ms`), {
            code: 'ECONNTIMEOUT',
          })
        ),
      this.connectMs
    )
    timer.unref()
    socket.once('connect', () => clearTimeout(timer))
    socket.once('close', () => clearTimeout(timer))
    return socket
  }

  keepSocketAlive(socket: import('node:net').Socket) {
    socket.setKeepAlive(true, 1000)
    socket.unref()
    socket.setTimeout(OrthancKeepAliveAgent.IDLE_MS)
    ;(socket as any).idleSince = Date.now()
    return true
  }

  /**
   * The idle timer above fires late when the event loop is busy (two loaded cores): a socket
   * idle past Orthanc's second could then be reused and the request fail with EPIPE. Before a
   * request takes a free socket, those idle too long by the wall clock are closed.
   */
  addRequest(request: http.ClientRequest, options: any) {
    const name = (this as any).getName(options)
    const free: import('node:net').Socket[] | undefined = (this as any).freeSockets[name]
    const now = Date.now()
    for (const socket of free ?? []) {
      if (now - ((socket as any).idleSince ?? now) > OrthancKeepAliveAgent.IDLE_MS) socket.destroy()
    }
    return (http.Agent.prototype as any).addRequest.call(this, request, options)
  }
}

export class OrthancError extends Error {
  /**
   * @param orthancStatus what Orthanc answered; null when it did not answer
   *   (refused connection, connect or idle deadline passed)
   */
  constructor(
    message: string,
    public orthancStatus: number | null,
    public orthancMessage?: string,
    public timedOut = false
  ) {
    super(message)
  }

  /**
   * What the app answers when this error reaches a request: the store is
   * unavailable (503) or misbehaved (502). Never Orthanc's own status: its 404
   * for a study is not the user's "record not found".
   */
  get status() {
    return this.isUnreachable ? 503 : 502
  }

  get code() {
    return this.isUnreachable ? 'store_unavailable' : 'store_failed'
  }

  get isNotFound() {
    return this.orthancStatus === 404
  }

  /** Orthanc answered 400: the body was not DICOM it could parse. */
  get isBadDicom() {
    return this.orthancStatus === 400
  }

  /** Orthanc did not answer at all, or not within the deadline: worth retrying later. */
  get isUnreachable() {
    return this.orthancStatus === null
  }
}

export class OrthancClient {
  readonly http: AxiosInstance
  readonly deadlines: OrthancDeadlines

  constructor(readonly connection: OrthancConnection) {
    this.deadlines = {
      ...DEFAULT_DEADLINES,
      ...(connection.timeoutMs ? { callMs: connection.timeoutMs } : {}),
      ...connection.deadlines,
    }
    this.http = axios.create({
      baseURL: connection.url.replace(/\/$/, ''),
      auth: { username: connection.username, password: connection.password },
      // axios's timeout is an idle deadline on the socket (no byte either way for this long)
      timeout: this.deadlines.callMs,
      httpAgent: new OrthancKeepAliveAgent(this.deadlines.connectMs),
      maxBodyLength: Number.POSITIVE_INFINITY,
      // Orthanc never redirects; with redirects on, axios (follow-redirects) keeps a copy of every
      // request body to be able to replay it — a whole DICOM file in memory per upload.
      maxRedirects: 0,
      maxContentLength: Number.POSITIVE_INFINITY,
      // Orthanc answers non-2xx with a JSON body that says why; keep it.
      validateStatus: (status) => status >= 200 && status < 300,
    })
  }

  protected async call<T>(promise: Promise<{ data: T }>, what: string): Promise<T> {
    try {
      return (await promise).data
    } catch (error) {
      throw this.describe(error as AxiosError, what)
    }
  }

  protected describe(error: AxiosError, what: string) {
    if (!error.response) {
      const timedOut =
        ['ECONNABORTED', 'ETIMEDOUT', 'ECONNTIMEOUT'].includes(String(error.code)) ||
        /timeout/i.test(error.message)
      return new OrthancError(
        `Orthanc unreachable (${what}): ${error.code || error.message}`,
        null,
        undefined,
        timedOut
      )
    }
    const body = error.response.data as any
    const detail = body && typeof body === 'object' ? body.Details || body.Message : undefined
    return new OrthancError(
      `Orthanc ${what} failed with ${error.response.status}`,
      error.response.status,
      detail
    )
  }

  /* ------------------------------------------------------------- system */

  system() {
    return this.call<OrthancSystem>(this.http.get('/system'), 'GET /system')
  }

  statistics() {
    return this.call<OrthancStatistics>(this.http.get('/statistics'), 'GET /statistics')
  }

  /* -------------------------------------------------------------- store */

  /**
   * Stores one DICOM instance (POST /instances), streaming the body.
   * Idempotent by SOP Instance UID: a second copy answers AlreadyStored.
   */
  storeInstance(
    body: Readable | Buffer,
    options: { contentLength?: number; timeoutMs?: number } = {}
  ): Promise<StoredInstance> {
    // Plain node:http on the keep-alive agent, not axios: on the upload path (one call per file) axios's
    // config merging and adapter cost more CPU than the rest of the request. The body's chunks go out
    // corked, so the chunks that arrived together leave in one writev.
    const url = new URL(`${this.connection.url.replace(/\/$/, '')}/instances`)
    const length = Buffer.isBuffer(body) ? body.length : options.contentLength
    const idle = options.timeoutMs ?? this.deadlines.storeIdleMs
    const what = 'POST /instances'
    return new Promise((resolve, reject) => {
      let settled = false
      const fail = (error: OrthancError) => {
        if (settled) return
        settled = true
        reject(error)
      }
      const request = http.request(
        {
          host: url.hostname,
          port: url.port || 80,
          path: url.pathname,
          method: 'POST',
          agent: this.http.defaults.httpAgent,
          auth: `${this.connection.username}:${this.connection.password}`,
          headers: {
            'Content-Type': 'application/dicom',
            ...(length !== undefined ? { 'Content-Length': length } : {}),
          },
        },
        (response) => {
          const chunks: Buffer[] = []
          response.on('data', (chunk) => chunks.push(chunk))
          response.on('error', (error) =>
            fail(new OrthancError(`Orthanc unreachable (${what}): ${error.message}`, null))
          )
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            let data: any = text
            try {
              data = JSON.parse(text)
            } catch {}
            const status = response.statusCode ?? 0
            if (status >= 200 && status < 300) {
              settled = true
              resolve(data as StoredInstance)
            } else {
              const detail =
                data && typeof data === 'object' ? data.Details || data.Message : undefined
              fail(new OrthancError(`Orthanc ${what} failed with ${status}`, status, detail))
            }
          })
        }
      )
      request.setTimeout(idle, () => {
        request.destroy()
        fail(
          new OrthancError(
            `Orthanc unreachable (${what}): timeout of ${idle} ms`,
            null,
            undefined,
            true
          )
        )
      })
      request.on('error', (error: any) => {
        const timedOut = ['ECONNABORTED', 'ETIMEDOUT', 'ECONNTIMEOUT'].includes(String(error.code))
        fail(
          new OrthancError(
            `Orthanc unreachable (${what}): ${error.code || error.message}`,
            null,
            undefined,
            timedOut
          )
        )
      })
      if (Buffer.isBuffer(body)) {
        request.end(body)
        return
      }
      body.on('error', (error) => {
        request.destroy(error)
        fail(
          new OrthancError(`Orthanc unreachable (${what}): the body failed: ${error.message}`, null)
        )
      })
      body.on('readable', () => {
        let chunk: Buffer | null
        let wrote = false
        let full = false
        request.cork()
        while (!full && (chunk = body.read()) !== null) {
          wrote = true
          full = !request.write(chunk)
        }
        process.nextTick(() => request.uncork())
        if (full && wrote) request.once('drain', () => body.emit('readable'))
      })
      body.on('end', () => request.end())
    })
  }

  /* ------------------------------------------------------------ changes */

  /** One page of the /changes feed after `since` (Orthanc returns at most 100 per call). */
  changes(since: number, limit = 100) {
    return this.call<OrthancChangesPage>(
      this.http.get('/changes', { params: { since, limit } }),
      'GET /changes'
    )
  }

  /** The sequence number of the newest change (to start a fresh feed at "now"). */
  async lastChange() {
    const page = await this.call<OrthancChangesPage>(
      this.http.get('/changes', { params: { last: true } }),
      'GET /changes?last'
    )
    return page.Last
  }

  /* ---------------------------------------------------------- resources */

  study(id: string) {
    return this.call<OrthancStudy>(
      this.http.get(`/studies/${encodeURIComponent(id)}`),
      'GET /studies/{id}'
    )
  }

  studySeries(id: string) {
    return this.call<OrthancSeries[]>(
      this.http.get(`/studies/${encodeURIComponent(id)}/series`),
      'GET /studies/{id}/series'
    )
  }

  studyInstances(id: string) {
    return this.call<OrthancInstance[]>(
      this.http.get(`/studies/${encodeURIComponent(id)}/instances`),
      'GET /studies/{id}/instances'
    )
  }

  series(id: string) {
    return this.call<OrthancSeries>(
      this.http.get(`/series/${encodeURIComponent(id)}`),
      'GET /series/{id}'
    )
  }

  seriesInstances(id: string) {
    return this.call<OrthancInstance[]>(
      this.http.get(`/series/${encodeURIComponent(id)}/instances`),
      'GET /series/{id}/instances'
    )
  }

  instance(id: string) {
    return this.call<OrthancInstance>(
      this.http.get(`/instances/${encodeURIComponent(id)}`),
      'GET /instances/{id}'
    )
  }

  instanceMetadata(id: string) {
    return this.call<OrthancInstanceMetadata>(
      this.http.get(`/instances/${encodeURIComponent(id)}/metadata`, { params: { expand: '' } }),
      'GET /instances/{id}/metadata'
    )
  }

  /** One tag's value as text (e.g. "0028-2110"); null when the instance does not have it. */
  async instanceTag(id: string, tag: string) {
    try {
      const value = await this.call<string>(
        this.http.get(`/instances/${encodeURIComponent(id)}/content/${encodeURIComponent(tag)}`, {
          responseType: 'text',
        }),
        'GET /instances/{id}/content/{tag}'
      )
      return String(value).replace(/\0+$/, '').trim()
    } catch (error) {
      if (error instanceof OrthancError && error.isNotFound) return null
      throw error
    }
  }

  /** The Orthanc id of the study an instance belongs to. */
  async studyOfInstance(instanceId: string) {
    const study = await this.call<OrthancStudy>(
      this.http.get(`/instances/${encodeURIComponent(instanceId)}/study`),
      'GET /instances/{id}/study'
    )
    return study.ID
  }

  /** The Orthanc id of the study a series belongs to. */
  async studyOfSeries(seriesId: string) {
    const series = await this.series(seriesId)
    return series.ParentStudy
  }

  /** Finds studies by DICOM tags (exact or wildcard values). */
  findStudies(query: Record<string, string>) {
    return this.call<string[]>(
      this.http.post('/tools/find', { Level: 'Study', Query: query }),
      'POST /tools/find'
    )
  }

  deleteStudy(id: string) {
    return this.call<unknown>(
      this.http.delete(`/studies/${encodeURIComponent(id)}`),
      'DELETE /studies/{id}'
    )
  }

  /* ------------------------------------------------------------- images */

  protected async image(
    path: string,
    params: Record<string, unknown>,
    what: string
  ): Promise<ImageStream> {
    try {
      const response = await this.http.get(path, {
        params,
        responseType: 'stream',
        headers: { Accept: 'image/png' },
        timeout: this.deadlines.renderMs,
      })
      return {
        contentType: String(response.headers['content-type'] || 'image/png'),
        stream: response.data,
      }
    } catch (error) {
      throw this.describe(error as AxiosError, what)
    }
  }

  /** A PNG preview of an instance's first frame, as Orthanc renders it. */
  instancePreview(instanceId: string) {
    return this.image(
      `/instances/${encodeURIComponent(instanceId)}/preview`,
      {},
      'GET /instances/{id}/preview'
    )
  }

  /** A frame rendered with a window (CT presets) and an optional size. */
  renderedFrame(instanceId: string, frame: number, options: RenderOptions = {}) {
    const params: Record<string, unknown> = {}
    if (options.windowCenter !== undefined && options.windowWidth !== undefined) {
      params['window-center'] = options.windowCenter
      params['window-width'] = options.windowWidth
    }
    if (options.width) params.width = options.width
    if (options.height) params.height = options.height
    return this.image(
      `/instances/${encodeURIComponent(instanceId)}/frames/${frame}/rendered`,
      params,
      'GET /instances/{id}/frames/{n}/rendered'
    )
  }

  /* ------------------------------------------------------------ DICOMweb */

  /**
   * QIDO-RS, WADO-RS and WADO-URI of the DICOMweb plugin, answered as a stream
   * whatever the status (the caller decides what a 404 or 400 means to the
   * user; Orthanc's own error bodies never reach a browser). The deadline is
   * an idle one: a series that keeps streaming is never cut, a hung Orthanc
   * fails within it.
   */
  dicomWeb(request: DicomWebRequest): Promise<DicomWebAnswer> {
    // Plain node:http on the keep-alive agent, not axios (as storeInstance): a viewer asks for one frame
    // per request, 300 for a CT, and axios's config merging and adapter cost a frame more CPU than its bytes.
    const what = `GET ${DICOMWEB_ROOT}/{…}`
    const base = new URL(this.connection.url)
    const query = dicomWebQueryString(request.query)
    const path = `${base.pathname.replace(/\/$/, '')}${DICOMWEB_ROOT}/${request.path}${query ? `?${query}` : ''}`
    const idle = this.deadlines.renderMs
    return new Promise((resolve, reject) => {
      let answered = false
      const unreachable = (code: string, timedOut: boolean) =>
        new OrthancError(`Orthanc unreachable (${what}): ${code}`, null, undefined, timedOut)
      const outgoing = http.request(
        {
          host: base.hostname,
          port: base.port || 80,
          path,
          method: 'GET',
          agent: this.http.defaults.httpAgent,
          auth: `${this.connection.username}:${this.connection.password}`,
          headers: {
            // Orthanc may compress nothing (HttpCompressionEnabled false); a browser's gzip request is not passed on.
            Accept: request.accept || 'application/dicom+json',
            Forwarded: `host=${request.publicHost};proto=${request.publicProto}`,
          },
        },
        (response) => {
          answered = true
          // A transfer cut later (the deadline above, Orthanc gone) is the reader's to handle; never the process's.
          response.on('error', () => {})
          const length = Number(response.headers['content-length'])
          resolve({
            status: response.statusCode ?? 502,
            contentType: response.headers['content-type']
              ? String(response.headers['content-type'])
              : null,
            contentLength:
              response.headers['content-length'] !== undefined && Number.isFinite(length)
                ? length
                : null,
            stream: response,
          })
        }
      )
      // An idle deadline on the socket: a series that keeps streaming is never cut, a hung Orthanc fails.
      outgoing.setTimeout(idle, () => {
        const error = unreachable(`timeout of ${idle} ms`, true)
        outgoing.destroy(error)
        if (!answered) reject(error)
      })
      outgoing.on('error', (error: any) => {
        if (answered) return
        const code = String(error.code || error.message)
        reject(unreachable(code, ['ECONNABORTED', 'ETIMEDOUT', 'ECONNTIMEOUT'].includes(code)))
      })
      outgoing.end()
    })
  }

  /** A QIDO-RS search read whole (search answers are small lists of tags, never pixel data); null for 404. */
  async dicomWebSearch(
    request: DicomWebRequest
  ): Promise<Array<Record<string, DicomJsonElement>> | null> {
    try {
      const response = await this.http.get(`${DICOMWEB_ROOT}/${request.path}`, {
        params: request.query,
        paramsSerializer: { serialize: dicomWebQueryString },
        timeout: this.deadlines.callMs,
        maxRedirects: 0,
        headers: {
          Accept: 'application/dicom+json',
          Forwarded: `host=${request.publicHost};proto=${request.publicProto}`,
        },
      })
      return Array.isArray(response.data) ? response.data : []
    } catch (error) {
      const described = this.describe(error as AxiosError, `GET ${DICOMWEB_ROOT}/{…} (search)`)
      if (described.isNotFound) return null
      throw described
    }
  }

  /* ------------------------------------------- storage nodes, replication */

  /**
   * The stored DICOM file of an instance, as a stream of the exact bytes
   * Orthanc holds (no transcoding), with its length.
   */
  async instanceFile(
    id: string,
    options: { timeoutMs?: number } = {}
  ): Promise<{ stream: Readable; size: number | null }> {
    try {
      const response = await this.http.get(`/instances/${encodeURIComponent(id)}/file`, {
        responseType: 'stream',
        timeout: options.timeoutMs ?? this.deadlines.transferIdleMs,
        maxRedirects: 0,
      })
      const length = Number(response.headers['content-length'])
      return { stream: response.data as Readable, size: Number.isFinite(length) ? length : null }
    } catch (error) {
      throw this.describe(error as AxiosError, 'GET /instances/{id}/file')
    }
  }

  /**
   * C 8.5.2 (数据脱敏): an instance's DICOM file de-identified by Orthanc (its basic profile plus the institution),
   * answered as bytes and never stored: the study in Orthanc stays as it is and the change feed sees nothing.
   */
  async anonymizedInstanceBytes(id: string, options: { timeoutMs?: number } = {}) {
    const data = await this.call<ArrayBuffer>(
      this.http.post(
        `/instances/${encodeURIComponent(id)}/anonymize`,
        {
          Remove: [
            'InstitutionName',
            'InstitutionAddress',
            'InstitutionalDepartmentName',
            'ReferringPhysicianName',
            'PatientAddress',
            'PatientTelephoneNumbers',
          ],
          KeepPrivateTags: false,
          Force: true,
        },
        {
          responseType: 'arraybuffer',
          timeout: options.timeoutMs ?? this.deadlines.transferIdleMs,
          maxRedirects: 0,
        }
      ),
      'POST /instances/{id}/anonymize'
    )
    return Buffer.from(data)
  }

  /** The stored DICOM file of an instance in memory (for instances small enough to hold; see instanceFile). */
  async instanceBytes(id: string, options: { timeoutMs?: number } = {}) {
    const data = await this.call<ArrayBuffer>(
      this.http.get(`/instances/${encodeURIComponent(id)}/file`, {
        responseType: 'arraybuffer',
        timeout: options.timeoutMs ?? this.deadlines.transferIdleMs,
        maxRedirects: 0,
      }),
      'GET /instances/{id}/file'
    )
    return Buffer.from(data)
  }

  /** The MD5 Orthanc computed when it stored the instance (StoreMD5ForAttachments, on by default). */
  async instanceMd5(id: string) {
    const md5 = await this.call<string>(
      this.http.get(`/instances/${encodeURIComponent(id)}/attachments/dicom/md5`, {
        responseType: 'text',
      }),
      'GET /instances/{id}/attachments/dicom/md5'
    )
    return String(md5).trim()
  }

  /**
   * Asks Orthanc to re-read the instance's file and compare it with the MD5 it
   * recorded: false means the file on disk is corrupted.
   */
  async verifyInstanceMd5(id: string) {
    try {
      await this.http.post(`/instances/${encodeURIComponent(id)}/attachments/dicom/verify-md5`, '')
      return true
    } catch (error) {
      const described = this.describe(
        error as AxiosError,
        'POST /instances/{id}/attachments/dicom/verify-md5'
      )
      if (described.orthancStatus === 400 || described.orthancStatus === 500) return false
      throw described
    }
  }

  /**
   * Makes a DICOM instance of non-DICOM content (a JPEG/PNG as a secondary
   * capture, a PDF as an encapsulated PDF) inside an existing study: `Parent`
   * gives it that study's patient and study tags (POST /tools/create-dicom).
   */
  createDicom(body: { Parent?: string; Tags: Record<string, string>; Content: string }) {
    return this.call<{ ID: string; Path: string }>(
      this.http.post('/tools/create-dicom', body, { timeout: this.deadlines.transferIdleMs }),
      'POST /tools/create-dicom'
    )
  }

  /** The raw value of one tag of an instance (e.g. 0042-0011, the encapsulated document). */
  async instanceContent(id: string, tag: string) {
    const data = await this.call<ArrayBuffer>(
      this.http.get(`/instances/${encodeURIComponent(id)}/content/${tag}`, {
        responseType: 'arraybuffer',
        timeout: this.deadlines.transferIdleMs,
      }),
      'GET /instances/{id}/content/{tag}'
    )
    return Buffer.from(data)
  }

  deleteInstance(id: string) {
    return this.call<unknown>(
      this.http.delete(`/instances/${encodeURIComponent(id)}`),
      'DELETE /instances/{id}'
    )
  }

  /** Declares another Orthanc as a peer of this one (for Orthanc's own /peers/{name}/store). */
  putPeer(name: string, peer: { url: string; username: string; password: string }) {
    return this.call<unknown>(
      this.http.put(`/peers/${encodeURIComponent(name)}`, {
        Url: peer.url.replace(/\/?$/, '/'),
        Username: peer.username,
        Password: peer.password,
      }),
      'PUT /peers/{name}'
    )
  }

  deletePeer(name: string) {
    return this.call<unknown>(
      this.http.delete(`/peers/${encodeURIComponent(name)}`),
      'DELETE /peers/{name}'
    )
  }

  /** Orthanc sends the resources to a declared peer itself (one job; synchronous waits for its end). */
  storeToPeer(
    name: string,
    resources: string[],
    options: { synchronous?: boolean; timeoutMs?: number } = {}
  ) {
    return this.call<{
      InstancesCount?: number
      FailedInstancesCount?: number
      Size?: string
      ID?: string
    }>(
      this.http.post(
        `/peers/${encodeURIComponent(name)}/store`,
        { Resources: resources, Synchronous: options.synchronous ?? true },
        { timeout: options.timeoutMs ?? 60 * 60_000 }
      ),
      'POST /peers/{name}/store'
    )
  }

  /* ---------------------------------------------------------- modalities */

  /** Declares (or updates) a clinic modality allowed to C-STORE into Orthanc. */
  putModality(name: string, modality: OrthancModality) {
    return this.call<unknown>(
      this.http.put(`/modalities/${encodeURIComponent(name)}`, modality),
      'PUT /modalities/{name}'
    )
  }

  deleteModality(name: string) {
    return this.call<unknown>(
      this.http.delete(`/modalities/${encodeURIComponent(name)}`),
      'DELETE /modalities/{name}'
    )
  }

  async modalities() {
    return this.call<Record<string, OrthancModality>>(
      this.http.get('/modalities', { params: { expand: '' } }),
      'GET /modalities'
    )
  }
}
