import type { Modality } from '#models/exam_item'

/*
| R 7.2: a standard exam-item name holds the category (检查类别), body part
| (检查部位), method (检查方案) and position (体位设计). The source catalogues
| write free text ("胸部站立后前位及侧位摄影", "颅脑 MRI 平扫", "头颈部 CTA");
| this splits it into those four parts.
*/

export interface NormalisedItem {
  modality: Modality
  bodyPart: string
  method: string
  position: string | null
  techniqueNote: string | null
  isContrast: boolean
  /** "DR 胸部 摄影 站立后前位+侧位" */
  name: string
}

/** "MR" and "MRI" are one modality; X-ray radiography is DR. */
export function normaliseModality(raw: string): Modality | null {
  const value = raw.trim().toUpperCase()
  if (value === 'MR' || value === 'MRI') return 'MR'
  if (value === 'CT') return 'CT'
  if (value === 'DR' || value === 'DX' || value === 'CR') return 'DR'
  return null
}

/** Longest first, so "正侧位" wins over "正位". */
const DR_POSITIONS = [
  ['站立后前位及侧位', '站立后前位+侧位'],
  ['站立后前位', '站立后前位'],
  ['过伸过屈位', '过伸过屈位'],
  ['侧轴位', '侧轴位'],
  ['轴侧位', '轴侧位'],
  ['轴斜位', '轴斜位'],
  ['正侧位', '正侧位'],
  ['正斜位', '正斜位'],
  ['双斜位', '双斜位'],
  ['张口位', '张口位'],
  ['正位', '正位'],
  ['侧位', '侧位'],
  ['斜位', '斜位'],
  ['轴位', '轴位'],
] as const

const METHODS: Array<[RegExp, string]> = [
  [/平扫\s*\+\s*动态增强/, '平扫+动态增强'],
  [/平扫\s*\+\s*增强/, '平扫+增强'],
  [/\bCTA\b|CTA/, 'CTA'],
  [/CTU/, 'CTU'],
  [/MRA/, 'MRA'],
  [/MRV/, 'MRV'],
  [/水成像/, '水成像'],
  [/增强扫描|增强/, '增强'],
  [/平扫/, '平扫'],
  [/钼靶/, '钼靶摄影'],
  [/摄影|摄片|平片/, '摄影'],
]

const PLANES = ['Tra', 'Sag', 'Cor']

export function normaliseItem(modalityRaw: string, sourceName: string): NormalisedItem | null {
  const modality = normaliseModality(modalityRaw)
  const original = sourceName.trim()
  if (!modality || !original) return null

  // Parenthesised text (full- or half-width) is technique detail, e.g. sequences or reconstructions.
  const notes: string[] = []
  let rest = original.replace(/[（(]([^）)]*)[）)]/g, (_all, inner: string) => {
    notes.push(inner.trim())
    return ' '
  })
  // "(婴幼儿)" qualifies the body part rather than the technique.
  const infant = notes.findIndex((n) => n === '婴幼儿')
  let qualifier = ''
  if (infant >= 0) {
    qualifier = '(婴幼儿)'
    notes.splice(infant, 1)
  }
  // "数字化平板" names the detector, not the body part.
  rest = rest.replace(/^数字化平板/, () => {
    notes.push('数字化平板')
    return ''
  })
  // Reconstructions appended with "+" are technique notes too.
  rest = rest.replace(/\+\s*(三维重建|多平面重建)/g, (_all, what: string) => {
    notes.push(what)
    return ' '
  })

  let method = modality === 'DR' ? '摄影' : '平扫'
  for (const [pattern, name] of METHODS) {
    if (pattern.test(rest)) {
      method = name
      rest = rest.replace(pattern, ' ')
      break
    }
  }
  // "钼靶" and "摄影" can both be present; drop the leftover word.
  rest = rest.replace(/摄影|摄片|平片|扫描/g, ' ')
  rest = rest.replace(/\b(CT|MRI|MR)\b|CT|MRI|MR/g, ' ')
  const noteText = notes.join('；')
  if ((method === 'MRA' || method === 'MRV') && /增强/.test(noteText)) method = `增强${method}`

  let position: string | null = null
  if (modality === 'DR') {
    const leading = rest.match(/^\s*(立位|卧位)/)
    if (leading) {
      position = leading[1]
      rest = rest.replace(leading[1], ' ')
    }
    for (const [word, label] of DR_POSITIONS) {
      if (rest.includes(word)) {
        position = position ? `${position}+${label}` : label
        rest = rest.replace(word, ' ')
        break
      }
    }
  } else {
    const planes = PLANES.filter((plane) => noteText.includes(plane))
    if (planes.length) position = planes.join('/')
  }

  const bodyPart = `${rest.replace(/\s+/g, '').replace(/的$/, '')}${qualifier}`
  if (!bodyPart) return null
  const isContrast = /增强/.test(method) || method === 'CTA' || method === 'CTU'
  return {
    modality,
    bodyPart,
    method,
    position,
    techniqueNote: noteText || null,
    isContrast,
    name: [modality, bodyPart, method, position].filter(Boolean).join(' '),
  }
}
