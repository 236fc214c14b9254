import iconv from 'iconv-lite'

/*
| Decoding DICOM text (PN, LO, SH…) by its Specific Character Set (0008,0005),
| as PS3.3 C.12.1.1.2 and PS3.5 6.1 describe it. The byte-to-character tables
| come from iconv-lite; what is written here is only DICOM's own layer on top:
| which table a defined term names, and ISO 2022 code extensions (escape
| sequences that switch tables inside a value, reset at each delimiter).
|
| A Chinese modality sends GB18030, GBK, UTF-8 (ISO_IR 192), Latin-1
| (ISO_IR 100) or GB2312 as "ISO 2022 IR 58": the GB2312 bytes in G1 (high bit
| set, i.e. EUC-CN), announced by ESC $ ) A.
*/

type Table = string // an iconv-lite encoding name

/** Single-byte and multi-byte terms without code extensions. */
const PLAIN: Record<string, Table> = {
  'ISO_IR 6': 'latin1',
  'ISO_IR 100': 'iso-8859-1',
  'ISO_IR 101': 'iso-8859-2',
  'ISO_IR 109': 'iso-8859-3',
  'ISO_IR 110': 'iso-8859-4',
  'ISO_IR 144': 'iso-8859-5',
  'ISO_IR 127': 'iso-8859-6',
  'ISO_IR 126': 'iso-8859-7',
  'ISO_IR 138': 'iso-8859-8',
  'ISO_IR 148': 'iso-8859-9',
  'ISO_IR 203': 'iso-8859-15',
  'ISO_IR 166': 'tis620',
  'ISO_IR 13': 'shift_jis',
  'ISO_IR 192': 'utf8',
  'GB18030': 'gb18030',
  'GBK': 'gbk',
}

/** What an ISO 2022 term designates: to G0 (7-bit bytes) or G1 (bytes with the high bit set). */
interface Designation {
  g0?: G0
  g1?: G1
}
type G0 = 'ascii' | 'jis-roman' | 'jisx0208' | 'jisx0212'
type G1 = { table: Table; multiByte: boolean } | null

const ISO2022_TERMS: Record<string, Designation> = {
  'ISO 2022 IR 6': { g0: 'ascii' },
  'ISO 2022 IR 100': { g0: 'ascii', g1: { table: 'iso-8859-1', multiByte: false } },
  'ISO 2022 IR 101': { g0: 'ascii', g1: { table: 'iso-8859-2', multiByte: false } },
  'ISO 2022 IR 109': { g0: 'ascii', g1: { table: 'iso-8859-3', multiByte: false } },
  'ISO 2022 IR 110': { g0: 'ascii', g1: { table: 'iso-8859-4', multiByte: false } },
  'ISO 2022 IR 144': { g0: 'ascii', g1: { table: 'iso-8859-5', multiByte: false } },
  'ISO 2022 IR 127': { g0: 'ascii', g1: { table: 'iso-8859-6', multiByte: false } },
  'ISO 2022 IR 126': { g0: 'ascii', g1: { table: 'iso-8859-7', multiByte: false } },
  'ISO 2022 IR 138': { g0: 'ascii', g1: { table: 'iso-8859-8', multiByte: false } },
  'ISO 2022 IR 148': { g0: 'ascii', g1: { table: 'iso-8859-9', multiByte: false } },
  'ISO 2022 IR 203': { g0: 'ascii', g1: { table: 'iso-8859-15', multiByte: false } },
  'ISO 2022 IR 166': { g0: 'ascii', g1: { table: 'tis620', multiByte: false } },
  'ISO 2022 IR 13': { g0: 'jis-roman', g1: { table: 'shift_jis', multiByte: false } },
  'ISO 2022 IR 87': { g0: 'jisx0208' },
  'ISO 2022 IR 159': { g0: 'jisx0212' },
  'ISO 2022 IR 149': { g1: { table: 'euc-kr', multiByte: true } },
  'ISO 2022 IR 58': { g1: { table: 'gb2312', multiByte: true } },
}

/** Escape sequences (after ESC) and what they designate (PS3.3 Table C.12-3, C.12-4). */
const ESCAPES: Array<[number[], Designation]> = [
  [[0x28, 0x42], { g0: 'ascii' }], // ( B
  [[0x28, 0x4a], { g0: 'jis-roman' }], // ( J
  [[0x29, 0x49], { g1: { table: 'shift_jis', multiByte: false } }], // ) I  JIS X 0201 katakana
  [[0x24, 0x42], { g0: 'jisx0208' }], // $ B
  [[0x24, 0x28, 0x44], { g0: 'jisx0212' }], // $ ( D
  [[0x24, 0x29, 0x43], { g1: { table: 'euc-kr', multiByte: true } }], // $ ) C  KS X 1001
  [[0x24, 0x29, 0x41], { g1: { table: 'gb2312', multiByte: true } }], // $ ) A  GB 2312
  [[0x2d, 0x41], { g1: { table: 'iso-8859-1', multiByte: false } }],
  [[0x2d, 0x42], { g1: { table: 'iso-8859-2', multiByte: false } }],
  [[0x2d, 0x43], { g1: { table: 'iso-8859-3', multiByte: false } }],
  [[0x2d, 0x44], { g1: { table: 'iso-8859-4', multiByte: false } }],
  [[0x2d, 0x4c], { g1: { table: 'iso-8859-5', multiByte: false } }],
  [[0x2d, 0x47], { g1: { table: 'iso-8859-6', multiByte: false } }],
  [[0x2d, 0x46], { g1: { table: 'iso-8859-7', multiByte: false } }],
  [[0x2d, 0x48], { g1: { table: 'iso-8859-8', multiByte: false } }],
  [[0x2d, 0x4d], { g1: { table: 'iso-8859-9', multiByte: false } }],
  [[0x2d, 0x62], { g1: { table: 'iso-8859-15', multiByte: false } }],
  [[0x2d, 0x54], { g1: { table: 'tis620', multiByte: false } }],
]

