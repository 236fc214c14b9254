import { BaseSchema } from '@adonisjs/lucid/schema'
import { DEFAULT_CRITICAL_FINDINGS } from '#app/critical_values/default_findings'

/*
| Critical values (危急值, C 3.3, C 8.2.2, B): the maintained list of critical
| findings, every critical value raised, each person it was delivered to, and
| the registry of every hand-off. DATETIME (never TIMESTAMP), all UTC.
*/
export default class extends BaseSchema {
  async up() {
    // The list administrators maintain; each finding carries its acknowledgement deadline.
    this.schema.createTable('critical_findings', (table) => {
      table.increments('id')
      table.string('code', 32).notNullable().unique()
      table.string('name', 128).notNullable()
      table.string('name_en', 128).nullable()
      // neuro | chest | abdomen | pelvis | spine | other: groups the picker
      table.string('category', 16).notNullable()
      table.integer('ack_minutes').unsigned().notNullable().defaultTo(10)
      table.integer('seq').unsigned().notNullable().defaultTo(0)
      table.boolean('active').notNullable().defaultTo(true)
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
    })

    this.schema.createTable('critical_values', (table) => {
      table.bigIncrements('id')
      table.bigInteger('exam_id').unsigned().notNullable().references('id').inTable('exams')
      // the requesting clinic (copied from the exam so the registry filters without a join)
      table
        .integer('institution_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('institutions')
      table
        .integer('finding_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('critical_findings')
      // the finding's name when raised: the list may be edited later, the registry must not change
      table.string('finding_name', 128).notNullable()
      table.text('message').notNullable()
      // awaiting_confirmation | open | acknowledged | withdrawn
      table.string('status', 24).notNullable()
      // 0 none, 1 clinic head + duty desk told, 2 raiser told to telephone
      table.integer('escalation_level').unsigned().notNullable().defaultTo(0)
      // a replayed raise (double click, resent form) finds the first one by this key
      table.string('request_key', 64).notNullable().unique()
      table.integer('raised_by_id').unsigned().notNullable().references('id').inTable('users')
      table.dateTime('raised_at').notNullable()
      table.integer('confirmed_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('confirmed_at').nullable()
      table.integer('withdrawn_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('withdrawn_at').nullable()
      table.string('withdrawn_reason', 255).nullable()
      table.dateTime('sent_at').nullable()
      table.dateTime('due_at').nullable()
      table.dateTime('phone_due_at').nullable()
      // the requesting doctor as a user of the clinic, when the exam's name matched exactly one
      table
        .integer('requesting_doctor_user_id')
        .unsigned()
        .nullable()
        .references('id')
        .inTable('users')
      table.dateTime('first_delivered_at').nullable()
      table.dateTime('acknowledged_at').nullable()
      table.integer('acknowledged_by_id').unsigned().nullable().references('id').inTable('users')
      // the person who took it: the user, or whoever answered the telephone
      table.string('acknowledged_by_name', 64).nullable()
      // system | phone
      table.string('ack_channel', 8).nullable()
      table.text('read_back').nullable()
      table.dateTime('escalated_at').nullable()
      table.dateTime('phone_required_at').nullable()
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.index(['status', 'due_at'])
      table.index(['institution_id', 'raised_at'])
      table.index(['exam_id'])
      table.index(['raised_at'])
    })

    // Every person an alert went to, and when their browser first confirmed it.
    this.schema.createTable('critical_value_deliveries', (table) => {
      table.bigIncrements('id')
      table
        .bigInteger('critical_value_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('critical_values')
      table.integer('user_id').unsigned().notNullable().references('id').inTable('users')
      // on_duty | clinic_staff | requesting_doctor | clinic_head | duty_desk | raiser_call
      table.string('reason', 24).notNullable()
      table.dateTime('notified_at').notNullable()
      table.dateTime('delivered_at', { precision: 3 }).nullable()
      table.unique(['critical_value_id', 'user_id'])
      table.index(['user_id', 'critical_value_id'])
    })

    // The registry of every hand-off: who, when, what (core rules on critical values).
    this.schema.createTable('critical_value_events', (table) => {
      table.bigIncrements('id')
      table
        .bigInteger('critical_value_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('critical_values')
      table.dateTime('occurred_at', { precision: 3 }).notNullable()
      // raised | confirmation_requested | confirmed | withdrawn | sent | delivered | acknowledged |
      // escalated | phone_required | call_recorded
      table.string('kind', 32).notNullable()
      table.integer('actor_user_id').unsigned().nullable()
      table.string('actor_name', 64).nullable()
      table.text('details').nullable()
      table.index(['critical_value_id', 'occurred_at'])
    })

    // Who receives what at each institution: on duty and head at a clinic, the lead hospital's duty desk.
    this.schema.createTable('critical_value_contacts', (table) => {
      table.increments('id')
      table.integer('user_id').unsigned().notNullable().references('id').inTable('users')
      // on_duty | clinic_head | duty_desk
      table.string('duty', 16).notNullable()
      table.integer('assigned_by_id').unsigned().nullable()
      table.dateTime('assigned_at').notNullable()
      table.unique(['user_id', 'duty'])
      table.index(['duty'])
    })

    // Policy switches, e.g. the two-person check before a critical value goes out.
    this.schema.createTable('critical_value_settings', (table) => {
      table.string('name', 64).primary()
      table.string('value', 255).notNullable()
      table.integer('updated_by_id').unsigned().nullable()
      table.dateTime('updated_at').notNullable()
    })

    // The common imaging critical values, so a fresh installation starts with a maintained list.
    this.defer(async (db) => {
      const now = new Date().toISOString().slice(0, 19).replace('T', ' ')
      await db.table('critical_findings').multiInsert(
        DEFAULT_CRITICAL_FINDINGS.map((finding, index) => ({
          code: finding.code,
          name: finding.name,
          name_en: finding.nameEn,
          category: finding.category,
          ack_minutes: finding.ackMinutes,
          seq: index + 1,
          active: true,
          created_at: now,
          updated_at: now,
        }))
      )
    })
  }

  async down() {
    this.schema.dropTable('critical_value_settings')
    this.schema.dropTable('critical_value_contacts')
    this.schema.dropTable('critical_value_events')
    this.schema.dropTable('critical_value_deliveries')
    this.schema.dropTable('critical_values')
    this.schema.dropTable('critical_findings')
  }
}
