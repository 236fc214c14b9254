/*
| Synthetic DICOM for the demo county, the tests and the benchmarks: valid
| Part 10 files (dcmjs), lossless explicit VR little endian, with pixel data
| drawn as simple phantoms so thumbnails look like a chest film, a CT slice or
| a brain MR rather than noise.
*/
import { createRequire } from 'node:module'

// dcmjs's ES build is a .js file in a CommonJS package, which Node cannot load through
// the TypeScript loader; its CommonJS build loads everywhere.
const dcmjs = createRequire(import.meta.url)('dcmjs')
const { DicomDict, DicomMetaDictionary } = dcmjs.data

export type SyntheticModality = 'DR' | 'CT' | 'MR'

export interface StudySpec {
  patientName: string
  patientId: string
  patientSex?: string
  patientBirthDate?: string
  accessionNumber?: string
  studyDate?: string
  studyDescription?: string
  modality: SyntheticModality
  studyInstanceUid?: string
  /** HHMMSS (default 093000) */
  studyTime?: string
  /** Body Part Examined (0018,0015), e.g. CHEST */
  bodyPart?: string
  /** Operators' Name (0008,1070): the technologist */
  operatorsName?: string
  /** Station Name (0008,1010), Manufacturer (0008,0070), Manufacturer's Model Name (0008,1090), Device Serial Number (0018,1000) */
  stationName?: string
  manufacturer?: string
  modelName?: string
  deviceSerialNumber?: string
}

export interface InstanceSpec {
  seriesInstanceUid: string
  seriesNumber: number
  instanceNumber: number
  sopInstanceUid?: string
  /** 0..1 position through the series, drives the phantom's slice */
  position?: number
  rows?: number
  columns?: number
  /** overrides the transfer syntax written in the meta header (to test refusals) */
  transferSyntaxUid?: string
  lossyImageCompression?: '00' | '01'
}

const SOP_CLASS: Record<SyntheticModality, string> = {
  DR: '1.2.840.10008.5.1.4.1.1.1.1', // Digital X-Ray Image Storage - For Presentation
  CT: '1.2.840.10008.5.1.4.1.1.2',
  MR: '1.2.840.10008.5.1.4.1.1.4',
}
const DICOM_MODALITY: Record<SyntheticModality, string> = { DR: 'DX', CT: 'CT', MR: 'MR' }

export function newUid() {
  return DicomMetaDictionary.uid() as string
}

function phantom(modality: SyntheticModality, rows: number, columns: number, position: number) {
  const pixels = new Uint16Array(rows * columns)
  const cx = columns / 2
  const cy = rows / 2
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x++) {
      const nx = (x - cx) / cx
      const ny = (y - cy) / cy
      let value = 0
      if (modality === 'CT') {
        // Stored value = HU + 1024. Body ellipse, two lungs shrinking through the series, a spine.
        const body = (nx * nx) / 0.85 + (ny * ny) / 0.6 < 1
        const lungScale = 0.25 + 0.15 * Math.sin(Math.PI * position)
        const lung =
          (nx + 0.38) ** 2 / lungScale + (ny * ny) / (lungScale * 1.6) < 0.12 ||
          (nx - 0.38) ** 2 / lungScale + (ny * ny) / (lungScale * 1.6) < 0.12
        const spine = nx * nx + (ny - 0.4) ** 2 < 0.012
        value = body
          ? spine
            ? 1024 + 700
            : lung
              ? 1024 - 820
              : 1024 + 40 + ((x * 7 + y * 3) % 20)
          : 24
      } else if (modality === 'MR') {
        const head = (nx * nx) / 0.6 + (ny * ny) / 0.78 < 1
        const brain = (nx * nx) / 0.5 + (ny * ny) / 0.66 < 1
        const ventricle = Math.abs(nx) < 0.08 + 0.05 * position && Math.abs(ny) < 0.25
        value = head ? (brain ? (ventricle ? 1800 : 900 + ((x + y) % 40)) : 1400) : 0
      } else {
        // A chest film: bright mediastinum and ribs, darker lungs.
        const chest = (nx * nx) / 0.8 + (ny * ny) / 0.95 < 1
        const mediastinum = Math.abs(nx) < 0.16
        const rib = Math.sin((ny + 1) * 14 + Math.abs(nx) * 3) > 0.75
        value = chest ? (mediastinum ? 3200 : rib ? 2600 : 900 + Math.abs(nx) * 600) : 3900
      }
      pixels[y * columns + x] = Math.max(0, Math.min(4095, Math.round(value)))
    }
  }
  return pixels
}

