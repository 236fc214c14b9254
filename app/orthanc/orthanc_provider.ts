import type { ApplicationService } from '@adonisjs/core/types'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { healthChecks } from '#app/platform/health'

/** The one Orthanc client, configured from config/imaging, and its line in /health. */
export default class OrthancProvider {
  constructor(protected app: ApplicationService) {}

  register() {
    this.app.container.singleton(OrthancClient, async () => {
      const { default: imaging } = await import('#config/imaging')
      const { url, username, password } = imaging.orthanc
      return new OrthancClient({ url, username, password })
    })
  }

  async boot() {
    healthChecks.register('orthanc', async () => {
      const orthanc = await this.app.container.make(OrthancClient)
      await orthanc.system()
      return 'ok'
    })
  }
}
