import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Two-person approval (MLPS 8.1.4.2; 双人复核): what can send images out of the alliance or raise someone's
 * rights waits here until the security administrator approves it. The request's parameters are encrypted
 * (they may carry a node's password); `summary` is what the approver reads.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('approvals', (table) => {
      table.increments('id')
      table.string('kind', 64).notNullable()
      // pending | approved | rejected
      table.string('status', 16).notNullable().defaultTo('pending')
      table.integer('requested_by_id').unsigned().notNullable().references('id').inTable('users')
      table.dateTime('requested_at').notNullable()
      table.text('payload_cipher').notNullable()
      table.json('summary').notNullable()
      table.integer('decided_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('decided_at').nullable()
      table.string('decision_note', 255).nullable()
      table.string('result_type', 32).nullable()
      table.string('result_id', 64).nullable()
      table.index(['status', 'requested_at'])
    })
  }

  async down() {
    this.schema.dropTable('approvals')
  }
}
