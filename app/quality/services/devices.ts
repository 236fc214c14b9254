import db from '@adonisjs/lucid/services/db'
import type Exam from '#models/exam'

/*
| Which device of the equipment register (app/equipment, C 6) acquired an exam,
| so that waste-film and artefact rates are counted per device as well as per
| clinic (C 9.2.2). Read from the study's station / device fields at intake:
|   1. StationName (0008,1010) or DeviceSerialNumber (0018,1000) equal to the
|      device's asset number (设备编号), ignoring case and spaces;
|   2. else ManufacturerModelName (0008,1090) equal to the device's model (and the
|      manufacturer, when both are known), when exactly one device has it;
|   3. else the clinic's only device, not retired, of a kind that takes this modality.
| Otherwise no device (counted as "device unknown" in the reports).
*/

export interface StudyDeviceFields {
  stationName: string | null
  serialNumber: string | null
  manufacturer: string | null
  model: string | null
}

export interface RegisterDevice {
  id: number
  kind: string
  assetNo: string
  model: string | null
  manufacturer: string | null
  status: string
}

/** The register's kinds that take each modality of the product (DR covers 移动DR, 数字胃肠, 乳腺). */
export const KINDS_BY_MODALITY: Record<string, string[]> = {
  DR: ['dr', 'mobile_dr', 'digital_gi', 'mammography'],
  CT: ['ct', 'qct'],
  MR: ['mri'],
}

const norm = (v: string | null | undefined) => (v ?? '').replace(/\s+/g, '').toLowerCase()

/** Pure: the matching device's id, or null. */
export function matchDevice(
  fields: StudyDeviceFields,
  modality: string,
  devices: RegisterDevice[]
): number | null {
  const present = devices.filter((d) => d.status !== 'retired')
  const ids = [norm(fields.stationName), norm(fields.serialNumber)].filter(Boolean)
  const byAsset = present.find((d) => ids.includes(norm(d.assetNo)))
  if (byAsset) return byAsset.id
  const kinds = KINDS_BY_MODALITY[modality] ?? []
  const fitting = present.filter((d) => kinds.includes(d.kind))
  if (norm(fields.model)) {
    const byModel = fitting.filter(
      (d) =>
        norm(d.model) === norm(fields.model) &&
        (!norm(d.manufacturer) ||
          !norm(fields.manufacturer) ||
          norm(d.manufacturer) === norm(fields.manufacturer))
    )
    if (byModel.length === 1) return byModel[0].id
  }
  return fitting.length === 1 ? fitting[0].id : null
}

/** Keeps the exam's device fields and the matched device (each intake run replaces the last). */
export async function rememberDevice(exam: Exam, fields: StudyDeviceFields) {
  const devices = (
    await db
      .from('equipment')
      .where('institution_id', exam.institutionId)
      .select('id', 'kind', 'asset_no', 'model', 'manufacturer', 'status')
  ).map((r: any) => ({
    id: Number(r.id),
    kind: r.kind,
    assetNo: r.asset_no,
    model: r.model,
    manufacturer: r.manufacturer,
    status: r.status,
  }))
  const cut = (v: string | null) => (v && v.trim() ? v.trim().slice(0, 64) : null)
  const row = {
    exam_id: exam.id,
    station_name: cut(fields.stationName),
    serial_number: cut(fields.serialNumber),
    manufacturer: cut(fields.manufacturer),
    model: cut(fields.model),
    equipment_id: matchDevice(fields, exam.modality, devices),
  }
  await db.knexQuery().table('qc_exam_devices').insert(row).onConflict('exam_id').merge()
  return row.equipment_id
}
