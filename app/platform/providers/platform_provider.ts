import type { ApplicationService } from '@adonisjs/core/types'
import { Clock, SystemClock } from '#app/platform/clock'
import { OrthancClient } from '#app/orthanc/orthanc_client'

/** Container bindings the capabilities share. */
export default class PlatformProvider {
  constructor(protected app: ApplicationService) {}

  register() {
    this.app.container.singleton(Clock, () => new SystemClock())
    this.app.container.singleton(OrthancClient, async () => {
      const { default: imaging } = await import('#config/imaging')
      const { url, username, password } = imaging.orthanc
      return new OrthancClient({ url, username, password })
    })
  }
}
