import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Security switches that change at run time and must survive a restart (MLPS 8.1.4.2): today whether
 * administrators open clinical records (`admin_clinical_access`, off unless a row says on). Switching it
 * on is a two-person change (app/access/approvals.ts); who switched it and when is in the audit log.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('security_settings', (table) => {
      table.string('name', 64).primary()
      table.string('value', 255).notNullable()
      table.integer('updated_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('updated_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable('security_settings')
  }
}
