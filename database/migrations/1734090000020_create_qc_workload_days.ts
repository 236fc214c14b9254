import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| The QC report's workload by modality (Q 6.4 图 5/6) as one row per person ×
| clinic × modality × hospital-time day, counted at each first signature
| (app/quality/services/workload_days.ts). The month of the all-clinics report
| read ~83,000 signed exams with their reports and technologists at 1,000,000 a
| year (p95 1.9 s, docs/performance.md); it now sums these rows. The primary key
| leads with kind and day, the report's range; the backfill counts every day
| of the signed exams already there.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('qc_workload_days', (table) => {
      table.string('kind', 16).notNullable()
      table.date('day').notNullable()
      table.integer('institution_id').unsigned().notNullable()
      table.string('modality', 16).notNullable()
      // s:<staff id> (picked at upload), o:<DICOM operator name>, u:<user id> (the first version's author)
      table.string('person_ref', 191).notNullable()
      table.integer('n').unsigned().notNullable().defaultTo(0)
      table.primary(['kind', 'day', 'institution_id', 'modality', 'person_ref'])
      table.index(['day', 'institution_id'], 'qc_workload_days_day_institution_index')
    })
    this.defer(async (db) => {
      const { rebuildAll } = await import('#app/quality/services/workload_days')
      await rebuildAll(db as any)
    })
  }

  async down() {
    this.schema.dropTable('qc_workload_days')
  }
}
