import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| Quality control (app/quality, Q, B appendix B, R 9.3):
| - checklists of Q appendix A, versioned (a saved score keeps its version);
| - which role may score which items (graded QC, Q 7.2.2);
| - the random-QC sampling rules and the marks they put on exams (Q 7.2.1);
| - QC scores, sessions, gold-standard cases (Q 7.3.1);
| - findings of the automatic checks (intake, report submission) and their overrides;
| - follow-up outcomes (diagnostic agreement) and the quarterly B appendix B sheet;
| - the technologist who acquired a study (DICOM Operators' Name matched to the roster).
*/
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('qc_checklists', (table) => {
      table.increments('id')
      table.string('item', 32).notNullable()
      table.integer('version').unsigned().notNullable()
      table.text('rule').notNullable()
      table.boolean('active').notNullable().defaultTo(true)
      table.integer('created_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('created_at').notNullable()
      table.unique(['item', 'version'])
    })
    this.schema.createTable('qc_checklist_entries', (table) => {
      table.increments('id')
      table
        .integer('checklist_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('qc_checklists')
      // finding (application form), severe (forces 1), criterion (counted)
      table.string('kind', 16).notNullable()
      table.integer('no').unsigned().notNullable()
      table.text('text').notNullable()
      table.index(['checklist_id'])
    })
    this.schema.createTable('qc_role_items', (table) => {
      table.string('role', 32).notNullable()
      table.string('item', 32).notNullable()
      table.primary(['role', 'item'])
    })
    this.schema.createTable('qc_sampling_rules', (table) => {
      table.increments('id')
      table.string('modality', 4).nullable()
      table.integer('institution_id').unsigned().nullable().references('id').inTable('institutions')
      table.integer('reader_id').unsigned().nullable().references('id').inTable('users')
      table.decimal('rate_percent', 5, 2).notNullable()
      table.string('seed', 64).notNullable()
      table.boolean('active').notNullable().defaultTo(true)
      table.integer('updated_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
    })
    this.schema.createTable('qc_marks', (table) => {
      table.bigInteger('exam_id').unsigned().primary().references('id').inTable('exams')
      table.integer('rule_id').unsigned().nullable()
      table.decimal('rate_percent', 5, 2).notNullable()
      table.string('seed', 64).notNullable()
      table.boolean('marked').notNullable()
      table.dateTime('decided_at').notNullable()
      table.index(['marked', 'decided_at'])
    })
    this.schema.createTable('qc_sessions', (table) => {
      table.increments('id')
      table.string('title', 128).notNullable()
      table.text('purpose').nullable()
      table.string('status', 16).notNullable()
      table.text('filters').nullable()
      table.integer('opened_by_id').unsigned().notNullable().references('id').inTable('users')
      table.dateTime('opened_at').notNullable()
      table.integer('closed_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('closed_at').nullable()
      table.index(['status', 'opened_at'])
    })
    this.schema.createTable('qc_session_exams', (table) => {
      table.integer('session_id').unsigned().notNullable().references('id').inTable('qc_sessions')
      table.bigInteger('exam_id').unsigned().notNullable().references('id').inTable('exams')
      table.integer('position').unsigned().notNullable()
      table.dateTime('done_at').nullable()
      table.primary(['session_id', 'exam_id'])
    })
    this.schema.createTable('qc_gold_cases', (table) => {
      table.increments('id')
      table.bigInteger('exam_id').unsigned().notNullable().references('id').inTable('exams')
      table.string('item', 32).notNullable()
      // reviewing → arbitration → decided
      table.string('status', 16).notNullable()
      table.integer('first_reviewer_id').unsigned().notNullable().references('id').inTable('users')
      table.integer('second_reviewer_id').unsigned().notNullable().references('id').inTable('users')
      table.integer('arbiter_id').unsigned().nullable().references('id').inTable('users')
      table.tinyint('final_score').unsigned().nullable()
      table.integer('opened_by_id').unsigned().notNullable().references('id').inTable('users')
      table.dateTime('opened_at').notNullable()
      table.dateTime('decided_at').nullable()
      table.index(['status'])
    })
    this.schema.createTable('qc_scores', (table) => {
      table.bigIncrements('id')
      table.bigInteger('exam_id').unsigned().notNullable().references('id').inTable('exams')
      table.string('item', 32).notNullable()
      table
        .integer('checklist_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('qc_checklists')
      table.tinyint('score').unsigned().notNullable()
      table.string('band', 16).notNullable()
      table.boolean('passed').notNullable()
      table.text('findings').notNullable()
      table.text('criteria').notNullable()
      table.text('note').nullable()
      // image quality: the artefact criterion (伪影) not met; a severe finding that wastes the film (无诊断价值 / 需重复检查) — C 9.2.2
      table.boolean('artefact').notNullable().defaultTo(false)
      table.boolean('waste_film').notNullable().defaultTo(false)
      // who is scored: a user (report author, signer), a roster technologist, and always the clinic
      table.integer('scored_user_id').unsigned().nullable().references('id').inTable('users')
      table.integer('scored_staff_id').unsigned().nullable()
      table.string('scored_name', 128).nullable()
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table.string('modality', 4).notNullable()
      table.integer('scorer_id').unsigned().notNullable().references('id').inTable('users')
      // random | active | centralised | gold | arbitration
      table.string('mode', 16).notNullable()
      table.integer('session_id').unsigned().nullable()
      table.integer('gold_case_id').unsigned().nullable()
      table.dateTime('scored_at').notNullable()
      table.index(['scored_at', 'institution_id', 'modality'], 'qc_scores_period_index')
      table.index(['exam_id', 'item'])
      table.index(['scored_user_id', 'scored_at'])
    })
    this.schema.createTable('qc_findings', (table) => {
      table.bigIncrements('id')
      table.bigInteger('exam_id').unsigned().notNullable().references('id').inTable('exams')
      table.integer('institution_id').unsigned().notNullable()
      // intake | submission
      table.string('stage', 16).notNullable()
      table.string('code', 48).notNullable()
      table.text('details').nullable()
      table.text('override_reason').nullable()
      table.integer('overridden_by_id').unsigned().nullable()
      table.dateTime('found_at').notNullable()
      table.index(['exam_id'])
      table.index(['found_at', 'institution_id'])
    })
    this.schema.createTable('qc_exam_technologists', (table) => {
      table.bigInteger('exam_id').unsigned().primary().references('id').inTable('exams')
      table.string('operator_name', 128).nullable()
      table.integer('staff_member_id').unsigned().nullable()
      table.integer('user_id').unsigned().nullable()
    })
    this.schema.createTable('qc_followups', (table) => {
      table.bigIncrements('id')
      table.bigInteger('exam_id').unsigned().notNullable().references('id').inTable('exams')
      table.string('source', 16).notNullable()
      table.text('outcome').notNullable()
      table.boolean('agreed').notNullable()
      table.integer('recorded_by_id').unsigned().notNullable().references('id').inTable('users')
      table.dateTime('recorded_at').notNullable()
      table.index(['recorded_at'])
      table.index(['exam_id'])
    })
    this.schema.createTable('qc_report_sheets', (table) => {
      table.increments('id')
      table.string('quarter', 8).notNullable()
      table.text('rule_points').notNullable()
      table.text('sampled').notNullable()
      table.integer('description_deductions').unsigned().notNullable()
      table.integer('diagnosis_deductions').unsigned().notNullable()
      table.decimal('total', 5, 1).notNullable()
      table.boolean('passed').notNullable()
      table.integer('scored_by_id').unsigned().notNullable().references('id').inTable('users')
      table.dateTime('scored_at').notNullable()
    })
  }

  async down() {
    for (const table of [
      'qc_report_sheets',
      'qc_followups',
      'qc_exam_technologists',
      'qc_findings',
      'qc_scores',
      'qc_gold_cases',
      'qc_session_exams',
      'qc_sessions',
      'qc_marks',
      'qc_sampling_rules',
      'qc_role_items',
      'qc_checklist_entries',
      'qc_checklists',
    ]) {
      this.schema.dropTableIfExists(table)
    }
  }
}
