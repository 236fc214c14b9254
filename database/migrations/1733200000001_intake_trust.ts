import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| Intake you can trust:
| - values that come from a DICOM header are stored whole (TEXT, with a prefix
|   index where one is searched), never cut to a column's size: a device that
|   writes a 20-character accession number or a 76-character UID must not stop
|   the feed for every clinic, nor be silently shortened (MySQL's INSERT IGNORE
|   truncates);
| - changes of an Orthanc feed that failed are kept as "poison" with their
|   error, retried with back-off, then parked for an administrator;
| - series sent by another clinic into a known study are held apart;
| - the series of each linked study, so counts are exact the moment an
|   instance is linked.
| SQLite (a newcomer's first run) ignores column sizes, so only MySQL/MariaDB
| columns are altered.
*/
export default class extends BaseSchema {
  async up() {
    const mysql = this.db.dialect.name === 'mysql'
    if (mysql) {
      this.defer(async (db) => {
        await db.rawQuery(`ALTER TABLE unmatched_studies
          MODIFY study_instance_uid TEXT NOT NULL,
          MODIFY dicom_patient_id TEXT NULL,
          MODIFY dicom_patient_name TEXT NULL,
          MODIFY dicom_accession TEXT NULL,
          MODIFY modality TEXT NULL`)
        await db.rawQuery(
          'ALTER TABLE archived_studies DROP INDEX archived_studies_study_instance_uid_index'
        )
        await db.rawQuery(`ALTER TABLE archived_studies
          MODIFY study_instance_uid TEXT NOT NULL,
          MODIFY accession_number TEXT NULL,
          MODIFY dicom_patient_id TEXT NULL,
          MODIFY modality TEXT NULL`)
        await db.rawQuery(
          'CREATE INDEX archived_studies_study_instance_uid_index ON archived_studies (study_instance_uid(64))'
        )
        await db.rawQuery(
          'CREATE INDEX archived_studies_accession_number_index ON archived_studies (accession_number(16))'
        )
      })
    }

    this.schema.alterTable('unmatched_studies', (table) => {
      // what the reason is about, e.g. {"field":"AccessionNumber","length":20,"limit":16}
      table.text('reason_detail').nullable()
    })

    this.schema.createTable('feed_poison_changes', (table) => {
      table.bigIncrements('id')
      // which feed (orthanc-central, storage-node:7) and which subscriber (intake, storage) failed
      table.string('feed', 64).notNullable()
      table.string('subscriber', 32).notNullable()
      table.bigInteger('seq').notNullable()
      table.string('change_type', 32).notNullable()
      table.string('resource_type', 16).notNullable()
      table.string('resource_id', 64).notNullable()
      table.integer('attempts').unsigned().notNullable().defaultTo(1)
      table.text('last_error').notNullable()
      // retrying | parked (an administrator looks) | resolved
      table.string('status', 16).notNullable()
      table.dateTime('first_failed_at').notNullable()
      table.dateTime('last_failed_at').notNullable()
      table.dateTime('next_attempt_at').nullable()
      table.dateTime('resolved_at').nullable()
      table.unique(['feed', 'subscriber', 'seq'])
      table.index(['feed', 'status', 'next_attempt_at'])
      table.index(['status', 'last_failed_at'])
    })

    // A series another clinic's device sent into a study that is already an exam's: held apart, shown to the centre.
    this.schema.createTable('held_series', (table) => {
      table.bigIncrements('id')
      table.string('orthanc_series_id', 64).notNullable().unique()
      table.string('orthanc_study_id', 64).notNullable()
      table.text('series_instance_uid').notNullable()
      table.bigInteger('exam_id').unsigned().notNullable().references('id').inTable('exams')
      // the clinic that sent it (null: a sender nobody declared) and how
      table
        .integer('sender_institution_id')
        .unsigned()
        .nullable()
        .references('id')
        .inTable('institutions')
      table.string('sending_ae', 16).nullable()
      table.text('modality').nullable()
      table.integer('instance_count').unsigned().notNullable().defaultTo(0)
      // another_clinic
      table.string('reason', 24).notNullable()
      // held | released (linked after review) | removed
      table.string('status', 16).notNullable().defaultTo('held')
      table.dateTime('received_at').notNullable()
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.index(['status', 'received_at'])
      table.index(['orthanc_study_id'])
    })

    // The series of each linked study: the first instance of a new series counts it at once.
    this.schema.createTable('exam_series', (table) => {
      table.bigIncrements('id')
      table
        .bigInteger('exam_study_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('exam_studies')
      table.string('orthanc_series_id', 64).notNullable().unique()
      table.integer('instance_count').unsigned().notNullable().defaultTo(0)
      table.index(['exam_study_id'])
    })
  }

  async down() {
    this.schema.dropTable('exam_series')
    this.schema.dropTable('held_series')
    this.schema.dropTable('feed_poison_changes')
    this.schema.alterTable('unmatched_studies', (table) => table.dropColumn('reason_detail'))
  }
}
