import { BaseSchema } from '@adonisjs/lucid/schema'
// DATETIME, not TIMESTAMP: retention runs 30 years, past TIMESTAMP's 2038 limit. All values are UTC.

export default class extends BaseSchema {
  async up() {
    this.schema.createTable('institutions', (table) => {
      table.increments('id')
      table.string('code', 32).notNullable().unique()
      table.string('name', 128).notNullable()
      // lead_hospital | member_clinic | upper_hospital | specialty_centre
      table.string('kind', 32).notNullable()
      // e.g. 二级甲等; qualifies results for mutual recognition (R 6.2)
      table.string('level', 32).nullable()
      // chest_pain | stroke | trauma, for specialty centres (C 9.4)
      table.string('specialty', 32).nullable()
      table.string('address', 255).nullable()
      table.string('phone', 64).nullable()
      table.boolean('active').notNullable().defaultTo(true)
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.index(['kind', 'active'])
    })

    this.schema.createTable('users', (table) => {
      table.increments('id')
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table.string('username', 64).notNullable().unique()
      table.string('full_name', 64).notNullable()
      table.string('password', 255).notNullable()
      // clinic_staff | radiologist | qc_officer | admin
      table.string('role', 32).notNullable()
      // junior (初级) | intermediate (中级) | senior (高级); null for non-clinical staff
      table.string('title', 16).nullable()
      // active | locked | disabled (C 8.5.4: surplus or expired accounts are locked or removed)
      table.string('status', 16).notNullable().defaultTo('active')
      table.date('expires_on').nullable()
      table.integer('failed_login_count').notNullable().defaultTo(0)
      table.dateTime('locked_until').nullable()
      table.dateTime('last_login_at').nullable()
      table.string('locale', 8).nullable()
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.index(['institution_id', 'role'])
    })

    this.schema.createTable('auth_access_tokens', (table) => {
      table.increments('id')
      table
        .integer('tokenable_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('users')
        .onDelete('CASCADE')
      table.string('type').notNullable()
      table.string('name').nullable()
      table.string('hash').notNullable()
      table.text('abilities').notNullable()
      table.dateTime('created_at')
      table.dateTime('updated_at')
      table.dateTime('last_used_at').nullable()
      table.dateTime('expires_at').nullable()
    })

    this.schema.createTable('dicom_senders', (table) => {
      table.increments('id')
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      // DICOM AE titles are at most 16 characters
      table.string('ae_title', 16).notNullable().unique()
      table.string('host', 255).notNullable()
      table.integer('port').unsigned().nullable()
      table.string('description', 255).nullable()
      table.boolean('active').notNullable().defaultTo(true)
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable('dicom_senders')
    this.schema.dropTable('auth_access_tokens')
    this.schema.dropTable('users')
    this.schema.dropTable('institutions')
  }
}
