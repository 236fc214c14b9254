import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| Mutual recognition (R 5–6, R 7.1, R 9.1, H): which catalogues are in force
| with their marks, which institutions and items are recognised, the
| reminders shown at registration and the decisions taken on them, refusals
| by receiving institutions, suspensions earned by falling QC, the fee table,
| the monthly reports for the health bureau and the data-quality rollup.
*/
export default class extends BaseSchema {
  async up() {
    // A catalogue in force (川渝 141, 河池 52, any a region imports) with its mark (R 6.4, B).
    this.schema.createTable('recognition_catalogues', (table) => {
      table.increments('id')
      // the exam_items.catalogue it names
      table.string('code', 16).notNullable().unique()
      table.string('name', 64).notNullable()
      // as printed top-right, e.g. 川渝HR
      table.string('mark', 16).notNullable()
      // how wide its area is: the widest applicable mark wins (B); national 40, multi-province 30, province 20, city 10
      table.integer('scope_rank').unsigned().notNullable()
      // the lowest institution level it recognises (R 6.2: 二级 public; H 一: 二级甲等)
      table.string('min_level', 32).notNullable()
      // R 6.2 recognises public hospitals by level; H does not ask
      table.boolean('requires_public').notNullable().defaultTo(false)
      table.boolean('active').notNullable().defaultTo(true)
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
    })

    // What the administrator keeps about an institution's recognition (R 6.2).
    this.schema.createTable('recognition_institutions', (table) => {
      table.integer('institution_id').unsigned().primary().references('id').inTable('institutions')
      table.boolean('is_public').notNullable().defaultTo(true)
      // a QC-centre evaluation passed by an institution below level 2 (R 6.2), with its dates
      table.date('qc_evaluation_passed_on').nullable()
      table.date('qc_evaluation_valid_until').nullable()
      table.integer('updated_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
    })

    // Per institution × catalogue item: did the item pass its QC evaluation, and until when (R 6.4, R 9.1).
    this.schema.createTable('recognition_item_evaluations', (table) => {
      table.increments('id')
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table.integer('exam_item_id').unsigned().notNullable().references('id').inTable('exam_items')
      table.boolean('passed').notNullable()
      table.date('evaluated_on').notNullable()
      table.date('valid_until').nullable()
      table.integer('updated_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.unique(['institution_id', 'exam_item_id'], 'recog_u1')
      table.index(['exam_item_id'], 'recog_i2')
    })

    // Recognition kept up by QC (R 9.1): an institution × modality whose QC pass rate fell below the threshold.
    this.schema.createTable('recognition_suspensions', (table) => {
      table.increments('id')
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table.string('modality', 4).notNullable()
      table.decimal('pass_rate', 6, 4).nullable()
      table.decimal('threshold', 6, 4).notNullable()
      table.date('period_from').notNullable()
      table.date('period_to').notNullable()
      table.dateTime('suspended_at').notNullable()
      table.dateTime('lifted_at').nullable()
      table.integer('lifted_by_id').unsigned().nullable().references('id').inTable('users')
      table.index(['institution_id', 'modality', 'lifted_at'], 'recog_i3')
    })

    // Results received from outside the alliance's own exams (an upper hospital's consultation, a FHIR import).
    this.schema.createTable('recognition_external_results', (table) => {
      table.bigIncrements('id')
      table.bigInteger('patient_id').unsigned().notNullable().references('id').inTable('patients')
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table.integer('exam_item_id').unsigned().notNullable().references('id').inTable('exam_items')
      table.dateTime('performed_at').notNullable()
      table.string('reference', 64).notNullable()
      table.text('findings').nullable()
      table.text('impression').notNullable()
      // consultation | fhir | manual
      table.string('source', 16).notNullable()
      table.dateTime('created_at').notNullable()
      table.index(['patient_id', 'performed_at'], 'recog_i4')
    })

    // A reminder shown at registration (R 6.6): what was found, for whom; the statistics count these (H 四(四)).
    this.schema.createTable('recognition_reminders', (table) => {
      table.bigIncrements('id')
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table.bigInteger('patient_id').unsigned().notNullable().references('id').inTable('patients')
      table.bigInteger('clinic_patient_id').unsigned().notNullable()
      table.integer('exam_item_id').unsigned().notNullable().references('id').inTable('exam_items')
      table.bigInteger('earlier_exam_id').unsigned().nullable().references('id').inTable('exams')
      table.bigInteger('earlier_external_id').unsigned().nullable()
      table.integer('shown_to_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('shown_at').notNullable()
      table.index(['institution_id', 'shown_at'], 'recog_i5')
      table.index(['clinic_patient_id', 'exam_item_id', 'shown_at'], 'recog_i6')
    })

    // The clinician's decision on a reminder (R 6.6, H 三(四)): accepted (no new exam) or re-examined with a reason.
    this.schema.createTable('recognition_decisions', (table) => {
      table.bigIncrements('id')
      table.bigInteger('reminder_id').unsigned().nullable()
      // the deciding clinic and its patient (the visit the earlier result is linked to)
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table.bigInteger('patient_id').unsigned().notNullable().references('id').inTable('patients')
      table.bigInteger('clinic_patient_id').unsigned().notNullable()
      table.integer('exam_item_id').unsigned().notNullable().references('id').inTable('exam_items')
      // accepted | re_examined
      table.string('decision', 16).notNullable()
      // R 6.6: result, institution, exam time, reference
      table.bigInteger('earlier_exam_id').unsigned().nullable().references('id').inTable('exams')
      table.bigInteger('earlier_external_id').unsigned().nullable()
      table
        .integer('earlier_institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table.string('earlier_institution_name', 128).notNullable()
      table.dateTime('earlier_exam_at').notNullable()
      table.string('earlier_reference', 64).notNullable()
      table.text('earlier_impression').nullable()
      table.string('reason_code', 40).nullable()
      table.string('reason_text', 500).nullable()
      table.boolean('patient_informed').notNullable().defaultTo(false)
      // the visit: what the clinician was asking for
      table.string('requesting_doctor', 64).notNullable()
      table.text('purpose').nullable()
      // the exam registered instead, when re-examined
      table.bigInteger('new_exam_id').unsigned().nullable().references('id').inTable('exams')
      table.integer('decided_by_id').unsigned().notNullable().references('id').inTable('users')
      table.dateTime('decided_at').notNullable()
      table.index(['institution_id', 'decided_at'], 'recog_i7')
      table.index(['patient_id', 'decided_at'], 'recog_i8')
      table.index(['earlier_institution_id', 'decided_at'], 'recog_i9')
    })

    // A receiving institution refused one of our results (same reason codes); counts against the item's QC.
    this.schema.createTable('recognition_refusals', (table) => {
      table.bigIncrements('id')
      table.bigInteger('exam_id').unsigned().notNullable().references('id').inTable('exams')
      // the institution whose result was refused (the exam's clinic), for grouping
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table.integer('exam_item_id').unsigned().nullable().references('id').inTable('exam_items')
      table
        .integer('refusing_institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table.string('reason_code', 40).notNullable()
      table.string('reason_text', 500).nullable()
      table.integer('recorded_by_id').unsigned().notNullable().references('id').inTable('users')
      table.dateTime('refused_at').notNullable()
      table.index(['institution_id', 'refused_at'], 'recog_i10')
      table.index(['exam_item_id', 'refused_at'], 'recog_i11')
    })

    // The price of each item, to count the money avoided by accepted results.
    this.schema.createTable('recognition_fees', (table) => {
      table.integer('exam_item_id').unsigned().primary().references('id').inTable('exam_items')
      table.integer('fee_cents').unsigned().notNullable()
      table.integer('updated_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('updated_at').notNullable()
    })

    // Settings the administrator keeps (window days, suspension threshold, data-quality thresholds).
    this.schema.createTable('recognition_settings', (table) => {
      table.string('name', 64).primary()
      table.string('value', 64).notNullable()
      table.integer('updated_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('updated_at').notNullable()
    })

    // The monthly report for the health bureau (H 四(四)), generated on the 1st and kept.
    this.schema.createTable('recognition_monthly_reports', (table) => {
      table.increments('id')
      // yyyy-MM, hospital time
      table.string('month', 7).notNullable().unique()
      table.text('figures', 'longtext').notNullable()
      table.binary('xlsx').notNullable()
      table.dateTime('generated_at').notNullable()
    })

    // R 7.1 data quality per clinic per hospital day, kept up by domain events and a nightly job.
    this.schema.createTable('recognition_dq_days', (table) => {
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table.date('day').notNullable()
      // timeliness: uploads within 1 h of acquisition; signed reports within the R 7.1.1 limit
      table.integer('uploads').unsigned().notNullable().defaultTo(0)
      table.integer('uploads_timely').unsigned().notNullable().defaultTo(0)
      table.integer('reports').unsigned().notNullable().defaultTo(0)
      table.integer('reports_timely').unsigned().notNullable().defaultTo(0)
      // consistency: signed reports with images + studies with images that have a signed report
      table.integer('consistency_checked').unsigned().notNullable().defaultTo(0)
      table.integer('consistency_ok').unsigned().notNullable().defaultTo(0)
      // completeness of the R 7.1.3 fields; accuracy of the R 7.1.4 fields against the request
      table.integer('fields_expected').unsigned().notNullable().defaultTo(0)
      table.integer('fields_present').unsigned().notNullable().defaultTo(0)
      table.integer('fields_checked').unsigned().notNullable().defaultTo(0)
      table.integer('fields_accurate').unsigned().notNullable().defaultTo(0)
      // continuity: the longest stretch without an upload that ends this day, in minutes (R 7.1.5)
      table.integer('longest_gap_minutes').unsigned().nullable()
      table.boolean('working_day').notNullable()
      table.boolean('gap_over_24h').notNullable().defaultTo(false)
      table.dateTime('computed_at').notNullable()
      table.primary(['institution_id', 'day'])
      table.index(['day'], 'recog_i12')
    })

    // Each study's upload as R 7.1 judges it: when it was acquired (DICOM StudyDate + StudyTime, read from
    // Orthanc once at arrival) and when it reached the centre. Continuity and upload timeliness read only this.
    this.schema.createTable('recognition_dq_uploads', (table) => {
      table.bigInteger('exam_study_id').unsigned().primary()
      table.bigInteger('exam_id').unsigned().notNullable().references('id').inTable('exams')
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table.dateTime('acquired_at').nullable()
      table.dateTime('received_at').notNullable()
      table.index(['institution_id', 'received_at'], 'recog_i13')
    })

    // Data-quality alerts sent (one per clinic × metric × period), so a metric below threshold alerts once.
    this.schema.createTable('recognition_dq_alerts', (table) => {
      table.bigIncrements('id')
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table.string('metric', 24).notNullable()
      table.string('period', 10).notNullable()
      table.decimal('value', 8, 4).nullable()
      table.decimal('threshold', 8, 4).notNullable()
      table.text('recipients').notNullable()
      table.dateTime('sent_at').notNullable()
      table.unique(['institution_id', 'metric', 'period'], 'recog_u14')
    })

    // Messages to people (administrators told of a suspension, clinic heads and QC officers of a metric).
    this.schema.createTable('recognition_notices', (table) => {
      table.bigIncrements('id')
      table.integer('user_id').unsigned().notNullable().references('id').inTable('users')
      // suspension | dq_alert
      table.string('kind', 16).notNullable()
      table.string('message_key', 64).notNullable()
      table.text('message_data').notNullable()
      table.dateTime('created_at').notNullable()
      table.dateTime('read_at').nullable()
      table.index(['user_id', 'read_at'], 'recog_i15')
    })
  }

  async down() {
    for (const name of [
      'recognition_notices',
      'recognition_dq_uploads',
      'recognition_dq_alerts',
      'recognition_dq_days',
      'recognition_monthly_reports',
      'recognition_settings',
      'recognition_fees',
      'recognition_refusals',
      'recognition_decisions',
      'recognition_reminders',
      'recognition_external_results',
      'recognition_suspensions',
      'recognition_item_evaluations',
      'recognition_institutions',
      'recognition_catalogues',
    ]) {
      this.schema.dropTableIfExists(name)
    }
  }
}
