import { BaseSchema } from '@adonisjs/lucid/schema'
// DATETIME, not TIMESTAMP; all values UTC. DATE columns are calendar days in the hospital's zone.

export default class extends BaseSchema {
  async up() {
    // The equipment register (C 6.1, C 6.2), with the calibration/QC date the lead hospital tracks (C 4.2.4).
    this.schema.createTable('equipment', (table) => {
      table.increments('id')
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      // dr | mobile_dr | digital_gi | mammography | ct | mri | qct | dxa
      table.string('kind', 16).notNullable()
      // the hospital's asset number (设备编号); unique per institution so a resubmitted form adds nothing twice
      table.string('asset_no', 32).notNullable()
      table.string('model', 128).nullable()
      table.string('manufacturer', 128).nullable()
      // C 7.2.3: one nurse per contrast CT or MRI
      table.boolean('contrast_capable').notNullable().defaultTo(false)
      // in_service | under_repair | retired
      table.string('status', 16).notNullable().defaultTo('in_service')
      table.date('installed_on').nullable()
      table.date('last_qc_on').nullable()
      table.string('notes', 255).nullable()
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.unique(['institution_id', 'asset_no'])
      table.index(['institution_id', 'status'])
    })

    // The staff roster: doctors, technologists and nurses of each institution (C 7).
    this.schema.createTable('staff_members', (table) => {
      table.increments('id')
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      // the hospital's staff number (工号); unique per institution
      table.string('staff_no', 32).notNullable()
      table.string('full_name', 64).notNullable()
      // doctor | technologist | nurse
      table.string('profession', 16).notNullable()
      // junior (初级) | intermediate (中级) | senior (高级)
      table.string('title', 16).notNullable()
      // full-time equivalent, 0.05 … 1.00
      table.decimal('fte', 4, 2).notNullable().defaultTo(1)
      // optional link to the person's login (radiologists have one)
      table.integer('user_id').unsigned().nullable().references('id').inTable('users')
      table.boolean('active').notNullable().defaultTo(true)
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.unique(['institution_id', 'staff_no'])
      table.index(['institution_id', 'profession', 'active'])
    })

    // Certificates each person must hold (C 7.1.2–7.1.4, C 7.2.2–7.2.3).
    this.schema.createTable('staff_certificates', (table) => {
      table.increments('id')
      table
        .integer('staff_member_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('staff_members')
        .onDelete('CASCADE')
      // physician_qualification | physician_practice | radiation_worker | technologist_title | nurse_qualification | nurse_practice
      table.string('kind', 32).notNullable()
      table.string('number', 64).nullable()
      // physician practice licence: 执业范围 医学影像和放射治疗专业 (C 7.1.2)
      table.boolean('imaging_scope').notNullable().defaultTo(false)
      table.date('issued_on').nullable()
      // null: does not expire
      table.date('expires_on').nullable()
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.unique(['staff_member_id', 'kind'])
      table.index(['expires_on'])
    })

    // Table 1 of C 7.1.1 and the other staffing parameters, versioned: a change adds a version, none is edited.
    this.schema.createTable('staffing_ratio_sets', (table) => {
      table.increments('id')
      table.integer('version').unsigned().notNullable().unique()
      // why this version exists (e.g. "seeded from C 7.1.1 Table 1", "final standard changed DR to 18,000")
      table.string('note', 500).notNullable()
      table.integer('floor_doctors').unsigned().notNullable()
      table.integer('floor_technologists').unsigned().notNullable()
      table.integer('floor_nurses').unsigned().notNullable()
      table.integer('min_intermediate_pct').unsigned().notNullable()
      table.integer('min_senior_pct').unsigned().notNullable()
      table.integer('member_technologists_first_device').unsigned().notNullable()
      table.integer('member_technologists_per_additional_device').unsigned().notNullable()
      table.integer('member_nurses_per_contrast_device').unsigned().notNullable()
      table.integer('created_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('created_at').notNullable()
    })

    this.schema.createTable('staffing_ratio_rows', (table) => {
      table.increments('id')
      table
        .integer('ratio_set_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('staffing_ratio_sets')
        .onDelete('CASCADE')
      // ct_plain | mri_plain | dr | ct_contrast | mri_contrast
      table.string('category', 16).notNullable()
      table.integer('body_parts_per_unit').unsigned().notNullable()
      table.decimal('initial_readers', 6, 3).notNullable()
      table.decimal('reviewers', 6, 3).notNullable()
      table.decimal('technologists', 6, 3).notNullable()
      table.decimal('nurses', 6, 3).notNullable()
      table.unique(['ratio_set_id', 'category'])
    })

    // Saved scenarios: what was asked, the ratios used (copied, not referenced only) and the result at the time.
    this.schema.createTable('staffing_plans', (table) => {
      table.increments('id')
      table.string('name', 100).notNullable().unique()
      table.string('notes', 500).nullable()
      table
        .integer('ratio_set_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('staffing_ratio_sets')
      // recorded | typed
      table.string('workload_source', 16).notNullable()
      table.date('period_from').nullable()
      table.date('period_to').nullable()
      // JSON: the calculator's input, the ratio set as used, and the full result
      table.text('input').notNullable()
      table.text('ratios').notNullable()
      table.text('result', 'mediumtext').notNullable()
      table.integer('created_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable('staffing_plans')
    this.schema.dropTable('staffing_ratio_rows')
    this.schema.dropTable('staffing_ratio_sets')
    this.schema.dropTable('staff_certificates')
    this.schema.dropTable('staff_members')
    this.schema.dropTable('equipment')
  }
}