/** One Part 10 file as a Buffer. */
export function syntheticInstance(study: StudySpec, instance: InstanceSpec): Buffer {
  const rows = instance.rows ?? (study.modality === 'DR' ? 512 : 256)
  const columns = instance.columns ?? rows
  const sopClassUid = SOP_CLASS[study.modality]
  const sopInstanceUid = instance.sopInstanceUid ?? newUid()
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: sopClassUid,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: instance.transferSyntaxUid ?? '1.2.840.10008.1.2.1',
    ImplementationClassUID: '1.2.826.0.1.3680043.10.1447.1',
    ImplementationVersionName: 'COUNTYIMG_1',
  }
  const pixels = phantom(study.modality, rows, columns, instance.position ?? 0.5)
  const dataset: Record<string, unknown> = {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: sopClassUid,
    SOPInstanceUID: sopInstanceUid,
    StudyDate: study.studyDate ?? '20261122',
    StudyTime: study.studyTime ?? '093000',
    AccessionNumber: study.accessionNumber ?? '',
    Modality: DICOM_MODALITY[study.modality],
    StudyDescription: study.studyDescription ?? '',
    PatientName: study.patientName,
    PatientID: study.patientId,
    PatientBirthDate: study.patientBirthDate ?? '',
    PatientSex: study.patientSex ?? '',
    StudyInstanceUID: study.studyInstanceUid ?? newUid(),
    SeriesInstanceUID: instance.seriesInstanceUid,
    StudyID: '1',
    SeriesNumber: String(instance.seriesNumber),
    InstanceNumber: String(instance.instanceNumber),
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    PixelData: pixels.buffer,
    _vrMap: { PixelData: 'OW' },
  }
  if (study.modality === 'CT') {
    Object.assign(dataset, {
      RescaleIntercept: '-1024',
      RescaleSlope: '1',
      WindowCenter: '40',
      WindowWidth: '400',
      SliceThickness: '5',
      ImagePositionPatient: [0, 0, (instance.instanceNumber - 1) * 5],
      ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
      PixelSpacing: [0.8, 0.8],
    })
  } else if (study.modality === 'MR') {
    Object.assign(dataset, { WindowCenter: '1000', WindowWidth: '2000', SliceThickness: '5' })
  } else {
    Object.assign(dataset, {
      WindowCenter: '2048',
      WindowWidth: '4096',
      ImageType: ['ORIGINAL', 'PRIMARY'],
      PresentationIntentType: 'FOR PRESENTATION',
    })
  }
  if (instance.lossyImageCompression) dataset.LossyImageCompression = instance.lossyImageCompression
  if (study.bodyPart) dataset.BodyPartExamined = study.bodyPart
  if (study.operatorsName) dataset.OperatorsName = study.operatorsName
  if (study.stationName) dataset.StationName = study.stationName
  if (study.manufacturer) dataset.Manufacturer = study.manufacturer
  if (study.modelName) dataset.ManufacturerModelName = study.modelName
  if (study.deviceSerialNumber) dataset.DeviceSerialNumber = study.deviceSerialNumber

  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta))
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset)
  return Buffer.from(dict.write())
}

/** A whole study: `series` series of `perSeries` instances each. */
export function syntheticStudy(
  study: StudySpec,
  series = 1,
  perSeries = study.modality === 'DR' ? 1 : 12
) {
  const studyInstanceUid = study.studyInstanceUid ?? newUid()
  const files: Array<{ name: string; data: Buffer; sopInstanceUid: string }> = []
  for (let s = 1; s <= series; s++) {
    const seriesInstanceUid = newUid()
    for (let i = 1; i <= perSeries; i++) {
      const sopInstanceUid = newUid()
      files.push({
        name: `S${s}/IM${String(i).padStart(4, '0')}.dcm`,
        sopInstanceUid,
        data: syntheticInstance(
          { ...study, studyInstanceUid },
          {
            seriesInstanceUid,
            seriesNumber: s,
            instanceNumber: i,
            sopInstanceUid,
            position: perSeries > 1 ? (i - 1) / (perSeries - 1) : 0.5,
          }
        ),
      })
    }
  }
  return { studyInstanceUid, files }
}
