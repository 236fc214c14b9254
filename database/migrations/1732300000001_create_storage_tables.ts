import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| Tiered storage (C 8.3.2, C 8.3.3): the Orthanc nodes that hold images, the
| catalogue of every study with its reference manifest (instance → MD5 as
| Orthanc records it), one row per copy of a study on a node, the persistent
| transfer queue, legal holds, and the retention job's runs and decisions.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('storage_nodes', (table) => {
      table.increments('id')
      table.string('name', 64).notNullable().unique()
      // central (lead hospital archive) | member (a clinic's local store) | backup (disaster-recovery site)
      table.string('role', 16).notNullable()
      table.integer('institution_id').unsigned().nullable().references('id').inTable('institutions')
      table.string('url', 255).notNullable()
      // the address other Orthanc nodes reach this one at; set, uncapped transfers to it go node to node
      // (Orthanc's own peer push), otherwise they are relayed through the app
      table.string('peer_url', 255).nullable()
      table.string('username', 64).notNullable()
      // C 8.5: the node's password is encrypted at rest (APP_KEY)
      table.text('password_cipher').notNullable()
      // the link's bandwidth cap in kbit/s; null = no cap (C 8.2.1)
      table.integer('bandwidth_limit_kbps').unsigned().nullable()
      table.integer('capacity_gb').unsigned().nullable()
      // retention in years from the exam date: central/backup ≥ 30, member ≥ 1 (C 8.3.2)
      table.integer('retention_years').unsigned().notNullable()
      // C 8.3.2 third paragraph: the member also keeps its originals permanently, ≥ 30 years
      table.boolean('keeps_thirty_years').notNullable().defaultTo(false)
      // the nightly job only records what it would delete until an administrator turns this off
      table.boolean('retention_dry_run').notNullable().defaultTo(true)
      table.boolean('active').notNullable().defaultTo(true)
      // up | down | unknown
      table.string('status', 16).notNullable().defaultTo('unknown')
      table.dateTime('status_checked_at').nullable()
      table.dateTime('last_up_at').nullable()
      table.string('last_error', 255).nullable()
      table.string('orthanc_version', 32).nullable()
      table.bigInteger('disk_used_mb').nullable()
      table.integer('orthanc_study_count').unsigned().nullable()
      table.integer('orthanc_instance_count').unsigned().nullable()
      // position in the node's /changes feed (central and member nodes are read for new studies)
      table.bigInteger('changes_seq').notNullable().defaultTo(0)
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
    })

    this.schema.createTable('archived_studies', (table) => {
      table.bigIncrements('id')
      // Orthanc ids are hashes of the DICOM UIDs: the same study has the same id on every node
      table.string('orthanc_study_id', 64).notNullable().unique()
      table.string('study_instance_uid', 64).notNullable()
      table.bigInteger('exam_id').unsigned().nullable().references('id').inTable('exams')
      table.bigInteger('patient_id').unsigned().nullable().references('id').inTable('patients')
      table.string('accession_number', 16).nullable()
      table.string('dicom_patient_id', 64).nullable()
      table.string('modality', 16).nullable()
      // retention runs from this date (hospital calendar day)
      table.date('exam_date').notNullable()
      // emergency | routine | bulk (C 8.2.1)
      table.string('priority', 16).notNullable()
      table
        .integer('origin_node_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('storage_nodes')
      table.integer('instance_count').unsigned().notNullable().defaultTo(0)
      table.bigInteger('total_bytes').unsigned().notNullable().defaultTo(0)
      // {orthancInstanceId: [md5, size]} of every instance the study has; the truth copies are checked against
      table.text('manifest', 'mediumtext').notNullable()
      table.string('manifest_digest', 64).notNullable()
      table.integer('verified_copies').unsigned().notNullable().defaultTo(0)
      // single | copied | verified
      table.string('copy_status', 16).notNullable().defaultTo('single')
      // set while at most one verified copy exists: the dashboard alerts after 24 h
      table.dateTime('single_copy_since').nullable()
      table.dateTime('first_seen_at').notNullable()
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.index(['exam_id'])
      table.index(['patient_id'])
      table.index(['study_instance_uid'])
      table.index(['single_copy_since'])
      table.index(['exam_date'])
    })

    this.schema.createTable('study_copies', (table) => {
      table.bigIncrements('id')
      table
        .bigInteger('archived_study_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('archived_studies')
      table
        .integer('storage_node_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('storage_nodes')
      // expected (queued) | present (not verified) | verified | damaged | deleted (by retention)
      table.string('state', 16).notNullable()
      table.integer('instance_count').unsigned().notNullable().defaultTo(0)
      table.string('manifest_digest', 64).nullable()
      table.dateTime('verified_at').nullable()
      table.dateTime('checked_at').nullable()
      table.string('problem', 255).nullable()
      table.dateTime('deleted_at').nullable()
      // the last retention decision about this copy (history in retention_decisions)
      table.string('retention_decision', 16).nullable()
      table.string('retention_reason', 48).nullable()
      table.dateTime('retention_decided_at').nullable()
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.unique(['archived_study_id', 'storage_node_id'])
      table.index(['storage_node_id', 'state'])
      table.index(['state', 'checked_at'])
    })

    this.schema.createTable('storage_transfers', (table) => {
      table.bigIncrements('id')
      table
        .bigInteger('archived_study_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('archived_studies')
      table
        .integer('target_node_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('storage_nodes')
      table
        .integer('source_node_id')
        .unsigned()
        .nullable()
        .references('id')
        .inTable('storage_nodes')
      // forward (member → centre) | replicate (→ backup) | repair (re-copy after a failed verification)
      table.string('purpose', 16).notNullable()
      table.string('priority', 16).notNullable()
      // 0 emergency, 1 routine, 2 bulk: the queue is read in this order (C 8.2.1)
      table.tinyint('priority_rank').unsigned().notNullable()
      // queued | running | done | cancelled
      table.string('status', 16).notNullable()
      // "study:target" while queued or running, null after: one live transfer per study and node
      table.string('active_key', 48).nullable().unique()
      table.integer('attempts').unsigned().notNullable().defaultTo(0)
      table.dateTime('next_attempt_at').notNullable()
      table.string('last_error', 500).nullable()
      // direct (node to node) | relay (through the app, capped) | mixed, of the last attempt that copied
      table.string('transport', 8).nullable()
      table.integer('instances_copied').unsigned().notNullable().defaultTo(0)
      table.bigInteger('bytes_copied').unsigned().notNullable().defaultTo(0)
      table.dateTime('enqueued_at').notNullable()
      table.dateTime('started_at').nullable()
      table.dateTime('finished_at').nullable()
      table.index(['status', 'priority_rank', 'enqueued_at'])
      table.index(['target_node_id', 'status'])
      table.index(['archived_study_id'])
    })

    this.schema.createTable('legal_holds', (table) => {
      table.increments('id')
      // patient | study
      table.string('scope', 16).notNullable()
      table.bigInteger('patient_id').unsigned().nullable().references('id').inTable('patients')
      table.string('study_instance_uid', 64).nullable()
      // what the administrator named it by (accession number, masked ID, UID), for the list
      table.string('reference', 80).notNullable()
      table.text('reason').notNullable()
      table.integer('placed_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('placed_at').notNullable()
      table.integer('released_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('released_at').nullable()
      table.text('release_reason').nullable()
      table.index(['patient_id', 'released_at'])
      table.index(['study_instance_uid', 'released_at'])
    })

    this.schema.createTable('retention_runs', (table) => {
      table.increments('id')
      // schedule | manual
      table.string('trigger', 16).notNullable()
      table.integer('triggered_by_id').unsigned().nullable().references('id').inTable('users')
      table.boolean('dry_run').notNullable()
      // the clock's time the rules were applied at
      table.dateTime('as_of').notNullable()
      table.dateTime('started_at').notNullable()
      table.dateTime('finished_at').nullable()
      table.integer('candidates').unsigned().notNullable().defaultTo(0)
      table.integer('deleted').unsigned().notNullable().defaultTo(0)
      table.integer('kept').unsigned().notNullable().defaultTo(0)
      table.integer('failed').unsigned().notNullable().defaultTo(0)
    })

    this.schema.createTable('retention_decisions', (table) => {
      table.bigIncrements('id')
      table
        .integer('retention_run_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('retention_runs')
      table
        .bigInteger('study_copy_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('study_copies')
      table
        .bigInteger('archived_study_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('archived_studies')
      table
        .integer('storage_node_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('storage_nodes')
      // deleted | kept | would_delete (dry run) | failed
      table.string('decision', 16).notNullable()
      table.string('reason', 48).notNullable()
      table.date('keep_until').notNullable()
      table.dateTime('decided_at').notNullable()
      table.index(['retention_run_id'])
      table.index(['archived_study_id'])
    })
  }

  async down() {
    this.schema.dropTable('retention_decisions')
    this.schema.dropTable('retention_runs')
    this.schema.dropTable('legal_holds')
    this.schema.dropTable('storage_transfers')
    this.schema.dropTable('study_copies')
    this.schema.dropTable('archived_studies')
    this.schema.dropTable('storage_nodes')
  }
}
