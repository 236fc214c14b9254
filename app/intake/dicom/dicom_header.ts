/*
| Reads the identifying tags of a DICOM Part 10 file from its first bytes, so an
| upload can be checked against its exam before a byte reaches Orthanc, without
| holding the file in memory. Stops at the first element after group 0028 or at
| Pixel Data; returns `need_more` when the prefix is too short.
*/

export interface DicomHeader {
  transferSyntaxUid: string
  sopClassUid: string | null
  sopInstanceUid: string | null
  studyInstanceUid: string | null
  seriesInstanceUid: string | null
  patientId: string | null
  patientName: string | null
  patientSex: string | null
  patientBirthDate: string | null
  accessionNumber: string | null
  modality: string | null
  studyDate: string | null
  specificCharacterSet: string | null
  /** (0028,2110) "01" when the pixels were ever lossy-compressed */
  lossyImageCompression: string | null
}

export type HeaderParse =
  | { state: 'complete'; header: DicomHeader }
  | { state: 'need_more' }
  | { state: 'invalid'; reason: 'not_dicom' | 'malformed' | 'unsupported_syntax' }

const IMPLICIT_LE = '1.2.840.10008.1.2'
const EXPLICIT_BE = '1.2.840.10008.1.2.2'
const DEFLATED = '1.2.840.10008.1.2.1.99'

/** VRs whose explicit length is 4 bytes after 2 reserved bytes. */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV'])

const WANTED: Record<number, keyof DicomHeader> = {
  0x00080005: 'specificCharacterSet',
  0x00080016: 'sopClassUid',
  0x00080018: 'sopInstanceUid',
  0x00080020: 'studyDate',
  0x00080050: 'accessionNumber',
  0x00080060: 'modality',
  0x00100010: 'patientName',
  0x00100020: 'patientId',
  0x00100030: 'patientBirthDate',
  0x00100040: 'patientSex',
  0x0020000d: 'studyInstanceUid',
  0x0020000e: 'seriesInstanceUid',
  0x00282110: 'lossyImageCompression',
}
const TEXT_TAGS = new Set([0x00100010, 0x00100020, 0x00080050])
const PIXEL_DATA = 0x7fe00010
const LAST_WANTED_GROUP = 0x0028
const UNDEFINED_LENGTH = 0xffffffff
const ITEM = 0xfffee000
const ITEM_END = 0xfffee00d
const SEQUENCE_END = 0xfffee0dd

class NeedMore extends Error {}
class Malformed extends Error {}

class Cursor {
  offset: number
  constructor(
    readonly buf: Buffer,
    offset: number,
    public littleEndian = true
  ) {
    this.offset = offset
  }
  need(bytes: number) {
    if (this.offset + bytes > this.buf.length) throw new NeedMore()
  }
  u16() {
    this.need(2)
    const value = this.littleEndian ? this.buf.readUInt16LE(this.offset) : this.buf.readUInt16BE(this.offset)
    this.offset += 2
    return value
  }
  u32() {
    this.need(4)
    const value = this.littleEndian ? this.buf.readUInt32LE(this.offset) : this.buf.readUInt32BE(this.offset)
    this.offset += 4
    return value
  }
  tag() {
    const group = this.u16()
    const element = this.u16()
    return ((group << 16) | element) >>> 0
  }
  vr() {
    this.need(2)
    const vr = this.buf.toString('latin1', this.offset, this.offset + 2)
    this.offset += 2
    return vr
  }
  bytes(length: number) {
    this.need(length)
    const slice = this.buf.subarray(this.offset, this.offset + length)
    this.offset += length
    return slice
  }
  skip(length: number) {
    this.need(length)
    this.offset += length
  }
}

interface Element {
  tag: number
  vr: string | null
  length: number
}

function readElementHead(cursor: Cursor, explicit: boolean): Element {
  const tag = cursor.tag()
  // Item and delimitation tags never carry a VR.
  if ((tag >>> 16) === 0xfffe) return { tag, vr: null, length: cursor.u32() }
  if (!explicit) return { tag, vr: null, length: cursor.u32() }
  const vr = cursor.vr()
  if (!/^[A-Z]{2}$/.test(vr)) throw new Malformed()
  if (LONG_VRS.has(vr)) {
    cursor.skip(2)
    return { tag, vr, length: cursor.u32() }
  }
  return { tag, vr, length: cursor.u16() }
}

/** Skips the items of a sequence (or encapsulated pixel fragments) of undefined length. */
function skipUndefinedLength(cursor: Cursor, explicit: boolean, depth = 0) {
  if (depth > 16) throw new Malformed()
  for (;;) {
    const tag = cursor.tag()
    const length = cursor.u32()
    if (tag === SEQUENCE_END) return
    if (tag !== ITEM) throw new Malformed()
    if (length !== UNDEFINED_LENGTH) {
      cursor.skip(length)
      continue
    }
    // An item of undefined length: its elements until the item delimiter.
    for (;;) {
      const element = readElementHead(cursor, explicit)
      if (element.tag === ITEM_END) break
      if (element.length === UNDEFINED_LENGTH) skipUndefinedLength(cursor, explicit && element.vr !== 'UN', depth + 1)
      else cursor.skip(element.length)
    }
  }
}

