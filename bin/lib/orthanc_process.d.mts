// Types for orthanc_process.mjs (plain JavaScript so that it runs before dependencies are installed).
export const ORTHANC_BINARY: string
export const BASE_CONFIG: string

export interface OrthancCredentials {
  url: string
  username: string
  password: string
}

export function probeOrthanc(
  options: OrthancCredentials & { timeoutMs?: number }
): Promise<null | { status: number; system?: Record<string, any> }>

export interface OrthancProcessOptions {
  name: string
  httpPort: number
  dicomPort: number
  password: string
  aet?: string
  stableAge?: number
  fresh?: boolean
  overrides?: Record<string, unknown>
}

export class OrthancProcess {
  constructor(options: OrthancProcessOptions)
  options: Required<OrthancProcessOptions>
  home: string
  readonly url: string
  readonly credentials: OrthancCredentials
  writeConfig(): string
  start(options?: { timeoutMs?: number }): Promise<this>
  stop(options?: { timeoutMs?: number }): Promise<void>
  restart(): Promise<this>
  /** SIGSTOP: the process keeps its sockets and answers nothing (a hung Orthanc) */
  pause(): void
  /** SIGCONT */
  resume(): void
}
