import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { DateTime } from 'luxon'
import imaging from '#config/imaging'

/** `node ace demo:seed`: fills an empty database with the demo county (npm start runs it). */
export default class DemoSeed extends BaseCommand {
  static commandName = 'demo:seed'
  static description =
    'Seed the demo county (institutions, users, ~100 exams with images) when the database is empty'
  static options: CommandOptions = { startApp: true }

  async run() {
    const { DemoCounty, DEMO_LOGINS } = await import('#database/demo/demo_county')
    const county = new DemoCounty((message) => this.logger.info(message))
    if (await county.isSeeded()) {
      this.logger.info('database already has institutions: demo county not seeded again')
      // The demo's times are relative to the day it was seeded: on a later day its queue is all overdue.
      const seededOn = await county.seededOn()
      if (seededOn && DateTime.utc().diff(seededOn, 'hours').hours > 20) {
        this.logger.warning(
          `the demo county was seeded on ${seededOn.setZone(imaging.displayTimezone).toFormat('yyyy-MM-dd')}; its reading queue is now long overdue. ` +
            '`npm start -- --fresh` empties the database and the local Orthanc and seeds a demo county dated now.'
        )
      }
    } else {
      const report = await county.seed()
      this.logger.success(
        `demo county: ${report.institutions} institutions, ${report.users} users, ${report.patients} patients, ${report.exams} exams (${report.withImages} with images)`
      )
    }
    this.logger.log('')
    this.logger.log(`Demo logins (password ${DEMO_LOGINS.password}):`)
    for (const user of DEMO_LOGINS.users)
      this.logger.log(`  ${user.username.padEnd(12)} ${user.description}`)
  }
}
