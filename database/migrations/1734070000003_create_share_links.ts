import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| Share links to one exam's images and report (C 8.2.5 online viewing): the
| token is kept only as its SHA-256, the access code as a scrypt hash.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('share_links', (table) => {
      table.bigIncrements('id')
      table.string('token_hash', 64).notNullable().unique()
      table.bigInteger('exam_id').unsigned().notNullable().references('id').inTable('exams')
      table.integer('created_by_id').unsigned().notNullable().references('id').inTable('users')
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table.dateTime('expires_at').notNullable()
      table.string('access_code_hash', 255).nullable()
      // C 8.5.2: no name, ID numbers, birth date or institution on its pages or in its DICOM
      table.boolean('deidentify').notNullable().defaultTo(false)
      table.string('note', 128).nullable()
      table.dateTime('revoked_at').nullable()
      table.integer('revoked_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('created_at').notNullable()
      table.index(['exam_id'])
    })
  }

  async down() {
    this.schema.dropTable('share_links')
  }
}
