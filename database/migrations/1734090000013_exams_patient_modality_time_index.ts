import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| The repeat-exam reminder (R 6.5) reads, on every registration, one patient's
| results of the requested modalities over the recognition window. An exam
| holds the items of one modality, and the modality is the first part of the
| normalised item (R 7.2: category + body part + method + position), so
| patient + modality + time is one range per requested modality, and the status
| in the key lets the index itself drop what is not a signed or amended result
| (index condition pushdown). bench/recognition.ts, docs/performance.md.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('exams', (table) => {
      table.index(
        ['patient_id', 'modality', 'registered_at', 'status'],
        'exams_patient_modality_time_index'
      )
    })
  }

  async down() {
    this.schema.alterTable('exams', (table) => {
      table.dropIndex(
        ['patient_id', 'modality', 'registered_at', 'status'],
        'exams_patient_modality_time_index'
      )
    })
  }
}
