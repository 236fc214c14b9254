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
const dbConfig = defineConfig({
  connection: env.get('DB_CONNECTION'),
  prettyPrintDebugQueries: false,
  connections: {
    mysql: {
      client: 'mysql2',
      connection: {
        host: env.get('DB_HOST', '127.0.0.1'),
        port: env.get('DB_PORT', 3306),
        user: env.get('DB_USER', 'root'),
        password: env.get('DB_PASSWORD', ''),
        database: env.get('DB_DATABASE', 'imaging'),
        socketPath: env.get('DB_SOCKET_PATH') || undefined,
        charset: 'utf8mb4',
        timezone: 'Z',
        dateStrings: false,
      },
      pool: { min: 0, max: 20 },
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
