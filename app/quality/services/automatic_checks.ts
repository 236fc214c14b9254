import { DateTime } from 'luxon'

/*
| Automatic QC that no QC officer has to do by hand (R 9.3 moves QC before and
| during the work). Pure functions over what Orthanc holds and what was
| ordered (intake), and over the report being submitted (submission).
*/

export interface Finding {
  code: string
  details: Record<string, string | number>
}

/* ------------------------------------------------------------------ intake */

export interface IntakeSeries {
  number: string
  modality: string | null
  bodyPart: string | null
  operator: string | null
  instances: Array<{ number: string | null; position: string | null }>
}

export interface IntakeInput {
  patientName: string | null
  patientId: string | null
  studyDescription: string | null
  studyDate: string | null
  studyTime: string | null
  series: IntakeSeries[]
  ordered: { modality: string; bodyParts: string[]; names: string[] }
  receivedAt: DateTime
  zone: string
}

/** DICOM modality codes as the catalogue names them. */
const MODALITY_OF: Record<string, string> = {
  DX: 'DR',
  CR: 'DR',
  DR: 'DR',
  CT: 'CT',
  MR: 'MR',
  MG: 'DR',
}
/** Objects that are not images of the acquisition (reports, presentation states, key images). */
const NOT_IMAGES = new Set(['SR', 'PR', 'KO', 'DOC', 'OT'])

/** DICOM Body Part Examined (PS3.16 CID 4031) → words of the catalogue's body parts and item names. */
export const BODY_PART_WORDS: Record<string, string[]> = {
  CHEST: ['胸'],
  HEAD: ['头', '颅', '脑', '鞍', '颌', '鼻', '眼', '耳'],
  BRAIN: ['头', '颅', '脑', '鞍'],
  SKULL: ['头', '颅'],
  NECK: ['颈'],
  CSPINE: ['颈椎', '脊柱', '颈'],
  TSPINE: ['胸椎', '脊柱'],
  LSPINE: ['腰椎', '脊柱', '腰'],
  SPINE: ['脊柱', '椎'],
  ABDOMEN: ['腹'],
  PELVIS: ['盆', '髋'],
  HIP: ['髋', '盆'],
  KNEE: ['膝', '下肢', '肌骨'],
  HAND: ['手', '上肢', '肌骨'],
  WRIST: ['腕', '上肢', '肌骨'],
  SHOULDER: ['肩', '上肢', '肌骨'],
  ELBOW: ['肘', '上肢', '肌骨'],
  ANKLE: ['踝', '下肢', '肌骨'],
  FOOT: ['足', '下肢', '肌骨'],
  BREAST: ['乳腺'],
}

const present = (v: string | null | undefined) => Boolean(v && v.replace(/[\s^]/g, '').length)

/** The acquisition time a modality wrote (its local date and time, the hospital's zone). */
export function acquiredAt(date: string | null, time: string | null, zone: string) {
  if (!date || !/^\d{8}$/.test(date)) return null
  const t = (time ?? '')
    .replace(/[^0-9]/g, '')
    .padEnd(6, '0')
    .slice(0, 6)
  const at = DateTime.fromFormat(`${date}${t}`, 'yyyyLLddHHmmss', { zone })
  return at.isValid ? at : null
}

