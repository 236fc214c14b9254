import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| Remote consultation (C 4.2.3, C 8.2.3): a request on an exam, the signed
| opinions (versioned, never edited), the question thread, and the non-DICOM
| attachments (their bytes live in Orthanc as DICOM; only their ids here).
| DATETIME (never TIMESTAMP), all UTC.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('consultations', (table) => {
      table.bigIncrements('id')
      table.bigInteger('exam_id').unsigned().notNullable().references('id').inTable('exams')
      // the requesting side (copied from the requester so lists filter without a join)
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table.integer('requested_by_id').unsigned().notNullable().references('id').inTable('users')
      table.text('question').notNullable()
      table.text('clinical_summary').notNullable()
      // routine | fast_track
      table.string('urgency', 16).notNullable()
      // open | answered | escalated_upper | cancelled
      table.string('status', 24).notNullable()
      table.integer('consultant_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('requested_at').notNullable()
      table.dateTime('due_at').notNullable()
      // 0 none, 1 duty desk told, 2 head of department told
      table.integer('escalation_level').unsigned().notNullable().defaultTo(0)
      table.dateTime('escalated_at').nullable()
      table.dateTime('answered_at').nullable()
      // a replayed request (double click) finds the first one by this key
      table.string('request_key', 64).notNullable().unique()
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.index(['status', 'due_at'])
      table.index(['consultant_id', 'status'])
      table.index(['institution_id', 'requested_at'])
    })

    // Like report versions: each signed opinion is a new row, earlier ones stay as they were.
    this.schema.createTable('consultation_opinions', (table) => {
      table.bigIncrements('id')
      table
        .bigInteger('consultation_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('consultations')
      table.integer('version_no').unsigned().notNullable()
      table.integer('author_id').unsigned().notNullable().references('id').inTable('users')
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table.text('opinion').notNullable()
      table.text('recommendation').nullable()
      table.string('amendment_reason', 255).nullable()
      table.dateTime('signed_at').notNullable()
      table.unique(['consultation_id', 'version_no'])
    })

    this.schema.createTable('consultation_messages', (table) => {
      table.bigIncrements('id')
      table
        .bigInteger('consultation_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('consultations')
      table.integer('author_id').unsigned().nullable().references('id').inTable('users')
      table.integer('institution_id').unsigned().nullable().references('id').inTable('institutions')
      // message | system (escalated, assigned, answered…)
      table.string('kind', 16).notNullable().defaultTo('message')
      table.text('body').notNullable()
      table.dateTime('created_at').notNullable()
      table.index(['consultation_id', 'id'])
    })

    this.schema.createTable('consultation_attachments', (table) => {
      table.bigIncrements('id')
      table
        .bigInteger('consultation_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('consultations')
      table.string('file_name', 255).notNullable()
      table.string('content_type', 64).notNullable()
      table.integer('size_bytes').unsigned().notNullable()
      // where the bytes are: the DICOM instance Orthanc made of them
      table.string('orthanc_instance_id', 64).notNullable()
      table.integer('added_by_id').unsigned().notNullable().references('id').inTable('users')
      table.dateTime('created_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable('consultation_attachments')
    this.schema.dropTable('consultation_messages')
    this.schema.dropTable('consultation_opinions')
    this.schema.dropTable('consultations')
  }
}
