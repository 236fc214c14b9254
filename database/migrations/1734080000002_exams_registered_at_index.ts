import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| FHIR searches by date over the whole alliance (the centre's systems) read
| exams by registration time without an institution or status: without an index
| of its own that is a scan of every exam (bench/interoperability.ts). With
| report_signed_at in it, the report search counts its total from the index.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('exams', (table) => {
      table.index(['registered_at', 'report_signed_at'], 'exams_registered_at_index')
    })
  }

  async down() {
    this.schema.alterTable('exams', (table) => {
      table.dropIndex(['registered_at', 'report_signed_at'], 'exams_registered_at_index')
    })
  }
}
