import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| Quick sharing with the chest-pain, stroke and trauma centres (C 9.4): the
| rules per centre and every exam shared with a centre (once per exam and
| centre; the report's share is stamped when it is signed).
*/
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('share_rules', (table) => {
      table.increments('id')
      table.integer('centre_id').unsigned().notNullable().references('id').inTable('institutions')
      table.string('name', 128).notNullable()
      // comma-separated; empty = any
      table.string('modalities', 64).notNullable().defaultTo('')
      table.string('body_parts', 255).notNullable().defaultTo('')
      // triggers (any of them; none set = every exam the modality and body part match)
      table.string('request_keywords', 255).notNullable().defaultTo('')
      table.string('critical_codes', 255).notNullable().defaultTo('')
      table.boolean('on_emergency').notNullable().defaultTo(false)
      table.boolean('active').notNullable().defaultTo(true)
      table.integer('created_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
    })

    this.schema.createTable('exam_shares', (table) => {
      table.bigIncrements('id')
      table.bigInteger('exam_id').unsigned().notNullable().references('id').inTable('exams')
      table.integer('centre_id').unsigned().notNullable().references('id').inTable('institutions')
      table.integer('rule_id').unsigned().nullable().references('id').inTable('share_rules')
      // request_keyword | critical_value | emergency | match
      table.string('reason', 24).notNullable()
      table.dateTime('shared_at').notNullable()
      table.bigInteger('report_version_id').unsigned().nullable()
      table.dateTime('report_shared_at').nullable()
      table.unique(['exam_id', 'centre_id'])
      table.index(['centre_id', 'shared_at'])
    })
  }

  async down() {
    this.schema.dropTable('exam_shares')
    this.schema.dropTable('share_rules')
  }
}
