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

export interface PostgresTarget {
  host: string
  port: number
  user: string
  password?: string
}
export const POSTGRESQL_INDEX_PLUGIN: string
export function postgresDatabaseName(text: string): string
export function probePostgres(target: PostgresTarget): { ok: boolean; version?: string; error?: string }
export function preparePostgresDatabase(target: PostgresTarget, database: string, options?: { fresh?: boolean }): void
export function postgresIndexConfig(target: PostgresTarget, database: string): Record<string, unknown>

export interface OrthancProcessOptions {
  name: string
  httpPort: number
  dicomPort: number
  password: string
  aet?: string
  stableAge?: number
  fresh?: boolean
  overrides?: Record<string, unknown>
  /** the index in this PostgreSQL database instead of SQLite */
  postgres?: (PostgresTarget & { database: string }) | null
}

export class OrthancProcess {
  constructor(options: OrthancProcessOptions)
  options: Required<OrthancProcessOptions>
  home: string
  readonly url: string
  /** "PostgreSQL <database> at host:port" or "SQLite" */
  readonly index: string
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
