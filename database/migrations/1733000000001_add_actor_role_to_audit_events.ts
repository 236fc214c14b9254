import { BaseSchema } from '@adonisjs/lucid/schema'

/** Every audit line names the actor's role at the time (who, role, institution, action, target, outcome, IP, request). */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('audit_events', (table) => {
      table.string('actor_role', 32).nullable().after('actor_institution_id')
    })
  }

  async down() {
    this.schema.alterTable('audit_events', (table) => {
      table.dropColumn('actor_role')
    })
  }
}
