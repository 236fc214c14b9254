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
    const values = Object.values(checks)
    // 'degraded' (e.g. Redis lost: this node serves, alone) is said but keeps the node in the balancer; 'down' takes it out.
    const down = values.includes('down')
    return response
      .status(down ? 503 : 200)
      .send({ status: values.every((v) => v === 'ok') ? 'ok' : 'degraded', checks })
  }

  async openapi({ response }: HttpContext) {
    response.header('Content-Type', 'application/yaml; charset=utf-8')
    return readFile(app.makePath('docs/openapi.yaml'), 'utf8')
  }

  async apiDocs({ view }: HttpContext) {
    return view.render('pages/platform/api_docs')
  }
}