const ESC = 0x1b

function terms(specificCharacterSet: string | null) {
  return (specificCharacterSet ?? '').split('\\').map((t) =>
    t
      .trim()
      .toUpperCase()
      .replace(/^ISO-IR/, 'ISO_IR')
  )
}

/** The character set names Orthanc and DCMTK recognise; anything else is decoded as Latin-1 (Orthanc's DefaultEncoding). */
export function isKnownCharacterSet(specificCharacterSet: string | null) {
  return terms(specificCharacterSet).every((t) => t === '' || t in PLAIN || t in ISO2022_TERMS)
}

/**
 * Decodes one text value. `personName` makes "^" and "=" delimiters too (PN
 * component groups each start again from the initial character sets).
 */
export function decodeDicomText(
  bytes: Buffer,
  specificCharacterSet: string | null,
  personName = false
): string {
  const list = terms(specificCharacterSet)
  const usesExtensions = list.length > 1 || (list[0] ?? '') in ISO2022_TERMS
  if (!usesExtensions) {
    const table = PLAIN[list[0] ?? ''] ?? 'latin1'
    return iconv.decode(bytes, table)
  }

  // Initial state: the first value (empty = ISO-IR 6). PS3.5 6.1.2.5.3.
  const first = ISO2022_TERMS[list[0] || 'ISO 2022 IR 6'] ?? { g0: 'ascii' as const }
  const initialG0: G0 = first.g0 ?? 'ascii'
  const initialG1: G1 = first.g1 ?? null
  let g0 = initialG0
  let g1 = initialG1

  let out = ''
  let run: number[] = []
  let runTable: Table | null = null
  const flush = () => {
    if (run.length && runTable) out += iconv.decode(Buffer.from(run), runTable)
    run = []
    runTable = null
  }
  const push = (table: Table, ...values: number[]) => {
    if (runTable !== table) flush()
    runTable = table
    run.push(...values)
  }

  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]
    if (byte === ESC) {
      const match = ESCAPES.find(([seq]) => seq.every((b, k) => bytes[i + 1 + k] === b))
      if (match) {
        flush()
        if (match[1].g0) g0 = match[1].g0
        if (match[1].g1 !== undefined) g1 = match[1].g1
        i += match[0].length
        continue
      }
    }
    if (byte < 0x80) {
      const delimiter =
        byte === 0x0a ||
        byte === 0x0c ||
        byte === 0x0d ||
        byte === 0x09 ||
        byte === 0x5c ||
        (personName && (byte === 0x5e || byte === 0x3d))
      if (g0 === 'jisx0208' || g0 === 'jisx0212') {
        if (delimiter || byte < 0x21) {
          flush()
          out += String.fromCharCode(byte)
        } else if (i + 1 < bytes.length) {
          // JIS X 0208 in GL is EUC-JP with the high bits cleared; JIS X 0212 is EUC-JP's SS3 plane.
          if (g0 === 'jisx0208') push('euc-jp', byte | 0x80, bytes[i + 1] | 0x80)
          else push('euc-jp', 0x8f, byte | 0x80, bytes[i + 1] | 0x80)
          i++
        }
      } else {
        push(g0 === 'jis-roman' ? 'shift_jis' : 'latin1', byte)
      }
      if (delimiter) {
        flush()
        g0 = initialG0
        g1 = initialG1
      }
      continue
    }
    if (!g1) {
      push('latin1', byte)
    } else if (g1.multiByte) {
      if (i + 1 < bytes.length) {
        push(g1.table, byte, bytes[i + 1])
        i++
      }
    } else {
      push(g1.table, byte)
    }
  }
  flush()
  return out
}

/** Encodes text as the bytes a modality using ISO 2022 IR 58 would write (for tests and the demo). */
export function encodeGb2312WithEscapes(text: string) {
  const parts: Buffer[] = []
  let inGb = false
  for (const char of text) {
    if (char.charCodeAt(0) < 0x80) {
      parts.push(Buffer.from(char, 'latin1'))
      // Delimiters return to the initial set; a following Chinese character announces GB 2312 again.
      if (char === '^' || char === '=' || char === '\\') inGb = false
    } else {
      if (!inGb) parts.push(Buffer.from([ESC, 0x24, 0x29, 0x41]))
      inGb = true
      parts.push(iconv.encode(char, 'gb2312'))
    }
  }
  return Buffer.concat(parts)
}
