/*
| Environment variables, validated at boot. bin/up.mjs writes .env on a fresh
| machine (with generated secrets) and chooses DB_CONNECTION: mysql when the
| configured server is reachable, otherwise an embedded SQLite file.
*/
import { Env } from '@adonisjs/core/env'

export default await Env.create(new URL('../', import.meta.url), {
  NODE_ENV: Env.schema.enum(['development', 'production', 'test'] as const),
  PORT: Env.schema.number(),
  HOST: Env.schema.string({ format: 'host' }),
  APP_KEY: Env.schema.string(),
  APP_URL: Env.schema.string.optional(),
  /** Reverse proxies whose X-Forwarded-For/-Proto are believed (exact addresses, comma-separated); none by default. */
  TRUSTED_PROXIES: Env.schema.string.optional(),
  LOG_LEVEL: Env.schema.enum.optional([
    'fatal',
    'error',
    'warn',
    'info',
    'debug',
    'trace',
    'silent',
  ] as const),
  SESSION_DRIVER: Env.schema.enum.optional([
    'auto',
    'database',
    'redis',
    'memory',
    'cookie',
  ] as const),
  SESSION_IDLE_MINUTES: Env.schema.number.optional(),
  SESSION_ABSOLUTE_HOURS: Env.schema.number.optional(),
  LOGIN_MAX_FAILURES: Env.schema.number.optional(),
  LOGIN_LOCKOUT_MINUTES: Env.schema.number.optional(),
  LOGIN_RATE_PER_IP: Env.schema.number.optional(),
  LOGIN_RATE_PER_ACCOUNT: Env.schema.number.optional(),
  LOGIN_RATE_WINDOW_MINUTES: Env.schema.number.optional(),
  LIMITER_STORE: Env.schema.enum.optional(['auto', 'database', 'redis', 'memory'] as const),
  PASSWORD_PROFILE: Env.schema.enum.optional(['mlps', 'asvs'] as const),
  DISPLAY_TIMEZONE: Env.schema.string.optional(),

  DB_CONNECTION: Env.schema.enum(['mysql', 'sqlite'] as const),
  DB_HOST: Env.schema.string.optional({ format: 'host' }),
  DB_PORT: Env.schema.number.optional(),
  DB_USER: Env.schema.string.optional(),
  DB_PASSWORD: Env.schema.string.optional(),
  DB_DATABASE: Env.schema.string.optional(),
  DB_SOCKET_PATH: Env.schema.string.optional(),
  SQLITE_FILE: Env.schema.string.optional(),

  ORTHANC_URL: Env.schema.string(),
  ORTHANC_USERNAME: Env.schema.string(),
  ORTHANC_PASSWORD: Env.schema.string(),
  ORTHANC_AET: Env.schema.string.optional(),
  ORTHANC_DICOM_PORT: Env.schema.number.optional(),
  ORTHANC_POLL_SECONDS: Env.schema.number.optional(),

  /** Key for the keyed hash (HMAC) that matches national ID numbers across the alliance. */
  PATIENT_ID_HASH_KEY: Env.schema.string(),
  /** Key for encrypting national ID numbers at rest; defaults to APP_KEY. */
  PATIENT_ID_ENCRYPTION_KEY: Env.schema.string.optional(),

  UPLOAD_MAX_FILE_MB: Env.schema.number.optional(),
  AUDIT_RETENTION_DAYS: Env.schema.number.optional(),
  /** Key of the audit log's hash chain; defaults to one derived from APP_KEY. Keep it out of the database. */
  AUDIT_CHAIN_KEY: Env.schema.string.optional(),
  /** The app's own least-privilege database account (bin/up.mjs creates it); DB_USER is the migration account. */
  DB_APP_USER: Env.schema.string.optional(),
  DB_APP_PASSWORD: Env.schema.string.optional(),
  /** C 4.2.3: minutes a fast-track consultation has before it escalates (default 30). */
  CONSULTATION_FAST_TRACK_MINUTES: Env.schema.number.optional(),
  SCHEDULER_ENABLED: Env.schema.boolean.optional(),
  /** Several app nodes: socket.io's Redis adapter carries pushes between them (e.g. redis://127.0.0.1:6379). */
  REDIS_URL: Env.schema.string.optional(),
  /** Prefix of the adapter's channels; default imaging:<DB_DATABASE> (deployments sharing one Redis stay apart). */
  REDIS_PREFIX: Env.schema.string.optional(),

  /** Interoperability: the app's address as other systems reach it (FHIR links, the DICOMweb endpoint). */
  APP_BASE_URL: Env.schema.string.optional(),
  /** The modality worklist SCP (app/interoperability/worklist): its DICOM port (default ORTHANC_DICOM_PORT + 1, 0 = off) and AE title. */
  WORKLIST_DICOM_PORT: Env.schema.number.optional(),
  WORKLIST_AET: Env.schema.string.optional(),
})
