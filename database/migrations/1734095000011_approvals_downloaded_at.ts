import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Approved bulk exports (MLPS 8.1.4.2): an approval of an export lets its requester download the file
 * once; `downloaded_at` records that the one download happened, so a second copy needs a second approval.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('approvals', (table) => {
      table.dateTime('downloaded_at').nullable()
      table.index(['requested_by_id', 'requested_at'])
    })
  }

  async down() {
    this.schema.alterTable('approvals', (table) => {
      table.dropIndex(['requested_by_id', 'requested_at'])
      table.dropColumn('downloaded_at')
    })
  }
}
