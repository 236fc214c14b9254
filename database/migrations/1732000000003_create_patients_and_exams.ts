import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    this.schema.createTable('patients', (table) => {
      table.bigIncrements('id')
      table.string('name', 64).notNullable()
      // M | F | O (other) | U (unknown), as DICOM PatientSex
      table.string('sex', 1).notNullable()
      table.date('birth_date').notNullable()
      // C 8.5 / C 9.2.4: the national ID is stored encrypted; a keyed hash (HMAC) finds the
      // same person across the alliance without decrypting; the masked form is for display.
      table.text('national_id_cipher').nullable()
      table.string('national_id_hash', 64).nullable().unique()
      table.string('national_id_masked', 32).nullable()
      table.string('phone', 32).nullable()
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.index(['name'])
    })

    // The patient's number at each clinic that registered them.
    this.schema.createTable('clinic_patients', (table) => {
      table.bigIncrements('id')
      table.bigInteger('patient_id').unsigned().notNullable().references('id').inTable('patients')
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table.string('clinic_patient_no', 64).notNullable()
      table.dateTime('created_at').notNullable()
      table.unique(['institution_id', 'clinic_patient_no'])
      table.unique(['patient_id', 'institution_id'])
    })

    this.schema.createTable('counters', (table) => {
      table.string('name', 64).primary()
      table.bigInteger('value').notNullable().defaultTo(0)
    })

    this.schema.createTable('exams', (table) => {
      table.bigIncrements('id')
      // DICOM SH: at most 16 characters
      table.string('accession_number', 16).notNullable().unique()
      table.bigInteger('patient_id').unsigned().notNullable().references('id').inTable('patients')
      // the requesting member clinic
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table.string('modality', 4).notNullable()
      // emergency | routine | special (special or difficult case), R 7.1.1
      table.string('priority', 16).notNullable()
      // registered → images_received → in_progress → pending_review → signed → amended
      table.string('status', 24).notNullable()
      table.text('clinical_history').notNullable()
      table.text('purpose').notNullable()
      table.string('clinical_diagnosis', 255).nullable()
      table.string('department', 64).nullable()
      table.string('requesting_doctor', 64).notNullable()
      table.integer('registered_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('registered_at').notNullable()
      table.dateTime('images_received_at').nullable()
      table.integer('instance_count').unsigned().notNullable().defaultTo(0)
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.index(['institution_id', 'registered_at'])
      table.index(['patient_id', 'registered_at'])
      table.index(['status', 'registered_at'])
    })

    this.schema.createTable('exam_exam_items', (table) => {
      table
        .bigInteger('exam_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('exams')
        .onDelete('CASCADE')
      table.integer('exam_item_id').unsigned().notNullable().references('id').inTable('exam_items')
      table.primary(['exam_id', 'exam_item_id'])
    })

    // Each DICOM study belongs to exactly one exam (unique Study Instance UID).
    this.schema.createTable('exam_studies', (table) => {
      table.bigIncrements('id')
      table.bigInteger('exam_id').unsigned().notNullable().references('id').inTable('exams')
      table.string('study_instance_uid', 64).notNullable().unique()
      table.string('orthanc_study_id', 64).notNullable().unique()
      // upload | dicom
      table.string('received_via', 16).notNullable()
      table.string('sending_ae', 16).nullable()
      table.integer('series_count').unsigned().notNullable().defaultTo(0)
      table.integer('instance_count').unsigned().notNullable().defaultTo(0)
      table.date('study_date').nullable()
      table.dateTime('first_received_at').notNullable()
      table.dateTime('last_received_at').notNullable()
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.index(['exam_id'])
    })

    // Studies sent by DICOM that matched no exam: listed for the sending clinic to attach.
    this.schema.createTable('unmatched_studies', (table) => {
      table.bigIncrements('id')
      table.integer('institution_id').unsigned().nullable().references('id').inTable('institutions')
      table.string('orthanc_study_id', 64).notNullable().unique()
      table.string('study_instance_uid', 64).notNullable()
      table.string('sending_ae', 16).nullable()
      table.string('dicom_patient_id', 64).nullable()
      table.string('dicom_patient_name', 128).nullable()
      table.string('dicom_accession', 16).nullable()
      table.date('dicom_study_date').nullable()
      table.string('modality', 16).nullable()
      table.integer('instance_count').unsigned().notNullable().defaultTo(0)
      // no_exam | wrong_clinic | ambiguous | unknown_sender
      table.string('reason', 24).notNullable()
      // open | attached | dismissed
      table.string('status', 16).notNullable().defaultTo('open')
      table.bigInteger('attached_exam_id').unsigned().nullable().references('id').inTable('exams')
      table.integer('resolved_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('resolved_at').nullable()
      table.dateTime('received_at').notNullable()
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.index(['institution_id', 'status'])
    })
  }

  async down() {
    this.schema.dropTable('unmatched_studies')
    this.schema.dropTable('exam_studies')
    this.schema.dropTable('exam_exam_items')
    this.schema.dropTable('exams')
    this.schema.dropTable('counters')
    this.schema.dropTable('clinic_patients')
    this.schema.dropTable('patients')
  }
}
