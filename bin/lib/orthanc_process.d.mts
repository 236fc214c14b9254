/* Types for orthanc_process.mjs (plain JavaScript so it runs before npm ci), for the TypeScript tests and benches. */
export const ORTHANC_BINARY: string
export const BASE_CONFIG: string

export interface OrthancCredentials {
  url: string
  username: string
  password: string
}

export function probeOrthanc(options: OrthancCredentials & { timeoutMs?: number }): Promise<{ status: number; system?: any } | null>

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
  get url(): string
  get credentials(): OrthancCredentials
  writeConfig(): string
  start(options?: { timeoutMs?: number }): Promise<this>
  stop(options?: { timeoutMs?: number }): Promise<void>
  restart(): Promise<this>
}