export function intakeFindings(input: IntakeInput): Finding[] {
  const findings: Finding[] = []
  const images = input.series.filter((s) => !NOT_IMAGES.has((s.modality ?? '').toUpperCase()))

  // R 7.1.3: the fields the recognition platform needs.
  const missing: string[] = []
  if (!present(input.patientName)) missing.push('PatientName')
  if (!present(input.patientId)) missing.push('PatientID')
  if (!present(input.studyDescription)) missing.push('StudyDescription')
  if (!present(input.studyDate)) missing.push('StudyDate')
  if (!present(input.studyTime)) missing.push('StudyTime')
  if (images.length && !images.some((s) => present(s.bodyPart))) missing.push('BodyPartExamined')
  if (images.length && !images.some((s) => present(s.operator))) missing.push('OperatorsName')
  for (const field of missing) findings.push({ code: 'missing_field', details: { field } })

  // The body part and modality agree with the ordered item.
  const ordered = input.ordered
  const wrongModality = images.find(
    (s) =>
      s.modality &&
      (MODALITY_OF[s.modality.toUpperCase()] ?? s.modality.toUpperCase()) !== ordered.modality
  )
  if (wrongModality)
    findings.push({
      code: 'modality_mismatch',
      details: { dicom: wrongModality.modality!, ordered: ordered.modality },
    })
  const orderedText = [...ordered.bodyParts, ...ordered.names].join(' ')
  for (const part of new Set(
    images.map((s) => (s.bodyPart ?? '').toUpperCase().trim()).filter(Boolean)
  )) {
    const words = BODY_PART_WORDS[part]
    if (words && !words.some((w) => orderedText.includes(w))) {
      findings.push({
        code: 'body_part_mismatch',
        details: { dicom: part, ordered: ordered.bodyParts.join('、') },
      })
    }
  }

  // No missing or duplicated slices in a CT/MR series: instance numbers and slice positions.
  for (const series of images) {
    const modality = MODALITY_OF[(series.modality ?? '').toUpperCase()]
    if ((modality !== 'CT' && modality !== 'MR') || series.instances.length < 3) continue
    const numbers = series.instances.map((i) => Number(i.number)).filter((n) => Number.isInteger(n))
    const seen = new Map<number, number>()
    for (const n of numbers) seen.set(n, (seen.get(n) ?? 0) + 1)
    const duplicated = [...seen].filter(([, c]) => c > 1).map(([n]) => n)
    const positions = new Map<string, number>()
    for (const i of series.instances) {
      const key = (i.position ?? '')
        .split('\\')
        .map((v) => Number(v).toFixed(2))
        .join('/')
      if (i.position) positions.set(key, (positions.get(key) ?? 0) + 1)
    }
    const samePosition = [...positions].filter(([, c]) => c > 1).length
    if (duplicated.length || samePosition) {
      findings.push({
        code: 'duplicate_slices',
        details: {
          series: series.number,
          numbers: duplicated.length ? duplicated.slice(0, 10).join(',') : `${samePosition}`,
        },
      })
    }
    if (numbers.length) {
      const min = Math.min(...numbers)
      const max = Math.max(...numbers)
      const gaps: number[] = []
      for (let n = min; n <= max && gaps.length <= 10; n++) if (!seen.has(n)) gaps.push(n)
      if (gaps.length)
        findings.push({
          code: 'missing_slices',
          details: { series: series.number, numbers: gaps.slice(0, 10).join(',') },
        })
    }
  }

  // R 7.1.1: uploaded within 1 hour of the exam.
  const at = acquiredAt(input.studyDate, input.studyTime, input.zone)
  if (at) {
    const minutes = Math.floor(input.receivedAt.diff(at, 'minutes').minutes)
    if (minutes > 60) findings.push({ code: 'late_upload', details: { minutes } })
  }
  return findings
}

/* ------------------------------------------------------------------ report submission */

/** Q 4.2.5c: organs only one sex has. */
const FEMALE_ORGANS = ['子宫', '卵巢', '输卵管', '宫颈', '阴道', '附件区']
const MALE_ORGANS = ['前列腺', '睾丸', '精囊', '阴囊', '附睾']

/** Paired organs whose side must agree between findings and impression (Q 4.2.5b). */
const PAIRED_ORGANS = [
  '肺',
  '肾',
  '乳腺',
  '卵巢',
  '肾上腺',
  '输尿管',
  '膝关节',
  '髋关节',
  '肩关节',
  '股骨',
  '胫骨',
  '腓骨',
  '肱骨',
  '锁骨',
  '眼',
  '耳',
  '颞叶',
  '额叶',
  '顶叶',
  '枕叶',
  '基底节',
  '丘脑',
  '上颌窦',
  '胸腔',
  '附件',
]

/** Words that make a finding positive, and those that deny it (未见 / 无). */
// Lesions that must be named in the impression once described (descriptive words such as 斑片 are not).
const POSITIVE = /(结节|肿块|占位|骨折|出血|梗死|结石|囊肿|脱位|积液|积气|动脉瘤)/
const NEGATIVE = /(未见|无明显|无异常|未发现|未显示|无)/

function sidesOf(text: string, organ: string) {
  const sides = new Set<string>()
  const re = new RegExp(`(左|右|双)(?:侧)?[^，。；,;]{0,4}${organ}`, 'g')
  for (const m of text.matchAll(re)) sides.add(m[1])
  return sides
}

export function submissionWarnings(input: {
  sex: string | null
  findings: string | null
  impression: string | null
}): Finding[] {
  const warnings: Finding[] = []
  const findings = input.findings ?? ''
  const impression = input.impression ?? ''
  const text = `${findings}\n${impression}`

  const wrongSex = input.sex === 'M' ? FEMALE_ORGANS : input.sex === 'F' ? MALE_ORGANS : []
  for (const organ of wrongSex)
    if (text.includes(organ)) warnings.push({ code: 'sex_organ', details: { organ } })

  for (const organ of PAIRED_ORGANS) {
    const inFindings = sidesOf(findings, organ)
    const inImpression = sidesOf(impression, organ)
    if (!inFindings.size || !inImpression.size) continue
    const disagrees = [...inImpression].some(
      (side) => side !== '双' && !inFindings.has(side) && !inFindings.has('双')
    )
    if (disagrees) warnings.push({ code: 'laterality', details: { organ } })
  }

  if (!impression.trim()) {
    warnings.push({ code: 'empty_impression', details: {} })
  } else {
    // Q 4.2.5f: a positive finding described must be diagnosed.
    for (const sentence of findings.split(/[。；;\n]/)) {
      for (const clause of sentence.split(/[，,]/)) {
        if (NEGATIVE.test(clause)) continue
        const m = POSITIVE.exec(clause)
        if (m && !impression.includes(m[1]) && !warnings.some((w) => w.details.finding === m[1])) {
          warnings.push({ code: 'positive_not_in_impression', details: { finding: m[1] } })
        }
      }
    }
  }
  return warnings
}
