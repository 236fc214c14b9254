import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| The quarterly assessment of the member clinics (C 7.3, C 9.2.1, C 9.3, C 9.4):
| training sessions and their attendance, staff assessment rounds, the versioned
| weights of the assessment, closed quarters (immutable snapshots; a correction is
| a new version), corrective actions, spot-check samples and the alliance QC
| bulletin with who opened it. DATETIME (never TIMESTAMP), all UTC; DATE columns
| are calendar days in the hospital's zone.
*/
export default class extends BaseSchema {
  async up() {
    // C 7.3.1: training for the members' staff, at least twice a year.
    this.schema.createTable('training_sessions', (table) => {
      table.increments('id')
      table.string('topic', 200).notNullable()
      table.date('held_on').notNullable()
      table.string('trainer', 64).notNullable()
      // DR | CT | MR, or null for a session on every modality
      table.string('modality', 8).nullable()
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      // attendance once signed off no longer changes, and only then counts (C 7.3)
      table.dateTime('signed_off_at').nullable()
      table.integer('signed_off_by_id').unsigned().nullable().references('id').inTable('users')
      table.integer('created_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.index(['institution_id', 'held_on'])
    })

    this.schema.createTable('training_attendances', (table) => {
      table.increments('id')
      table
        .integer('training_session_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('training_sessions')
        .onDelete('CASCADE')
      table
        .integer('staff_member_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('staff_members')
      table.unique(['training_session_id', 'staff_member_id'])
      table.index(['staff_member_id'])
    })

    this.schema.createTable('training_materials', (table) => {
      table.increments('id')
      table
        .integer('training_session_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('training_sessions')
        .onDelete('CASCADE')
      table.string('file_name', 200).notNullable()
      table.string('content_type', 100).notNullable()
      table.integer('size').unsigned().notNullable()
      table.specificType('content', 'LONGBLOB').notNullable()
      table.integer('uploaded_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('created_at').notNullable()
    })

    // C 9.3: the members' staff are assessed at least every half year.
    this.schema.createTable('assessment_rounds', (table) => {
      table.increments('id')
      table.string('title', 200).notNullable()
      table.date('held_on').notNullable()
      // written | practical
      table.string('kind', 16).notNullable()
      table.decimal('max_score', 6, 2).notNullable()
      table.decimal('pass_mark', 6, 2).notNullable()
      table.integer('created_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('created_at').notNullable()
    })

    this.schema.createTable('assessment_scores', (table) => {
      table.increments('id')
      table
        .integer('assessment_round_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('assessment_rounds')
        .onDelete('CASCADE')
      table
        .integer('staff_member_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('staff_members')
      // the person's clinic when scored (a person may move later)
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table.decimal('score', 6, 2).notNullable()
      table.boolean('passed').notNullable()
      table.dateTime('created_at').notNullable()
      table.unique(['assessment_round_id', 'staff_member_id'])
      table.index(['staff_member_id'])
      table.index(['institution_id'])
    })

    // The weights of the quarterly total, versioned like the staffing ratios; never edited.
    this.schema.createTable('assessment_weight_sets', (table) => {
      table.increments('id')
      table.integer('version').unsigned().notNullable().unique()
      table.string('note', 255).notNullable()
      // {"quality.image_pass_rate": 20, ...}: whole percentages adding up to 100
      table.text('weights').notNullable()
      table.integer('created_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('created_at').notNullable()
    })

    // A closed quarter: every clinic's figures, totals and ranks frozen. A correction is a new version with a reason.
    this.schema.createTable('assessment_quarters', (table) => {
      table.increments('id')
      // 2026-Q3
      table.string('quarter', 8).notNullable()
      table.integer('version').unsigned().notNullable()
      table.integer('weight_set_version').unsigned().notNullable()
      table.text('figures', 'longtext').notNullable()
      table.string('reason', 500).nullable()
      table.integer('closed_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('closed_at').notNullable()
      table.unique(['quarter', 'version'])
    })

    // C 9.2.1 闭环: a problem found becomes an action with an owner, a due date and a follow-up.
    this.schema.createTable('corrective_actions', (table) => {
      table.increments('id')
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table.string('quarter', 8).notNullable()
      table.string('indicator_key', 64).nullable()
      table.string('problem', 1000).notNullable()
      table.string('owner', 64).notNullable()
      table.date('due_on').notNullable()
      table.text('follow_up').nullable()
      // open | closed
      table.string('status', 8).notNullable().defaultTo('open')
      table.dateTime('closed_at').nullable()
      table.integer('closed_by_id').unsigned().nullable().references('id').inTable('users')
      table.integer('created_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.index(['institution_id', 'status'])
      table.index(['status', 'due_on'])
    })

    // C 9.3 定期开展质量抽查: a seeded random sample of a clinic's recent exams.
    this.schema.createTable('spot_checks', (table) => {
      table.increments('id')
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table.integer('seed').unsigned().notNullable()
      table.integer('sample_size').unsigned().notNullable()
      table.dateTime('window_from').notNullable()
      table.dateTime('window_to').notNullable()
      // the centralised QC session of the quality-control capability, once one was opened for the sample
      table.bigInteger('qc_session_id').unsigned().nullable()
      table.integer('created_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('created_at').notNullable()
      table.index(['institution_id', 'created_at'])
    })

    this.schema.createTable('spot_check_exams', (table) => {
      table.increments('id')
      table
        .integer('spot_check_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('spot_checks')
        .onDelete('CASCADE')
      table.bigInteger('exam_id').unsigned().notNullable().references('id').inTable('exams')
      table.unique(['spot_check_id', 'exam_id'])
    })

    // C 9.2.1, C 9.3 通报质控数据: one bulletin per quarter (the unique key makes a second draft impossible).
    this.schema.createTable('qc_bulletins', (table) => {
      table.increments('id')
      table.string('quarter', 8).notNullable().unique()
      // draft | published
      table.string('status', 12).notNullable()
      table.text('figures', 'longtext').notNullable()
      table.specificType('pdf', 'LONGBLOB').notNullable()
      table.dateTime('drafted_at').notNullable()
      table.dateTime('published_at').nullable()
      table.integer('published_by_id').unsigned().nullable().references('id').inTable('users')
    })

    this.schema.createTable('qc_bulletin_openings', (table) => {
      table.increments('id')
      table
        .integer('qc_bulletin_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('qc_bulletins')
      table.integer('user_id').unsigned().notNullable().references('id').inTable('users')
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table.dateTime('first_opened_at').notNullable()
      table.dateTime('last_opened_at').notNullable()
      table.integer('times').unsigned().notNullable().defaultTo(1)
      table.unique(['qc_bulletin_id', 'user_id'])
    })
  }

  async down() {
    for (const name of [
      'qc_bulletin_openings',
      'qc_bulletins',
      'spot_check_exams',
      'spot_checks',
      'corrective_actions',
      'assessment_quarters',
      'assessment_weight_sets',
      'assessment_scores',
      'assessment_rounds',
      'training_materials',
      'training_attendances',
      'training_sessions',
    ]) {
      this.schema.dropTableIfExists(name)
    }
  }
}
