import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * A tamper-evident audit log (MLPS 8.1.4.3 c: 审计记录应进行保护, 避免受到未预期的删除、修改或覆盖):
 * every line carries an HMAC chained to the line before it, one chain per UTC day so inserts stay short and
 * a day can be verified on its own; `audit_chain_heads` holds each day's last link (locked while a line is
 * appended, so parallel writers and app nodes extend the chain one at a time). Lines written before this
 * migration stay unchained (the verifier counts them as legacy).
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('audit_events', (table) => {
      table.string('chain_day', 10).nullable()
      table.integer('chain_seq').unsigned().nullable()
      table.string('prev_hash', 64).nullable()
      table.string('row_hash', 64).nullable()
      table.unique(['chain_day', 'chain_seq'])
    })
    this.schema.createTable('audit_chain_heads', (table) => {
      table.string('day', 10).primary()
      table.integer('last_seq').unsigned().notNullable()
      table.string('last_hash', 64).notNullable()
    })
  }

  async down() {
    this.schema.dropTable('audit_chain_heads')
    this.schema.alterTable('audit_events', (table) => {
      table.dropUnique(['chain_day', 'chain_seq'])
      table.dropColumn('chain_day')
      table.dropColumn('chain_seq')
      table.dropColumn('prev_hash')
      table.dropColumn('row_hash')
    })
  }
}
