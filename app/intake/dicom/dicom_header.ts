import zlib from 'node:zlib'
import { decodeDicomText } from './character_sets.js'

/*
| Reads the identifying tags of a DICOM file from its first bytes, so an
| upload can be checked against its exam before a byte reaches Orthanc, without
| holding the file in memory. Stops at the first element after group 0028 or at
| Pixel Data; returns `need_more` when the prefix is too short.
|
| Orthanc (DCMTK) is the reference for what is readable, so this reader accepts
| what it accepts: files with or without the 128-byte preamble and meta header
| (the transfer syntax is then guessed from the first element, as DCMTK does),
| deflated datasets, VRs it does not know (read with a 4-byte length, PS3.5
| 6.2), and when a tag appears twice it keeps the first copy, as DCMTK's
| parser does (so the app's checks and Orthanc's index see the same patient).
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

export type InvalidReason = 'not_dicom' | 'malformed' | 'truncated' | 'unsupported_syntax'

export type HeaderParse =
  | { state: 'complete'; header: DicomHeader; layout: DatasetLayout }
  | { state: 'need_more' }
  | { state: 'invalid'; reason: InvalidReason }

/** Where the dataset starts and how it is encoded, for the structure check of the whole stream. */
export interface DatasetLayout {
  offset: number
  littleEndian: boolean
  explicit: boolean
  deflated: boolean
}

export const IMPLICIT_LE = '1.2.840.10008.1.2'
export const EXPLICIT_LE = '1.2.840.10008.1.2.1'
export const EXPLICIT_BE = '1.2.840.10008.1.2.2'
export const DEFLATED = '1.2.840.10008.1.2.1.99'

/** The VRs of PS3.5 Table 6.2-1. */
const KNOWN_VRS = new Set([
  'AE',
  'AS',
  'AT',
  'CS',
  'DA',
  'DS',
  'DT',
  'FL',
  'FD',
  'IS',
  'LO',
  'LT',
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'PN',
  'SH',
  'SL',
  'SQ',
  'SS',
  'ST',
  'SV',
  'TM',
  'UC',
  'UI',
  'UL',
  'UN',
  'UR',
  'US',
  'UT',
  'UV',
])
/** VRs whose explicit length is 4 bytes after 2 reserved bytes; unknown VRs are read the same way. */
const SHORT_LENGTH_VRS = new Set([
  'AE',
  'AS',
  'AT',
  'CS',
  'DA',
  'DS',
  'DT',
  'FL',
  'FD',
  'IS',
  'LO',
  'LT',
  'PN',
  'SH',
  'SL',
  'SS',
  'ST',
  'TM',
  'UI',
  'UL',
  'US',
])

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
/** Text decoded by the Specific Character Set (the others are ASCII by their VR). */
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
    const value = this.littleEndian
      ? this.buf.readUInt16LE(this.offset)
      : this.buf.readUInt16BE(this.offset)
    this.offset += 2
    return value
  }
  u32() {
    this.need(4)
    const value = this.littleEndian
      ? this.buf.readUInt32LE(this.offset)
      : this.buf.readUInt32BE(this.offset)
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
  if (tag >>> 16 === 0xfffe) return { tag, vr: null, length: cursor.u32() }
  if (!explicit) return { tag, vr: null, length: cursor.u32() }
  const vr = cursor.vr()
  if (SHORT_LENGTH_VRS.has(vr)) return { tag, vr, length: cursor.u16() }
  cursor.skip(2)
  return { tag, vr, length: cursor.u32() }
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
      if (element.length === UNDEFINED_LENGTH)
        skipUndefinedLength(cursor, explicit && element.vr !== 'UN', depth + 1)
      else cursor.skip(element.length)
    }
  }
}

function clean(value: string) {
  return value.replace(/[\0\s]+$/g, '').replace(/^[\0\s]+/, '')
}

/**
 * A dataset with no preamble and no meta header: DCMTK guesses the encoding
 * from the first element (a group it knows, in one byte order or the other,
 * followed by a VR or not). Null when it does not look like DICOM at all.
 */
function guessEncoding(
  buf: Buffer,
  offset: number,
  afterMeta = false
): { littleEndian: boolean; explicit: boolean; transferSyntaxUid: string } | null {
  if (buf.length < offset + 8) return null
  // Without a preamble the first group must look like a dataset's, or the file is not DICOM at all; after a
  // meta header that names no transfer syntax, any group does (DCMTK reads such files too).
  const plausible = afterMeta
    ? (group: number) => group < 0x7fe0
    : (group: number) => group >= 0x0002 && group <= 0x0028 && group % 2 === 0
  if (afterMeta && buf.readUInt16LE(offset) > buf.readUInt16BE(offset)) {
    const vr = buf.toString('latin1', offset + 4, offset + 6)
    if (KNOWN_VRS.has(vr))
      return { littleEndian: false, explicit: true, transferSyntaxUid: EXPLICIT_BE }
  }
  const le = buf.readUInt16LE(offset)
  const be = buf.readUInt16BE(offset)
  const vr = buf.toString('latin1', offset + 4, offset + 6)
  const explicit = KNOWN_VRS.has(vr)
  if (plausible(le))
    return explicit
      ? { littleEndian: true, explicit, transferSyntaxUid: EXPLICIT_LE }
      : { littleEndian: true, explicit, transferSyntaxUid: IMPLICIT_LE }
  if (plausible(be) && explicit)
    return { littleEndian: false, explicit, transferSyntaxUid: EXPLICIT_BE }
  return null
}