function decoderFor(characterSet: string | null) {
  const set = (characterSet || '').split('\\').pop()!.trim().toUpperCase()
  if (set === 'ISO_IR 192') return new TextDecoder('utf-8')
  if (set === 'GB18030' || set === 'GBK') return new TextDecoder('gb18030')
  if (set === 'ISO_IR 100') return new TextDecoder('latin1')
  return new TextDecoder('utf-8')
}

function clean(value: string) {
  return value.replace(/[\0\s]+$/g, '').replace(/^\s+/, '')
}

/**
 * @param buf    the first bytes of the file
 * @param ended  true when buf is the whole file (so "need more" means malformed)
 */
export function parseDicomHeader(buf: Buffer, ended: boolean): HeaderParse {
  if (buf.length < 132) return ended ? { state: 'invalid', reason: 'not_dicom' } : { state: 'need_more' }
  if (buf.toString('latin1', 128, 132) !== 'DICM') return { state: 'invalid', reason: 'not_dicom' }

  const raw: Partial<Record<keyof DicomHeader, Buffer>> = {}
  let transferSyntaxUid = ''
  try {
    // File meta information: always explicit VR little endian.
    const meta = new Cursor(buf, 132, true)
    for (;;) {
      meta.need(2)
      if (buf.readUInt16LE(meta.offset) !== 0x0002) break
      const element = readElementHead(meta, true)
      if (element.length === UNDEFINED_LENGTH) throw new Malformed()
      const value = meta.bytes(element.length)
      if (element.tag === 0x00020010) transferSyntaxUid = clean(value.toString('latin1'))
    }
    if (!transferSyntaxUid) return { state: 'invalid', reason: 'malformed' }
    if (transferSyntaxUid === DEFLATED) return { state: 'invalid', reason: 'unsupported_syntax' }

    const explicit = transferSyntaxUid !== IMPLICIT_LE
    const cursor = new Cursor(buf, meta.offset, transferSyntaxUid !== EXPLICIT_BE)
    for (;;) {
      if (cursor.offset >= buf.length && ended) break
      cursor.need(4)
      const group = cursor.littleEndian ? buf.readUInt16LE(cursor.offset) : buf.readUInt16BE(cursor.offset)
      if (group > LAST_WANTED_GROUP) break
      const element = readElementHead(cursor, explicit)
      if (element.tag === PIXEL_DATA) break
      const field = WANTED[element.tag]
      if (element.length === UNDEFINED_LENGTH) {
        // A UN element of undefined length holds implicit-VR items (PS3.5 6.2.2).
        skipUndefinedLength(cursor, explicit && element.vr !== 'UN')
      } else if (field) {
        raw[field] = cursor.bytes(element.length)
      } else {
        cursor.skip(element.length)
      }
    }
  } catch (error) {
    if (error instanceof NeedMore) return ended ? { state: 'invalid', reason: 'malformed' } : { state: 'need_more' }
    if (error instanceof Malformed) return { state: 'invalid', reason: 'malformed' }
    throw error
  }

  const characterSet = raw.specificCharacterSet ? clean(raw.specificCharacterSet.toString('latin1')) : null
  const decoder = decoderFor(characterSet)
  const header = { transferSyntaxUid, specificCharacterSet: characterSet } as DicomHeader
  for (const [tag, field] of Object.entries(WANTED)) {
    if (field === 'specificCharacterSet') continue
    const value = raw[field]
    const text = value ? clean(TEXT_TAGS.has(Number(tag)) ? decoder.decode(value) : value.toString('latin1')) : ''
    header[field] = text === '' ? null : (text as any)
  }
  return { state: 'complete', header }
}

/**
 * Transfer syntaxes that may have lost information. R 7.1: images exchanged for
 * mutual recognition must be lossless, so these are refused at intake.
 */
export const LOSSY_TRANSFER_SYNTAXES = new Set([
  '1.2.840.10008.1.2.4.50', // JPEG baseline
  '1.2.840.10008.1.2.4.51', // JPEG extended
  '1.2.840.10008.1.2.4.52',
  '1.2.840.10008.1.2.4.53',
  '1.2.840.10008.1.2.4.54',
  '1.2.840.10008.1.2.4.55',
  '1.2.840.10008.1.2.4.56',
  '1.2.840.10008.1.2.4.59',
  '1.2.840.10008.1.2.4.60',
  '1.2.840.10008.1.2.4.61',
  '1.2.840.10008.1.2.4.62',
  '1.2.840.10008.1.2.4.63',
  '1.2.840.10008.1.2.4.64',
  '1.2.840.10008.1.2.4.81', // JPEG-LS near-lossless
  '1.2.840.10008.1.2.4.91', // JPEG 2000 (lossy allowed)
  '1.2.840.10008.1.2.4.93', // JPEG 2000 part 2 (lossy allowed)
  '1.2.840.10008.1.2.4.100', // MPEG-2
  '1.2.840.10008.1.2.4.101',
  '1.2.840.10008.1.2.4.102', // MPEG-4
  '1.2.840.10008.1.2.4.103',
  '1.2.840.10008.1.2.4.104',
  '1.2.840.10008.1.2.4.105',
  '1.2.840.10008.1.2.4.106',
  '1.2.840.10008.1.2.4.107', // HEVC
  '1.2.840.10008.1.2.4.108',
  '1.2.840.10008.1.2.4.203', // HTJ2K (lossy allowed)
])

export function isLossy(header: DicomHeader) {
  return LOSSY_TRANSFER_SYNTAXES.has(header.transferSyntaxUid) || header.lossyImageCompression === '01'
}
