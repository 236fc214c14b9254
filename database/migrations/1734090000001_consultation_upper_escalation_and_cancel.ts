import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| C 4.2.3 (疑难病例向上级医院转诊会诊): a consultation the lead hospital's
| consultant sends on to the upper-level hospital. The study travels through
| the storage capability's transfer queue (storage_transfers, purpose
| "escalate") to the upper hospital's Orthanc (a storage node of role "upper");
| this row follows it: pending until that copy is verified by MD5 manifest,
| delivered, then answered by the upper hospital's signed opinion.
| And a consultation cancelled by its requester keeps who, when and why.
| DATETIME (never TIMESTAMP), all UTC.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('consultation_upper_escalations', (table) => {
      table.bigIncrements('id')
      table
        .bigInteger('consultation_id')
        .unsigned()
        .notNullable()
        .unique()
        .references('id')
        .inTable('consultations')
      table
        .integer('upper_institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table
        .integer('storage_node_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('storage_nodes')
      table.bigInteger('archived_study_id').unsigned().notNullable()
      table.integer('escalated_by_id').unsigned().notNullable().references('id').inTable('users')
      table.text('note').notNullable()
      // pending (transfer queued or retrying) | delivered (verified there) | answered
      table.string('status', 16).notNullable()
      table.dateTime('escalated_at').notNullable()
      table.dateTime('delivered_at').nullable()
      // the upper hospital's signed opinion: written once, never edited
      table.integer('answered_by_id').unsigned().nullable().references('id').inTable('users')
      table.text('opinion').nullable()
      table.text('recommendation').nullable()
      table.dateTime('answered_at').nullable()
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.index(['upper_institution_id', 'status'])
      table.index(['status', 'escalated_at'])
    })
    this.schema.alterTable('consultations', (table) => {
      table.dateTime('cancelled_at').nullable()
      table.integer('cancelled_by_id').unsigned().nullable().references('id').inTable('users')
      table.string('cancel_reason', 500).nullable()
    })
  }

  async down() {
    this.schema.alterTable('consultations', (table) => {
      table.dropForeign(['cancelled_by_id'])
      table.dropColumn('cancelled_at')
      table.dropColumn('cancelled_by_id')
      table.dropColumn('cancel_reason')
    })
    this.schema.dropTable('consultation_upper_escalations')
  }
}
