import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| Issue 16 (performance).
| - The worklist C-FIND reads one clinic's exams still `registered` over the last
|   14 days, newest first: (institution_id, status, registered_at) lets MariaDB
|   range-scan exactly those rows instead of every exam of the clinic
|   (institution_id, registered_at) or every registered exam (status, registered_at).
| - A clinic's FHIR DiagnosticReport?date= counts its signed exams in a date range:
|   with report_signed_at in the index the total is counted from the index, without
|   one row lookup per exam (as exams_registered_at_index does for the centre).
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('exams', (table) => {
      table.index(['institution_id', 'status', 'registered_at'], 'exams_worklist_index')
      table.index(
        ['institution_id', 'registered_at', 'report_signed_at'],
        'exams_institution_reports_index'
      )
    })
  }

  async down() {
    this.schema.alterTable('exams', (table) => {
      table.dropIndex(['institution_id', 'status', 'registered_at'], 'exams_worklist_index')
      table.dropIndex(
        ['institution_id', 'registered_at', 'report_signed_at'],
        'exams_institution_reports_index'
      )
    })
  }
}
