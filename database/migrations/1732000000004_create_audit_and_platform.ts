import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    // C 8.3.4: audit of data access, kept ≥ 180 days (we keep ≥ 184: six calendar months, Cybersecurity Law).
    this.schema.createTable('audit_events', (table) => {
      table.bigIncrements('id')
      table.dateTime('occurred_at', { precision: 3 }).notNullable()
      table.integer('actor_user_id').unsigned().nullable()
      table.string('actor_username', 64).nullable()
      table.integer('actor_institution_id').unsigned().nullable()
      table.string('action', 64).notNullable()
      table.string('target_type', 32).nullable()
      table.string('target_id', 64).nullable()
      // success | denied | refused | failed
      table.string('outcome', 16).notNullable()
      table.string('ip', 64).nullable()
      table.string('user_agent', 255).nullable()
      table.string('request_id', 64).nullable()
      table.text('details').nullable()
      table.index(['occurred_at'])
      table.index(['actor_user_id', 'occurred_at'])
      table.index(['action', 'occurred_at'])
      table.index(['target_type', 'target_id'])
    })

    // Position in Orthanc's /changes feed, so a restart neither loses nor doubles a study.
    this.schema.createTable('feed_cursors', (table) => {
      table.string('name', 64).primary()
      table.bigInteger('last_seq').notNullable().defaultTo(0)
      table.dateTime('updated_at').notNullable()
    })

    // One app node at a time runs each scheduled job.
    this.schema.createTable('job_leases', (table) => {
      table.string('name', 64).primary()
      table.string('holder', 128).notNullable()
      table.dateTime('expires_at', { precision: 3 }).notNullable()
    })
  }

  async afterUp() {}

  async down() {
    this.schema.dropTable('job_leases')
    this.schema.dropTable('feed_cursors')
    this.schema.dropTable('audit_events')
  }
}
