import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| The quarterly assessment counts each member's exams by when their images arrived
| (workload, R 7.1.1 turnaround, R 7.1.5 upload gaps): one covering index, so the
| grouped queries over a quarter read the index alone.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('exams', (table) => {
      table.index(
        ['institution_id', 'images_received_at', 'modality', 'due_at', 'report_signed_at'],
        'exams_institution_images_index'
      )
    })
  }

  async down() {
    this.schema.alterTable('exams', (table) => {
      table.dropIndex([], 'exams_institution_images_index')
    })
  }
}
