import { assert } from '@japa/assert'
import { apiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import type { Config } from '@japa/runner/types'
import { pluginAdonisJS } from '@japa/plugin-adonisjs'
import testUtils from '@adonisjs/core/services/test_utils'
import { sessionApiClient } from '@adonisjs/session/plugins/api_client'
import { authApiClient } from '@adonisjs/auth/plugins/api_client'
import { shieldApiClient } from '@adonisjs/shield/plugins/api_client'
import server from '@adonisjs/core/services/server'
import { realtime } from '#app/realtime/realtime'

/*
| The suite runs against the real MySQL/MariaDB and a real Orthanc that
| `npm test` (bin/up.mjs) started for it; nothing is mocked.
*/

export const plugins: Config['plugins'] = [
  assert(),
  apiClient(),
  pluginAdonisJS(app),
  sessionApiClient(app),
  shieldApiClient(),
  authApiClient(app),
]

async function migrate() {
  const ace = await app.container.make('ace')
  // As the migration account: the app's own account may not change the schema (config/database.ts).
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const args = db.primaryConnectionName === 'mysql' ? ['--connection=migrator'] : []
  const command = await ace.exec('migration:run', ['--compact-output', '--disable-locks', ...args])
  if (command.exitCode) throw command.error ?? new Error('migration:run failed')
}

async function emptyAllTables() {
  const { default: db } = await import('@adonisjs/lucid/services/db')
  if (db.primaryConnectionName !== 'mysql') return
  // TRUNCATE needs the migration account (the app's account has no DROP privilege).
  const connection = db.connection('migrator')
  const keep = new Set(['adonis_schema', 'adonis_schema_versions'])
  const tables = (await connection.getAllTables()).filter((table) => !keep.has(table))
  // The suite runs on MySQL/MariaDB (bin/up.mjs); TRUNCATE there bypasses the audit log's delete trigger.
  if (connection.dialect.name !== 'mysql') return
  await connection.transaction(async (trx) => {
    await trx.rawQuery('SET FOREIGN_KEY_CHECKS=0')
    for (const table of tables) await trx.knexQuery().table(table).truncate()
    await trx.rawQuery('SET FOREIGN_KEY_CHECKS=1')
  })
}

export const runnerHooks: Required<Pick<Config, 'setup' | 'teardown'>> = {
  setup: [
    async () => {
      // A clean database for the run; reference data (the catalogues) once, outside test transactions.
      // testUtils.db().truncate() only migrates and returns the truncation (meant as a teardown), and
      // that truncates all tables in parallel, which deadlocks on MySQL with foreign keys; its migration
      // lock is taken and released on different pooled connections ("unable to release database lock").
      // So: migrate without the lock (one test process), then empty every table one by one on one
      // connection, so that rows browser tests committed in an earlier run do not leak into this one.
      await migrate()
      await emptyAllTables()
      const { importAllCatalogues } = await import('#app/catalogue/catalogue_import')
      await importAllCatalogues()
      const { seedWorkCalendar } = await import('#app/recognition/services/work_calendar_seed')
      await seedWorkCalendar()
    },
  ],
  teardown: [],
}

export const configureSuite: Config['configureSuite'] = (suite) => {
  if (['browser', 'functional', 'e2e'].includes(suite.name)) {
    return suite.setup(async () => {
      const close = await testUtils.httpServer().start()
      const nodeServer = server.getNodeServer()
      if (nodeServer) realtime.attach(nodeServer)
      return async () => {
        await realtime.close()
        await close()
      }
    })
  }
}
