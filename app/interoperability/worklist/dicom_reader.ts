/*
| Reads a C-FIND identifier (or a command set) in implicit or explicit VR
| little endian into the shape Orthanc's DicomBufferToJson "short" format has:
| "gggg,eeee" → text value, or an array of items for a sequence. Only what a
| worklist query carries is needed: text keys and the Scheduled Procedure Step
| Sequence; binary values are skipped.
*/

export type ParsedValue = string | ParsedDataset[]
export type ParsedDataset = Record<string, ParsedValue>

const LONG_VRS = new Set([
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'SQ',
  'SV',
  'UC',
  'UN',
  'UR',
  'UT',
  'UV',
])
const BINARY_VRS = new Set([
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'UN',
  'US',
  'UL',
  'SS',
  'SL',
  'FL',
  'FD',
  'AT',
  'SV',
  'UV',
])
/** Sequences a worklist query may carry; in implicit VR a sequence is known by its tag (or its undefined length). */
const KNOWN_SEQUENCES = new Set([
  '0040,0100',
  '0032,1064',
  '0040,0008',
  '0008,1110',
  '0008,1120',
  '0040,1002',
  '0008,1032',
  '0010,1002',
  '0040,000B',
])
const UNDEFINED = 0xffffffff

function tagKey(group: number, element: number) {
  return `${group.toString(16).padStart(4, '0')},${element.toString(16).padStart(4, '0')}`.toUpperCase()
}

class Cursor {
  constructor(
    public buffer: Buffer,
    public offset: number,
    public end: number
  ) {}
  get done() {
    return this.offset + 8 > this.end
  }
}

function readItems(cursor: Cursor, length: number, explicit: boolean): ParsedDataset[] {
  const items: ParsedDataset[] = []
  const stop = length === UNDEFINED ? cursor.end : cursor.offset + length
  while (cursor.offset + 8 <= stop) {
    const group = cursor.buffer.readUInt16LE(cursor.offset)
    const element = cursor.buffer.readUInt16LE(cursor.offset + 2)
    const itemLength = cursor.buffer.readUInt32LE(cursor.offset + 4)
    cursor.offset += 8
    if (group === 0xfffe && element === 0xe0dd) break // sequence delimitation
    if (group !== 0xfffe || element !== 0xe000) throw new Error('malformed sequence item')
    const itemEnd = itemLength === UNDEFINED ? stop : cursor.offset + itemLength
    const inner = new Cursor(cursor.buffer, cursor.offset, itemEnd)
    items.push(readInto(inner, explicit, itemLength === UNDEFINED))
    cursor.offset = itemLength === UNDEFINED ? inner.offset : itemEnd
  }
  if (length !== UNDEFINED) cursor.offset = stop
  return items
}

function readInto(cursor: Cursor, explicit: boolean, untilDelimiter = false): ParsedDataset {
  const dataset: ParsedDataset = {}
  const { buffer } = cursor
  while (!cursor.done) {
    const group = buffer.readUInt16LE(cursor.offset)
    const element = buffer.readUInt16LE(cursor.offset + 2)
    if (group === 0xfffe && element === 0xe00d) {
      cursor.offset += 8 // item delimitation
      if (untilDelimiter) return dataset
      continue
    }
    let vr = ''
    let length: number
    if (explicit) {
      vr = buffer.toString('latin1', cursor.offset + 4, cursor.offset + 6)
      if (LONG_VRS.has(vr)) {
        length = buffer.readUInt32LE(cursor.offset + 8)
        cursor.offset += 12
      } else {
        length = buffer.readUInt16LE(cursor.offset + 6)
        cursor.offset += 8
      }
    } else {
      length = buffer.readUInt32LE(cursor.offset + 4)
      cursor.offset += 8
    }
    const key = tagKey(group, element)
    if (vr === 'SQ' || (!explicit && (KNOWN_SEQUENCES.has(key) || length === UNDEFINED))) {
      dataset[key] = readItems(cursor, length, explicit)
      continue
    }
    if (length === UNDEFINED) throw new Error(`undefined length on ${key}`)
    if (cursor.offset + length > cursor.end) throw new Error(`value of ${key} runs past the end`)
    if (!BINARY_VRS.has(vr) && group !== 0x0000)
      dataset[key] = buffer
        .toString('latin1', cursor.offset, cursor.offset + length)
        .replace(/[\0 ]+$/, '')
    cursor.offset += length
  }
  return dataset
}

/** A dataset (the identifier of a query); text values are read as bytes (keys a worklist matches on are ASCII). */
export function readDataset(buffer: Buffer, explicit: boolean): ParsedDataset {
  return readInto(new Cursor(buffer, 0, buffer.length), explicit)
}

/** The fields of a DIMSE command set (always implicit VR little endian, PS3.7 6.3.1) the SCP needs. */
export function readCommand(buffer: Buffer) {
  const fields = new Map<number, Buffer>()
  let offset = 0
  while (offset + 8 <= buffer.length) {
    const element = buffer.readUInt16LE(offset + 2)
    const length = buffer.readUInt32LE(offset + 4)
    fields.set(element, buffer.subarray(offset + 8, offset + 8 + length))
    offset += 8 + length
  }
  const us = (e: number) => (fields.get(e)?.length === 2 ? fields.get(e)!.readUInt16LE(0) : null)
  const ui = (e: number) =>
    fields
      .get(e)
      ?.toString('latin1')
      .replace(/[\0 ]+$/, '') ?? ''
  return {
    affectedSopClass: ui(0x0002),
    commandField: us(0x0100),
    messageId: us(0x0110),
    dataSetType: us(0x0800),
  }
}
