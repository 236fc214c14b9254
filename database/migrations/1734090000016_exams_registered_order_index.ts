import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| FHIR searches (ServiceRequest, DiagnosticReport) page by registered_at desc,
| id desc over a date range. The (registered_at, report_signed_at) index that
| counts signed reports cannot give that order (report_signed_at sits between
| the two keys), so a month of the centre's reports was filesorted, ~41,000
| full rows for a page of 20 (EXPLAIN: "Using filesort"). This index is read
| backwards in answer order and stops after the page. bench/interoperability.ts,
| docs/performance.md.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('exams', (table) => {
      table.index(['registered_at', 'id'], 'exams_registered_order_index')
    })
  }

  async down() {
    this.schema.alterTable('exams', (table) => {
      table.dropIndex(['registered_at', 'id'], 'exams_registered_order_index')
    })
  }
}
