import zlib from 'node:zlib'
import { newUid } from '#database/demo/synthetic_dicom'

/*
| DICOM files written byte by byte, for what a DICOM library would not write
| on request: another character set with its raw bytes (GB2312 with ISO 2022
| escapes), a deflated dataset, no preamble or meta header, a tag twice.
*/

type Value = string | Buffer

function pad(value: Value, vr: string) {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, 'latin1')
  if (bytes.length % 2 === 0) return bytes
  return Buffer.concat([bytes, Buffer.from([vr === 'UI' || vr === 'OB' ? 0 : 0x20])])
}

const LONG = new Set(['OB', 'OW', 'SQ', 'UN', 'UT', 'UC', 'UR', 'OD', 'OF', 'OL', 'OV', 'SV', 'UV'])

export function element(group: number, elementNo: number, vr: string, value: Value | number) {
  let bytes: Buffer
  if (typeof value === 'number') {
    bytes = Buffer.alloc(2)
    bytes.writeUInt16LE(value)
  } else {
    bytes = pad(value, vr)
  }
  const head = Buffer.alloc(LONG.has(vr) ? 12 : 8)
  head.writeUInt16LE(group, 0)
  head.writeUInt16LE(elementNo, 2)
  head.write(vr, 4, 'latin1')
  if (LONG.has(vr)) head.writeUInt32LE(bytes.length, 8)
  else head.writeUInt16LE(bytes.length, 6)
  return Buffer.concat([head, bytes])
}

export interface HandMadeSpec {
  patientId: string
  accessionNumber?: string
  modality?: string
  characterSet?: string
  /** raw bytes of PatientName, as the modality wrote them */
  patientName?: Buffer | string
  studyInstanceUid?: string
  seriesInstanceUid?: string
  sopInstanceUid?: string
  studyDate?: string
  /** elements added after the identifying ones (e.g. a duplicate tag) */
  extra?: Buffer[]
}

const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2'

/** The dataset of a small 16×16 CT-like image, explicit VR little endian. */
export function dataset(spec: HandMadeSpec) {
  const sop = spec.sopInstanceUid ?? newUid()
  const parts = [
    element(0x0008, 0x0005, 'CS', spec.characterSet ?? 'ISO_IR 100'),
    element(0x0008, 0x0016, 'UI', CT_IMAGE),
    element(0x0008, 0x0018, 'UI', sop),
    element(0x0008, 0x0020, 'DA', spec.studyDate ?? '20261122'),
    element(0x0008, 0x0050, 'SH', spec.accessionNumber ?? ''),
    element(0x0008, 0x0060, 'CS', spec.modality ?? 'CT'),
    element(0x0010, 0x0010, 'PN', spec.patientName ?? 'Test^Patient'),
    element(0x0010, 0x0020, 'LO', spec.patientId),
    ...(spec.extra ?? []),
    element(0x0020, 0x000d, 'UI', spec.studyInstanceUid ?? newUid()),
    element(0x0020, 0x000e, 'UI', spec.seriesInstanceUid ?? newUid()),
    element(0x0020, 0x0013, 'IS', '1'),
    element(0x0028, 0x0002, 'US', 1),
    element(0x0028, 0x0004, 'CS', 'MONOCHROME2'),
    element(0x0028, 0x0010, 'US', 16),
    element(0x0028, 0x0011, 'US', 16),
    element(0x0028, 0x0100, 'US', 16),
    element(0x0028, 0x0101, 'US', 12),
    element(0x0028, 0x0102, 'US', 11),
    element(0x0028, 0x0103, 'US', 0),
    element(0x7fe0, 0x0010, 'OW', Buffer.alloc(16 * 16 * 2, 0x10)),
  ]
  return { bytes: Buffer.concat(parts), sopInstanceUid: sop }
}

function meta(sopInstanceUid: string, transferSyntax: string) {
  const body = Buffer.concat([
    element(0x0002, 0x0001, 'OB', Buffer.from([0, 1])),
    element(0x0002, 0x0002, 'UI', CT_IMAGE),
    element(0x0002, 0x0003, 'UI', sopInstanceUid),
    element(0x0002, 0x0010, 'UI', transferSyntax),
    element(0x0002, 0x0012, 'UI', '1.2.826.0.1.3680043.10.1447.2'),
  ])
  const length = Buffer.alloc(4)
  length.writeUInt32LE(body.length)
  return Buffer.concat([
    element(0x0002, 0x0000, 'UL', Buffer.alloc(0)).subarray(0, 6),
    Buffer.from([4, 0]),
    length,
    body,
  ])
}

/** A Part 10 file: preamble, meta header, dataset (optionally deflated). */
export function handMadeFile(spec: HandMadeSpec, { deflated = false, preamble = true } = {}) {
  const data = dataset(spec)
  if (!preamble) return data.bytes
  const transferSyntax = deflated ? '1.2.840.10008.1.2.1.99' : '1.2.840.10008.1.2.1'
  const body = deflated ? zlib.deflateRawSync(data.bytes) : data.bytes
  return Buffer.concat([
    Buffer.alloc(128),
    Buffer.from('DICM', 'latin1'),
    meta(data.sopInstanceUid, transferSyntax),
    body,
  ])
}
