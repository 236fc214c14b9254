import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/lucid'

const migrations = { naturalSort: true, paths: ['database/migrations'] }
const seeders = { paths: ['database/seeders'] }

/*
| MySQL/MariaDB is the production engine (replication for scale-out). An
| embedded SQLite file is the fallback bin/up.mjs chooses when no MySQL is
| reachable, so a newcomer's first `npm start` works.
| All times are stored in UTC (the process runs with TZ=UTC).
*/
/*
| Two MySQL accounts (MLPS 8.1.4.2 least privilege; the audit log's protection): the app connects as
| DB_APP_USER, which bin/up.mjs creates with SELECT/INSERT/UPDATE/DELETE only (no DROP, ALTER, TRIGGER,
| TRUNCATE; no UPDATE on audit_events), so it cannot drop the audit log's triggers; migrations and the test
| suite's own fixtures use `migrator` (DB_USER). Without DB_APP_USER both are DB_USER.
*/
const mysqlConnection = (user: string, password: string) => ({
  host: env.get('DB_HOST', '127.0.0.1'),
  port: env.get('DB_PORT', 3306),
  user,
  password,
  database: env.get('DB_DATABASE', 'imaging'),
  socketPath: env.get('DB_SOCKET_PATH') || undefined,
  charset: 'utf8mb4',
  timezone: 'Z',
  dateStrings: false as const,
})
const appUser = env.get('DB_APP_USER') || ''

const dbConfig = defineConfig({
  connection: env.get('DB_CONNECTION'),
  prettyPrintDebugQueries: false,
  connections: {
    mysql: {
      client: 'mysql2',
      connection: appUser
        ? mysqlConnection(appUser, env.get('DB_APP_PASSWORD', ''))
        : mysqlConnection(env.get('DB_USER', 'root'), env.get('DB_PASSWORD', '')),
      pool: { min: 0, max: 20 },
      migrations,
      seeders,
    },
    migrator: {
      client: 'mysql2',
      connection: mysqlConnection(env.get('DB_USER', 'root'), env.get('DB_PASSWORD', '')),
      pool: { min: 0, max: 2 },
      migrations,
      seeders,
    },
    sqlite: {
      client: 'better-sqlite3',
      connection: {
        filename: env.get('SQLITE_FILE') || app.tmpPath('imaging.sqlite3'),
      },
      useNullAsDefault: true,
      migrations,
      seeders,
    },
  },
})

export default dbConfig