/** Parses the meta group (explicit VR little endian); returns the transfer syntax and where the dataset starts. */
function readMeta(buf: Buffer, offset: number) {
  const meta = new Cursor(buf, offset, true)
  let transferSyntaxUid = ''
  for (;;) {
    meta.need(2)
    if (buf.readUInt16LE(meta.offset) !== 0x0002) break
    const element = readElementHead(meta, true)
    if (element.length === UNDEFINED_LENGTH) throw new Malformed()
    const value = meta.bytes(element.length)
    if (element.tag === 0x00020010 && !transferSyntaxUid)
      transferSyntaxUid = clean(value.toString('latin1'))
  }
  return { transferSyntaxUid, datasetOffset: meta.offset }
}

/** The dataset of a deflated file, inflated as far as the prefix allows. */
function inflatePrefix(buf: Buffer, offset: number, ended: boolean) {
  try {
    return zlib.inflateRawSync(buf.subarray(offset), {
      finishFlush: ended ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH,
    })
  } catch (error: any) {
    if (ended && /unexpected end/i.test(String(error?.message))) throw new NeedMore()
    throw new Malformed()
  }
}

/**
 * @param buf    the first bytes of the file
 * @param ended  true when buf is the whole file (so "need more" means truncated)
 */
export function parseDicomHeader(buf: Buffer, ended: boolean): HeaderParse {
  const raw: Partial<Record<keyof DicomHeader, Buffer>> = {}
  let transferSyntaxUid = ''
  let layout: DatasetLayout
  try {
    const hasPreamble = buf.length >= 132 && buf.toString('latin1', 128, 132) === 'DICM'
    if (!hasPreamble && buf.length < 132 && !ended) {
      // Could still be a file with a preamble; a dataset without one is recognisable from 8 bytes on.
      if (buf.length < 8 || (buf.length >= 8 && !guessEncoding(buf, 0) && buf.length < 132))
        return { state: 'need_more' }
    }
    const start = hasPreamble ? 132 : 0
    let datasetOffset = start
    if (buf.length >= start + 2 && buf.readUInt16LE(start) === 0x0002) {
      const meta = readMeta(buf, start)
      transferSyntaxUid = meta.transferSyntaxUid
      datasetOffset = meta.datasetOffset
    } else if (!hasPreamble && !guessEncoding(buf, 0)) {
      return { state: 'invalid', reason: 'not_dicom' }
    }
    let deflated = false
    let littleEndian = true
    let explicit = true
    if (!transferSyntaxUid) {
      // No transfer syntax in the meta header (or no meta header): guessed as DCMTK does.
      const guessed = guessEncoding(buf, datasetOffset, datasetOffset > start)
      if (!guessed) {
        if (buf.length < datasetOffset + 8) throw new NeedMore()
        return { state: 'invalid', reason: hasPreamble ? 'malformed' : 'not_dicom' }
      }
      ;({ littleEndian, explicit, transferSyntaxUid } = guessed)
    } else {
      deflated = transferSyntaxUid === DEFLATED
      littleEndian = transferSyntaxUid !== EXPLICIT_BE
      explicit = transferSyntaxUid !== IMPLICIT_LE
    }
    layout = { offset: datasetOffset, littleEndian, explicit, deflated }

    const data = deflated ? inflatePrefix(buf, datasetOffset, ended) : buf
    const cursor = new Cursor(data, deflated ? 0 : datasetOffset, littleEndian)
    for (;;) {
      if (cursor.offset >= data.length && ended) break
      cursor.need(4)
      const group = littleEndian
        ? data.readUInt16LE(cursor.offset)
        : data.readUInt16BE(cursor.offset)
      if (group > LAST_WANTED_GROUP) break
      const element = readElementHead(cursor, explicit)
      if (element.tag === PIXEL_DATA) break
      const field = WANTED[element.tag]
      if (element.length === UNDEFINED_LENGTH) {
        // A UN element of undefined length holds implicit-VR items (PS3.5 6.2.2).
        skipUndefinedLength(cursor, explicit && element.vr !== 'UN')
      } else if (field && raw[field] === undefined) {
        // The first copy of a repeated tag counts, as in DCMTK (and so in Orthanc's index).
        raw[field] = cursor.bytes(element.length)
      } else {
        cursor.skip(element.length)
      }
    }
  } catch (error) {
    if (error instanceof NeedMore)
      return ended ? { state: 'invalid', reason: 'truncated' } : { state: 'need_more' }
    if (error instanceof Malformed) return { state: 'invalid', reason: 'malformed' }
    throw error
  }

  const characterSet = raw.specificCharacterSet
    ? clean(raw.specificCharacterSet.toString('latin1'))
    : null
  const header = { transferSyntaxUid, specificCharacterSet: characterSet } as DicomHeader
  for (const [tag, field] of Object.entries(WANTED)) {
    if (field === 'specificCharacterSet') continue
    const value = raw[field]
    const text = value
      ? clean(
          TEXT_TAGS.has(Number(tag))
            ? decodeDicomText(value, characterSet, Number(tag) === 0x00100010)
            : value.toString('latin1')
        )
      : ''
    header[field] = text === '' ? null : (text as any)
  }
  return { state: 'complete', header, layout }
}

