import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| Quality control, second step (issue 12):
| - the technologist the clinic picked from its roster at upload (Q 4.1: image
|   items score who acquired the study); QC falls back to DICOM Operators' Name
|   matched to the roster (qc_exam_technologists) when none was picked;
| - the device that acquired each exam, from the study's station / device fields
|   matched to the equipment register, so waste-film and artefact rates are
|   counted per device as well as per clinic (C 9.2.2).
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('exams', (table) => {
      table
        .integer('technologist_staff_id')
        .unsigned()
        .nullable()
        .references('id')
        .inTable('staff_members')
    })
    this.schema.createTable('qc_exam_devices', (table) => {
      table.bigInteger('exam_id').unsigned().primary().references('id').inTable('exams')
      // StationName (0008,1010), DeviceSerialNumber (0018,1000), Manufacturer (0008,0070), ManufacturerModelName (0008,1090)
      table.string('station_name', 64).nullable()
      table.string('serial_number', 64).nullable()
      table.string('manufacturer', 64).nullable()
      table.string('model', 64).nullable()
      // null: no device of the register matched
      table.integer('equipment_id').unsigned().nullable().references('id').inTable('equipment')
    })
  }

  async down() {
    this.schema.dropTableIfExists('qc_exam_devices')
    this.schema.alterTable('exams', (table) => {
      table.dropForeign(['technologist_staff_id'])
      table.dropColumn('technologist_staff_id')
    })
  }
}
