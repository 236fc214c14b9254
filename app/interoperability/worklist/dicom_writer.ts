import iconv from 'iconv-lite'

/*
| A small DICOM dataset writer (explicit or implicit VR little endian) for worklist
| answers and DIMSE command sets.
| Written by hand because the one DICOM library in the project (dcmjs) always
| encodes text as UTF-8, and clinic devices that only read GB18030 need the
| patient's name in GB18030 bytes (PS3.5 6.1.2.5.3, "GB18030" defined term).
| Text is encoded with iconv-lite; everything else is ASCII.
*/

/** The character sets a device may read its worklist in (PS3.3 C.12.1.1.2 defined terms). */
export const WORKLIST_CHARSETS = ['ISO_IR 192', 'GB18030'] as const
export type WorklistCharset = (typeof WORKLIST_CHARSETS)[number]

export type Element =
  | {
      tag: number
      vr: 'AE' | 'CS' | 'DA' | 'TM' | 'UI' | 'SH' | 'LO' | 'PN' | 'LT' | 'DS' | 'IS'
      value: string | null | undefined
    }
  | { tag: number; vr: 'US'; value: number }
  | { tag: number; vr: 'UL'; value: number }
  | { tag: number; vr: 'SQ'; items: Element[][] }

const LONG_VRS = new Set(['OB', 'OW', 'SQ', 'UN', 'UT', 'UC', 'UR'])
/** Value representations whose text takes the dataset's specific character set (PS3.5 6.1.2.3). */
const TEXT_VRS = new Set(['SH', 'LO', 'PN', 'LT', 'ST', 'UT'])

export const WORKLIST_SOP_CLASS = '1.2.840.10008.5.1.4.31'

function tagHeader(tag: number, vr: string, length: number, explicit = true) {
  if (!explicit) {
    const header = Buffer.alloc(8)
    header.writeUInt16LE(tag >>> 16, 0)
    header.writeUInt16LE(tag & 0xffff, 2)
    header.writeUInt32LE(length, 4)
    return header
  }
  const long = LONG_VRS.has(vr)
  const header = Buffer.alloc(long ? 12 : 8)
  header.writeUInt16LE(tag >>> 16, 0)
  header.writeUInt16LE(tag & 0xffff, 2)
  header.write(vr, 4, 'ascii')
  if (long) header.writeUInt32LE(length, 8)
  else header.writeUInt16LE(length, 6)
  return header
}

/*
| A worklist answer repeats the same few texts (catalogue item names, doctors,
| the clinic's AE title) in every item: their GB18030 bytes are computed once and
| kept in a bounded cache (emptied when full) instead of per element per exam.
*/
const GB18030_CACHE_MAX = 20_000
const gb18030Cache = new Map<string, Buffer>()

function gb18030(value: string) {
  let bytes = gb18030Cache.get(value)
  if (!bytes) {
    if (gb18030Cache.size >= GB18030_CACHE_MAX) gb18030Cache.clear()
    bytes = iconv.encode(value, 'gb18030')
    gb18030Cache.set(value, bytes)
  }
  return bytes
}

function valueBytes(vr: string, value: string, charset: WorklistCharset) {
  let bytes =
    TEXT_VRS.has(vr) && charset === 'GB18030'
      ? gb18030(value)
      : Buffer.from(value, TEXT_VRS.has(vr) ? 'utf8' : 'ascii')
  if (bytes.length % 2) bytes = Buffer.concat([bytes, Buffer.from([vr === 'UI' ? 0 : 0x20])])
  return bytes
}

/** A dataset in explicit (default) or implicit VR little endian, elements in tag order, lengths defined. */
export function encodeElements(
  elements: Element[],
  charset: WorklistCharset,
  explicit = true
): Buffer {
  const sorted = [...elements].sort((a, b) => a.tag - b.tag)
  const parts: Buffer[] = []
  for (const element of sorted) {
    if (element.vr === 'SQ') {
      const items = element.items.map((item) => {
        const body = encodeElements(item, charset, explicit)
        const header = Buffer.alloc(8)
        header.writeUInt16LE(0xfffe, 0)
        header.writeUInt16LE(0xe000, 2)
        header.writeUInt32LE(body.length, 4)
        return Buffer.concat([header, body])
      })
      const body = Buffer.concat(items)
      parts.push(tagHeader(element.tag, 'SQ', body.length, explicit), body)
      continue
    }
    if (element.vr === 'US' || element.vr === 'UL') {
      const bytes = Buffer.alloc(element.vr === 'US' ? 2 : 4)
      if (element.vr === 'US') bytes.writeUInt16LE(element.value, 0)
      else bytes.writeUInt32LE(element.value, 0)
      parts.push(tagHeader(element.tag, element.vr, bytes.length, explicit), bytes)
      continue
    }
    const bytes = valueBytes(element.vr, element.value ?? '', charset)
    if (explicit && bytes.length > 0xffff)
      throw new Error(`value of ${element.tag.toString(16)} too long`)
    parts.push(tagHeader(element.tag, element.vr, bytes.length, explicit), bytes)
  }
  return Buffer.concat(parts)
}

/** The identifier of one worklist answer: its Specific Character Set first, then the item. */
export function worklistIdentifier(elements: Element[], charset: WorklistCharset, explicit = true) {
  return encodeElements(
    [{ tag: 0x00080005, vr: 'CS', value: charset }, ...elements],
    charset,
    explicit
  )
}
