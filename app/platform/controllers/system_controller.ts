import { readFile } from 'node:fs/promises'
import type { HttpContext } from '@adonisjs/core/http'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { healthChecks } from '#app/platform/health'

healthChecks.register('database', async () => {
  await db.rawQuery('SELECT 1')
  return 'ok'
})

/** Health for load balancers and the OpenAPI description for integrators. */
export default class SystemController {
  async health({ response }: HttpContext) {
    const checks = await healthChecks.run()
    const healthy = Object.values(checks).every((v) => v === 'ok')
    return response.status(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'degraded', checks })
  }

  async openapi({ response }: HttpContext) {
    response.header('Content-Type', 'application/yaml; charset=utf-8')
    return readFile(app.makePath('docs/openapi.yaml'), 'utf8')
  }

  async apiDocs({ view }: HttpContext) {
    return view.render('pages/platform/api_docs')
  }
}
