import { BaseSchema } from '@adonisjs/lucid/schema'
import { seedWorkCalendar } from '#app/recognition/services/work_calendar_seed'

/*
| The working-day calendar of the continuity metric (R 7.1.5, counted on working
| days by issue 13): a public holiday is not a working day, and an adjusted
| working day (调休, a Saturday or Sunday worked in exchange) is one. The
| administrators keep it (admin → recognition → working-day calendar); seeded
| with 2026 and 2027 (work_calendar_seed.ts).
*/
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('recognition_calendar_days', (table) => {
      table.date('day').primary()
      // holiday | workday
      table.string('kind', 16).notNullable()
      table.string('name', 60).notNullable()
      table.integer('updated_by_id').unsigned().nullable().references('id').inTable('users')
      table.dateTime('updated_at').notNullable()
    })
    this.defer((db) => seedWorkCalendar(db))
  }

  async down() {
    this.schema.dropTableIfExists('recognition_calendar_days')
  }
}
