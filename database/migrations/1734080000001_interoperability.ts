import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| Interoperability (issue 16):
| - each declared clinic device says in which character set it reads the
|   modality worklist (GB18030 or UTF-8, DICOM PS3.3 C.12.1.1.2);
| - an exam request can be cancelled before images arrive (it leaves the
|   worklist at the next C-FIND);
| - the push of signed reports to the upper-level recognition platform
|   (C 8.2.4): its settings, one delivery per signed report version, and every
|   attempt of it.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('dicom_senders', (table) => {
      table.string('worklist_charset', 16).notNullable().defaultTo('ISO_IR 192')
    })
    this.schema.alterTable('exams', (table) => {
      table.dateTime('cancelled_at').nullable()
    })

    this.schema.createTable('fhir_push_settings', (table) => {
      table.increments('id')
      table.string('endpoint_url', 500).notNullable()
      table.string('username', 128).nullable()
      // encrypted with APP_KEY (never shown back)
      table.text('secret_cipher').nullable()
      table.boolean('active').notNullable().defaultTo(true)
      table.integer('updated_by_id').unsigned().nullable()
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
    })

    this.schema.createTable('fhir_deliveries', (table) => {
      table.bigIncrements('id')
      table.bigInteger('exam_id').unsigned().notNullable().references('id').inTable('exams')
      table.bigInteger('report_version_id').unsigned().notNullable().unique()
      // queued | delivered | failed (gave up after the last retry)
      table.string('status', 16).notNullable()
      table.integer('attempts').notNullable().defaultTo(0)
      table.dateTime('next_attempt_at').nullable()
      table.dateTime('delivered_at').nullable()
      table.text('last_error').nullable()
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.index(['status', 'next_attempt_at'])
    })

    this.schema.createTable('fhir_delivery_attempts', (table) => {
      table.bigIncrements('id')
      table
        .bigInteger('delivery_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('fhir_deliveries')
      table.dateTime('attempted_at').notNullable()
      table.integer('http_status').nullable()
      table.text('error').nullable()
      table.integer('duration_ms').notNullable().defaultTo(0)
      table.index(['delivery_id'])
    })
  }

  async down() {
    this.schema.dropTable('fhir_delivery_attempts')
    this.schema.dropTable('fhir_deliveries')
    this.schema.dropTable('fhir_push_settings')
    this.schema.alterTable('exams', (table) => table.dropColumn('cancelled_at'))
    this.schema.alterTable('dicom_senders', (table) => table.dropColumn('worklist_charset'))
  }
}
