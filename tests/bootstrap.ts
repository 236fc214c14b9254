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

export const runnerHooks: Required<Pick<Config, 'setup' | 'teardown'>> = {
  setup: [
    async () => {
      // A clean database for the run; reference data (the catalogues) once, outside test transactions.
      await testUtils.db().truncate()
      const { importAllCatalogues } = await import('#app/catalogue/catalogue_import')
      await importAllCatalogues()
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