/*
| Follows the element structure of a whole file as it streams past (headers
| read, values skipped, nothing kept), so that a file cut short is refused as
| "truncated", with that reason, before Orthanc stores it: Orthanc itself
| refuses most such files as "invalid DICOM" and keeps some with their pixels
| cut off.
*/
type Frame = { kind: 'sequence'; explicit: boolean } | { kind: 'item'; explicit: boolean }

export class DicomStructure {
  #pending: Buffer = Buffer.alloc(0)
  #skip = 0
  #position = 0
  #stack: Frame[] = []
  #broken = false

  constructor(readonly layout: DatasetLayout) {
    this.#skip = layout.deflated ? Number.POSITIVE_INFINITY : layout.offset
  }

  feed(chunk: Buffer) {
    if (this.layout.deflated || this.#broken) return
    let data = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk
    let offset = 0
    for (;;) {
      if (this.#skip > 0) {
        const step = Math.min(this.#skip, data.length - offset)
        this.#skip -= step
        offset += step
        if (this.#skip > 0) break
      }
      const consumed = this.#next(data, offset)
      if (consumed === 0) break
      offset += consumed
    }
    this.#position += offset
    this.#pending = data.subarray(offset)
    if (this.#pending.length > 64) this.#broken = true
    data = Buffer.alloc(0)
  }

  /** Reads one element head at `offset`; returns the bytes it took, 0 when more are needed. */
  #next(data: Buffer, offset: number) {
    const { littleEndian } = this.layout
    const frame = this.#stack[this.#stack.length - 1]
    const explicit = frame ? frame.explicit : this.layout.explicit
    if (data.length - offset < 8) return 0
    const u16 = (at: number) => (littleEndian ? data.readUInt16LE(at) : data.readUInt16BE(at))
    const u32 = (at: number) => (littleEndian ? data.readUInt32LE(at) : data.readUInt32BE(at))
    const tag = ((u16(offset) << 16) | u16(offset + 2)) >>> 0
    if (tag >>> 16 === 0xfffe) {
      const length = u32(offset + 4)
      if (tag === SEQUENCE_END || tag === ITEM_END) {
        this.#stack.pop()
      } else if (tag === ITEM) {
        if (length === UNDEFINED_LENGTH) this.#stack.push({ kind: 'item', explicit })
        else this.#skip = length
      }
      return 8
    }
    let length: number
    let vr: string | null = null
    let size = 8
    if (!explicit) {
      length = u32(offset + 4)
    } else {
      vr = data.toString('latin1', offset + 4, offset + 6)
      if (SHORT_LENGTH_VRS.has(vr)) {
        length = u16(offset + 6)
      } else {
        if (data.length - offset < 12) return 0
        length = u32(offset + 8)
        size = 12
      }
    }
    if (length === UNDEFINED_LENGTH)
      this.#stack.push({ kind: 'sequence', explicit: explicit && vr !== 'UN' })
    else this.#skip = length
    return size
  }

  /** After the last byte: was every element whole? (Unknown for deflated data: Orthanc decides.) */
  verdict(): 'whole' | 'truncated' | 'unknown' {
    if (this.layout.deflated || this.#broken) return 'unknown'
    if (this.#skip > 0 || this.#pending.length > 0) return 'truncated'
    // An open sequence at the end: only encapsulated pixel data is ever left open by a cut.
    return this.#stack.length > 0 ? 'truncated' : 'whole'
  }
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

export function isLossyTransferSyntax(transferSyntaxUid: string | null | undefined) {
  return !!transferSyntaxUid && LOSSY_TRANSFER_SYNTAXES.has(transferSyntaxUid.trim())
}

export function isLossy(header: Pick<DicomHeader, 'transferSyntaxUid' | 'lossyImageCompression'>) {
  return isLossyTransferSyntax(header.transferSyntaxUid) || header.lossyImageCompression === '01'
}
