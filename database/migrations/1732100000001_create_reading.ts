import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| Reading and two-tier sign-off (C 4.2.1, C 9.2.3, B): the reading queue on
| exams (due time, claim), report versions, per-author drafts, templates and
| phrase templates (C 8.4.2), turnaround limits (R 7.1.1) and the sign-off policy.
| DATETIME columns, UTC.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('exams', (table) => {
      // images received + the turnaround limit for its priority and modality (R 7.1.1)
      table.dateTime('due_at').nullable()
      // true from images received until the report is signed; the queue reads only these rows
      table.boolean('in_reading_queue').notNullable().defaultTo(false)
      // the doctor writing the report: no two doctors write the same report (no FK: SQLite cannot add one by ALTER TABLE)
      table.integer('claimed_by_id').unsigned().nullable()
      table.dateTime('claimed_at').nullable()
      // first signature (turnaround is measured to it); amendments do not move it
      table.dateTime('report_signed_at').nullable()
      // Every queue query is one of these shapes, each ordered by due time (docs/performance.md).
      table.index(['in_reading_queue', 'due_at', 'id'], 'exams_queue_due_index')
      table.index(['in_reading_queue', 'modality', 'due_at', 'id'], 'exams_queue_modality_index')
      table.index(
        ['in_reading_queue', 'institution_id', 'due_at', 'id'],
        'exams_queue_institution_index'
      )
      table.index(['in_reading_queue', 'priority', 'due_at', 'id'], 'exams_queue_priority_index')
      table.index(['in_reading_queue', 'status', 'due_at', 'id'], 'exams_queue_status_index')
      table.index(['claimed_by_id', 'due_at', 'id'], 'exams_claimed_due_index')
      // a clinic's signed reports, newest first
      table.index(['institution_id', 'report_signed_at'], 'exams_institution_signed_index')
      table.index(['report_signed_at'], 'exams_signed_index')
    })

    // R 7.1.1 limits, editable per priority and modality; a missing row means the standard's default.
    this.schema.createTable('turnaround_limits', (table) => {
      table.increments('id')
      table.string('priority', 16).notNullable()
      table.string('modality', 4).notNullable()
      table.integer('minutes').unsigned().notNullable()
      table.integer('updated_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.unique(['priority', 'modality'])
    })

    // Department policy switches (e.g. single signature by a 中级+ author, off by default).
    this.schema.createTable('reading_settings', (table) => {
      table.string('name', 64).primary()
      table.string('value', 255).notNullable()
      table.integer('updated_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('updated_at').notNullable()
    })

    // One row per version of an exam's report: 1 is the original, 2.. are amendments.
    this.schema.createTable('report_versions', (table) => {
      table.bigIncrements('id')
      table.bigInteger('exam_id').unsigned().notNullable().references('id').inTable('exams')
      table.integer('version_no').unsigned().notNullable()
      // draft | pending_review | signed
      table.string('status', 16).notNullable()
      table.text('technique').nullable()
      table.text('findings').nullable()
      table.text('impression').nullable()
      // B / Q 4.2.5e: comparison with a prior exam, naming its date
      table.text('comparison').nullable()
      table.bigInteger('prior_exam_id').unsigned().nullable().references('id').inTable('exams')
      table.string('no_comparison_reason', 255).nullable()
      table.integer('template_id').unsigned().nullable()
      // 报告医师: who wrote this version
      table.integer('author_id').unsigned().notNullable().references('id').inTable('users')
      // B: the signer shown must be the last person who modified the report
      table
        .integer('last_modified_by_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('users')
      // 审核医师
      table.integer('signer_id').unsigned().nullable().references('id').inTable('users')
      table.text('amendment_reason').nullable()
      table.text('return_comment').nullable()
      table.integer('returned_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('returned_at').nullable()
      // optimistic concurrency: every change increments it; a stale editor is refused
      table.integer('revision').unsigned().notNullable().defaultTo(1)
      table.dateTime('submitted_at').nullable()
      // 报告时间: set by the system at signing, never typed (B)
      table.dateTime('signed_at').nullable()
      // the report header as printed (patient, exam name and time…), frozen at signing
      table.text('header').nullable()
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.unique(['exam_id', 'version_no'])
      table.index(['signer_id', 'signed_at'])
      table.index(['author_id', 'status'])
    })

    // "A closed tab loses nothing": each person's latest unsubmitted text per exam, saved as they type.
    this.schema.createTable('report_drafts', (table) => {
      table.bigIncrements('id')
      table.bigInteger('exam_id').unsigned().notNullable().references('id').inTable('exams')
      table.integer('author_id').unsigned().notNullable().references('id').inTable('users')
      table.integer('version_no').unsigned().notNullable()
      // the version's revision the author was editing; a later change by someone else makes the draft stale, never lost
      table.integer('base_revision').unsigned().notNullable()
      table.text('technique').nullable()
      table.text('findings').nullable()
      table.text('impression').nullable()
      table.text('comparison').nullable()
      table.bigInteger('prior_exam_id').unsigned().nullable()
      table.string('no_comparison_reason', 255).nullable()
      table.integer('template_id').unsigned().nullable()
      table.dateTime('saved_at', { precision: 3 }).notNullable()
      table.unique(['exam_id', 'author_id'])
    })

    // C 8.4.2: report templates chosen by exam item (modality + body part) and by diagnosis.
    this.schema.createTable('report_templates', (table) => {
      table.increments('id')
      table.string('name', 128).notNullable()
      table.string('modality', 4).nullable()
      table.string('body_part', 64).nullable()
      table.string('diagnosis', 128).notNullable()
      table.text('technique').nullable()
      table.text('findings').notNullable()
      table.text('impression').notNullable()
      table.boolean('active').notNullable().defaultTo(true)
      table.integer('updated_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.index(['modality', 'active'])
    })

    // C 8.4.2: phrase templates (常用词条) the department maintains.
    this.schema.createTable('phrase_templates', (table) => {
      table.increments('id')
      table.string('modality', 4).nullable()
      // technique | findings | impression
      table.string('section', 16).notNullable()
      table.string('category', 64).notNullable()
      table.string('text', 1000).notNullable()
      table.integer('sort').notNullable().defaultTo(0)
      table.boolean('active').notNullable().defaultTo(true)
      table.integer('updated_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.index(['section', 'active'])
    })

    this.defer(async (db) => {
      // A signed report is immutable (B): the database refuses to change or delete a signed version.
      if (this.db.dialect.name === 'mysql') {
        await db.rawQuery(`CREATE TRIGGER report_versions_signed_immutable BEFORE UPDATE ON report_versions FOR EACH ROW
          BEGIN
            IF OLD.status = 'signed' THEN
              SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a signed report version cannot be changed';
            END IF;
          END`)
        await db.rawQuery(`CREATE TRIGGER report_versions_signed_kept BEFORE DELETE ON report_versions FOR EACH ROW
          BEGIN
            IF OLD.status = 'signed' THEN
              SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a signed report version cannot be deleted';
            END IF;
          END`)
      } else {
        await db.rawQuery(`CREATE TRIGGER report_versions_signed_immutable BEFORE UPDATE ON report_versions
          WHEN OLD.status = 'signed'
          BEGIN SELECT RAISE(ABORT, 'a signed report version cannot be changed'); END`)
        await db.rawQuery(`CREATE TRIGGER report_versions_signed_kept BEFORE DELETE ON report_versions
          WHEN OLD.status = 'signed'
          BEGIN SELECT RAISE(ABORT, 'a signed report version cannot be deleted'); END`)
      }

      // Exams already waiting when this runs enter the queue with the standard's limits (R 7.1.1).
      const queued = ['images_received', 'in_progress', 'pending_review']
      const cases = `CASE
          WHEN priority = 'emergency' AND modality = 'DR' THEN 30
          WHEN priority = 'emergency' THEN 120
          WHEN priority = 'special' THEN 2880
          ELSE 1440 END`
      const due =
        this.db.dialect.name === 'mysql'
          ? `DATE_ADD(images_received_at, INTERVAL (${cases}) MINUTE)`
          : `datetime(images_received_at, '+' || (${cases}) || ' minutes')`
      await db.rawQuery(
        `UPDATE exams SET in_reading_queue = 1, due_at = ${due}
          WHERE status IN (?, ?, ?) AND images_received_at IS NOT NULL AND due_at IS NULL`,
        queued
      )
    })
  }

  async down() {
    this.defer(async (db) => {
      await db.rawQuery('DROP TRIGGER IF EXISTS report_versions_signed_immutable')
      await db.rawQuery('DROP TRIGGER IF EXISTS report_versions_signed_kept')
    })
    this.schema.dropTable('phrase_templates')
    this.schema.dropTable('report_templates')
    this.schema.dropTable('report_drafts')
    this.schema.dropTable('report_versions')
    this.schema.dropTable('reading_settings')
    this.schema.dropTable('turnaround_limits')
    this.schema.alterTable('exams', (table) => {
      table.dropIndex([], 'exams_queue_due_index')
      table.dropIndex([], 'exams_queue_modality_index')
      table.dropIndex([], 'exams_queue_institution_index')
      table.dropIndex([], 'exams_queue_priority_index')
      table.dropIndex([], 'exams_queue_status_index')
      table.dropIndex([], 'exams_claimed_due_index')
      table.dropIndex([], 'exams_institution_signed_index')
      table.dropIndex([], 'exams_signed_index')
      table.dropColumns(
        'due_at',
        'in_reading_queue',
        'claimed_by_id',
        'claimed_at',
        'report_signed_at'
      )
    })
  }
}
