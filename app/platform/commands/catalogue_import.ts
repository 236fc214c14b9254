import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** `node ace catalogue:import`: loads or refreshes the recognition catalogues into exam_items. */
export default class CatalogueImport extends BaseCommand {
  static commandName = 'catalogue:import'
  static description =
    'Import the 川渝 and 河池 recognition catalogues (database/data/*.csv) into the exam-item catalogue'
  static options: CommandOptions = { startApp: true }

  async run() {
    const { importAllCatalogues } = await import('#app/catalogue/catalogue_import')
    for (const report of await importAllCatalogues()) {
      this.logger.success(`${report.catalogue}: ${report.imported} items`)
      for (const skipped of report.skipped)
        this.logger.warning(`${report.catalogue} #${skipped.seq} skipped: ${skipped.reason}`)
    }
  }
}
