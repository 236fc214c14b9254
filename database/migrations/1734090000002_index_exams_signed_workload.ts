import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| The QC report's workload by modality (Q 6.4 图 5/6) reads a month of signed
| exams (about 83,000 at 1,000,000 a year): with only `report_signed_at` indexed
| MariaDB scanned a whole covering index of every exam instead (bench/quality.ts,
| docs/performance.md). This index covers the range, the modality and clinic
| filters and the picked technologist, so the range is read from the index alone.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('exams', (table) => {
      table.index(
        ['report_signed_at', 'modality', 'institution_id', 'technologist_staff_id'],
        'exams_signed_workload_index'
      )
    })
  }

  async down() {
    this.schema.alterTable('exams', (table) => {
      table.dropIndex(
        ['report_signed_at', 'modality', 'institution_id', 'technologist_staff_id'],
        'exams_signed_workload_index'
      )
    })
  }
}
