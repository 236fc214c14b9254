import type { ApplicationService } from '@adonisjs/core/types'
import { Clock, SystemClock } from '#app/platform/clock'

/** Container bindings every capability shares. */
export default class PlatformProvider {
  constructor(protected app: ApplicationService) {}

  register() {
    this.app.container.singleton(Clock, () => new SystemClock())
  }
}
