/*
| What the crawler calls a defect in a page's text, as plain functions (unit
| tested in tests/unit/crawler_rules.spec.ts).
|
| Patient and clinical data are allowed in either language: the crawler
| collects them from the database (`DataDictionary`) and removes them from a
| text before judging what is left, which is what the interface itself wrote.
*/

export type Locale = 'zh-CN' | 'en'

export interface TextFinding {
  rule:
    'untranslated_key' | 'english_in_chinese' | 'chinese_in_english' | 'stack_trace' | 'file_path'
  text: string
  detail: string
}

const HAN = /[\p{Script=Han}\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]/u
const HAN_ALL =
  /[\p{Script=Han}\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]/gu

/** Namespaces of resources/lang: a bare `namespace.key` on a page is a key that was never translated. */
const NAMESPACES = [
  'access',
  'admin',
  'api',
  'audit',
  'common',
  'critical_values',
  'equipment',
  'home',
  'intake',
  'reading',
  'staffing',
  'storage',
  'validator',
]

/**
 * Words that are not English sentences in a Chinese page: units, DICOM and
 * imaging terms, product and format names that Chinese radiology software
 * writes in Latin letters too.
 */
const LATIN_ALLOWED = new Set(
  [
    'mm',
    'cm',
    'ml',
    'kg',
    'mg',
    'kv',
    'kvp',
    'mas',
    'hu',
    'kbps',
    'mbps',
    'kb',
    'mb',
    'gb',
    'tb',
    'ms',
    'min',
    'fte',
    'px',
    'orthanc',
    'excel',
    'pdf',
    'csv',
    'xlsx',
    'api',
    'token',
    'tokens',
    'dicom',
    'dicomweb',
    'ohif',
    'openapi',
    'json',
    'http',
    'https',
    'url',
    'ip',
    'id',
    'tls',
    'storescu',
    'echoscu',
    'findscu',
    'dcmtk',
    'socket',
    'io',
    'md',
    'md5',
    'uid',
    'aet',
    'ae',
    'scp',
    'scu',
    'wado',
    'qido',
    'stow',
    'rs',
    'bearer',
    'chrome',
    'chromium',
    'javascript',
    'email',
    'ok',
    'sql',
    'mysql',
    'mariadb',
    'sqlite',
    'postgresql',
    'redis',
    'node',
    'npm',
    'ace',
    'totp',
    'wifi',
    'usb',
    'www',
    'com',
    'cn',
    'org',
    'localhost',
    'dwi',
    'adc',
    'flair',
    'swi',
    'dti',
    'mra',
    'cta',
    'pwi',
    'stir',
    'fs',
    'fse',
    'tse',
    'gre',
    'wi',
    'bjhr',
    'jjjhr',
    'hr',
    'stanford',
    'modic',
    'fazekas',
    'colles',
    'chilaiditi',
    'bi',
    'rads',
    'ti',
    'tr',
    'te',
    'fov',
    'dxa',
    'qct',
    'dr',
    'gi',
    'mri',
    'ct',
    'mr',
    'ww',
    'wl',
    'mbit',
    'kbit',
    'gbit',
    'pacs',
    'ris',
    'his',
    'lis',
    'emr',
    'fhir',
    'hl7',
    'ihe',
    'xds',
    'utc',
    'gmt',
    'asia',
    'shanghai',
    'zh',
    'en',
  ].map((w) => w.toLowerCase())
)

export function hasHan(text: string) {
  return HAN.test(text)
}

export class DataDictionary {
  protected han: string[] = []
  protected latin: string[] = []
  /** one-character values (a body part 头, a sex 男): data only when they are the whole text */
  protected whole = new Set<string>()

  constructor(values: Iterable<string>) {
    const seen = new Set<string>()
    for (const raw of values) {
      if (typeof raw !== 'string') continue
      for (const part of raw.split(/\r?\n/)) {
        const value = part.trim()
        if (!value || seen.has(value)) continue
        if (value.length < 2) {
          this.whole.add(value)
          continue
        }
        seen.add(value)
        ;(hasHan(value) ? this.han : this.latin).push(value)
      }
    }
    // Longest first, so that a whole sentence goes before the words inside it.
    this.han.sort((a, b) => b.length - a.length)
    this.latin.sort((a, b) => b.length - a.length)
  }

  get size() {
    return this.han.length + this.latin.length
  }

  /** The text with every piece of data replaced by a space. */
  strip(text: string) {
    if (this.whole.has(text.trim())) return ''
    let out = text
    for (const list of [this.han, this.latin]) {
      for (const value of list) {
        if (out.includes(value)) out = out.split(value).join(' ')
      }
    }
    return out
  }
}

/** The interface's own words in `text` (data removed) judged for the page's language. */
export function judgeText(
  text: string,
  locale: Locale,
  dictionary?: DataDictionary
): TextFinding[] {
  const findings: TextFinding[] = []
  const compact = text.replace(/\s+/g, ' ').trim()
  if (!compact) return findings
  const short = compact.length > 160 ? compact.slice(0, 157) + '…' : compact

  if (/translation missing/i.test(compact))
    findings.push({ rule: 'untranslated_key', text: short, detail: 'translation missing' })
  const keyPattern = new RegExp(
    `(?:^|[^\\w./-])((?:${NAMESPACES.join('|')})\\.[a-z0-9_]+(?:\\.[a-z0-9_]+)*)(?![\\w/-])`
  )
  const key = compact.match(keyPattern)
  if (key) findings.push({ rule: 'untranslated_key', text: short, detail: key[1] })

  const trace = compact.match(
    /\bat (?:async )?[\w$.<>]+ \(?(?:file:\/\/)?\/[^\s()]+:\d+(?::\d+)?\)?|\b\w*(?:Type|Reference|Syntax|Range)?Error: \S|\bis not a function\b|node_modules\//
  )
  if (trace) findings.push({ rule: 'stack_trace', text: short, detail: trace[0] })

  const path = compact.match(
    /(?:^|[\s(（"'：:])((?:\/work|\/home|\/tmp|\/usr|\/var)\/[\w./@-]+|(?:app|database|resources|config|start|bin|tests|tmp)\/[\w./-]+\.(?:ts|js|mjs|edge|csv|json|sqlite3))/
  )
  if (path) findings.push({ rule: 'file_path', text: short, detail: path[1] })

  // DICOM attribute names are written in English in Chinese software too.
  const terms = compact.replace(
    /\b(?:Study|Series|SOP) Instance UID\b|\bAccession Number\b|\bPatient ID\b|\bStudy Date\b/g,
    ' '
  )
  // ICU placeholders ({count}, {name}) are filled in by the page's scripts.
  const own = (dictionary ? dictionary.strip(terms) : terms).replace(
    /\{\s*\w+\s*(?:,[^{}]*)?\}/g,
    ' '
  )
  if (locale === 'en') {
    const han = own.match(HAN_ALL)
    if (han)
      findings.push({ rule: 'chinese_in_english', text: short, detail: han.slice(0, 8).join('') })
  } else {
    // A word with two lower-case letters in a row is written English, unless it is a term Chinese software keeps in Latin letters.
    const words = (own.match(/[A-Za-z][A-Za-z'’]*/g) ?? []).filter(
      (w) => /[a-z]{2}/.test(w) && !LATIN_ALLOWED.has(w.toLowerCase())
    )
    // A dotted code (`exam.images.view`) or a file name is one token: judge its parts.
    if (words.length)
      findings.push({
        rule: 'english_in_chinese',
        text: short,
        detail: words.slice(0, 6).join(' '),
      })
  }
  return findings
}
