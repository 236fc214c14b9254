import { readFile } from 'node:fs/promises'
import type { HttpContext } from '@adonisjs/core/http'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { OrthancClient } from '#app/orthanc/orthanc_client'

/** Health for load balancers and the OpenAPI description for integrators. */
export default class SystemController {
  async health({ response }: HttpContext) {
    const checks: Record<string, string> = {}
    try {
      await db.rawQuery('SELECT 1')
      checks.database = 'ok'
    } catch {
      checks.database = 'down'
    }
    try {
      const orthanc = await app.container.make(OrthancClient)
      await orthanc.system()
      checks.orthanc = 'ok'
    } catch {
      checks.orthanc = 'down'
    }
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
