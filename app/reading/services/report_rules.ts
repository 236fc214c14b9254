import { diffArrays } from 'diff'
import { DateTime } from 'luxon'
import { DomainRefusal } from '#app/platform/domain_refusal'

/*
| The rules of writing and signing a report, as plain functions: what a report
| must contain (B), how MRI technique is written (B), when a comparison with a
| prior exam is required (B; Q 4.2.5e), who may edit and who may sign (C 4.2.1,
| C 9.2.3, B). The services call these before writing anything.
*/

export interface ReportContent {
  technique: string | null
  findings: string | null
  impression: string | null
  comparison: string | null
  priorExamId: number | null
  noComparisonReason: string | null
}

export const CONTENT_FIELDS = [
  'technique',
  'findings',
  'impression',
  'comparison',
  'priorExamId',
  'noComparisonReason',
] as const

/** Empty strings and whitespace are "nothing written". */
export function cleanContent(input: Partial<ReportContent>): ReportContent {
  const text = (value: unknown) => {
    if (value === undefined || value === null) return null
    const trimmed = String(value).replace(/\r\n/g, '\n').trim()
    return trimmed.length ? trimmed : null
  }
  return {
    technique: text(input.technique),
    findings: text(input.findings),
    impression: text(input.impression),
    comparison: text(input.comparison),
    priorExamId: input.priorExamId ? Number(input.priorExamId) : null,
    noComparisonReason: text(input.noComparisonReason),
  }
}

export function contentChanged(a: ReportContent, b: ReportContent) {
  return CONTENT_FIELDS.some((field) => (a[field] ?? null) !== (b[field] ?? null))
}

/* ------------------------------------------------------------------ MRI technique */

const PLANE =
  /^(?:[\u4e00-\u9fa5]{1,8}(?:位|面)|axial|coronal|sagittal|oblique [a-z]+|tra|cor|sag)$/i
const SCAN_RANGE = /^扫描范围$/

export type MriTechnique =
  | { ok: true; normalised: string; planes: Array<{ plane: string; sequences: string[] }> }
  | { ok: false; reason: 'empty' | 'no_plane' | 'plane' | 'sequence'; segment?: string }

/**
 * B: MRI sequences are written "plane: weighting + special contrast", planes
 * separated by "；" and the sequences of one plane by "，", e.g.
 * "横断位：T1WI，T2WI，FLAIR，DWI；矢状位：T2WI". ASCII punctuation and "、"
 * are accepted and written back in the standard's form. An optional
 * "扫描范围：…" segment may name the scanned range.
 */
export function parseMriTechnique(text: string | null | undefined): MriTechnique {
  const source = (text ?? '').trim()
  if (!source) return { ok: false, reason: 'empty' }
  const unified = source.replace(/[;\n]/g, '；').replace(/[,、]/g, '，').replace(/:/g, '：')
  const segments = unified
    .split('；')
    .map((s) => s.trim())
    .filter(Boolean)
  const planes: Array<{ plane: string; sequences: string[] }> = []
  const written: string[] = []
  for (const segment of segments) {
    const colon = segment.indexOf('：')
    if (colon <= 0) return { ok: false, reason: 'no_plane', segment }
    const label = segment.slice(0, colon).trim()
    const rest = segment.slice(colon + 1).trim()
    if (SCAN_RANGE.test(label)) {
      if (!rest) return { ok: false, reason: 'sequence', segment }
      written.push(`${label}：${rest}`)
      continue
    }
    if (!PLANE.test(label)) return { ok: false, reason: 'plane', segment }
    const sequences = rest
      .split('，')
      .map((s) => s.trim())
      .filter(Boolean)
    if (sequences.length === 0 || sequences.some((s) => s.includes('：')))
      return { ok: false, reason: 'sequence', segment }
    planes.push({ plane: label, sequences })
    written.push(`${label}：${sequences.join('，')}`)
  }
  if (planes.length === 0) return { ok: false, reason: 'no_plane', segment: source }
  return { ok: true, normalised: written.join('；'), planes }
}

/* ------------------------------------------------------------------ content */

/** Fewer characters than this is not a finding or an impression ("无", "-"). */
const MEANINGFUL = 2

/**
 * B 6.1: a report has all its parts. Returns the refusal, or null; for MRI
 * also the technique rewritten in the standard's punctuation.
 */
export function contentRefusal(modality: string, content: ReportContent): DomainRefusal | null {
  if (!content.technique)
    return new DomainRefusal('technique_missing', 'reading.refusals.technique_missing')
  if ((content.findings ?? '').length < MEANINGFUL)
    return new DomainRefusal('findings_missing', 'reading.refusals.findings_missing')
  if ((content.impression ?? '').length < MEANINGFUL)
    return new DomainRefusal('impression_missing', 'reading.refusals.impression_missing')
  if (modality === 'MR') {
    const parsed = parseMriTechnique(content.technique)
    if (!parsed.ok) {
      return new DomainRefusal('mri_technique_format', 'reading.refusals.mri_technique_format', {
        segment: parsed.segment ?? '',
      })
    }
  }
  return null
}

/** The content as it is stored: MRI technique in the standard's punctuation. */
export function normaliseContent(modality: string, content: ReportContent): ReportContent {
  if (modality !== 'MR' || !content.technique) return content
  const parsed = parseMriTechnique(content.technique)
  return parsed.ok ? { ...content, technique: parsed.normalised } : content
}

/* ------------------------------------------------------------------ comparison */

export interface PriorExam {
  id: number
  /** when the prior exam was done, in the hospital's zone */
  examDate: DateTime
  modality: string
  name: string
}

/** The ways a date is commonly written in a report: 2026-10-01, 2026年10月1日, 2026/10/01, 2026.10.01. */
export function dateSpellings(date: DateTime) {
  const y = date.toFormat('yyyy')
  const mm = date.toFormat('MM')
  const dd = date.toFormat('dd')
  const m = String(date.month)
  const d = String(date.day)
  const spellings = new Set<string>()
  for (const [month, day] of [
    [mm, dd],
    [m, d],
    [mm, d],
    [m, dd],
  ]) {
    spellings.add(`${y}-${month}-${day}`)
    spellings.add(`${y}年${month}月${day}日`)
    spellings.add(`${y}/${month}/${day}`)
    spellings.add(`${y}.${month}.${day}`)
  }
  spellings.add(`${y}${mm}${dd}`)
  return [...spellings]
}

export function namesDateOf(text: string, prior: PriorExam) {
  const compact = text.replace(/\s+/g, '')
  return dateSpellings(prior.examDate).some((spelling) => compact.includes(spelling))
}

/**
 * B: "以前有相同或类似检查时，应对每一诊断都应进行比较，应注明对比的具体时间";
 * Q 4.2.5e: a follow-up without comparison is a defect, unless the prior
 * cannot be obtained. So when priors exist the report either compares, naming
 * the prior's date, or says why it cannot.
 */
export function comparisonRefusal(
  priors: PriorExam[],
  content: ReportContent
): DomainRefusal | null {
  if (priors.length === 0) return null
  const latest = priors[0]
  if ((content.noComparisonReason ?? '').length >= MEANINGFUL && !content.comparison) return null
  if (!content.comparison) {
    return new DomainRefusal('comparison_required', 'reading.refusals.comparison_required', {
      date: latest.examDate.toFormat('yyyy-MM-dd'),
      name: latest.name,
    })
  }
  const chosen = content.priorExamId ? priors.find((p) => p.id === content.priorExamId) : null
  if (content.priorExamId && !chosen)
    return new DomainRefusal('prior_unknown', 'reading.refusals.prior_unknown')
  const named = chosen
    ? namesDateOf(content.comparison, chosen)
    : priors.some((p) => namesDateOf(content.comparison!, p))
  if (!named) {
    return new DomainRefusal(
      'comparison_date_missing',
      'reading.refusals.comparison_date_missing',
      {
        date: (chosen ?? latest).examDate.toFormat('yyyy-MM-dd'),
      }
    )
  }
  return null
}

/* ------------------------------------------------------------------ who may do what */

export interface Doctor {
  id: number
  role: string
  title: string | null
  /** a lead-hospital radiologist (reads for the alliance) */
  isReader: boolean
}

export interface VersionState {
  status: 'draft' | 'pending_review' | 'signed'
  authorId: number
  lastModifiedById: number
}

export function isIntermediateOrAbove(doctor: Pick<Doctor, 'title'>) {
  return doctor.title === 'intermediate' || doctor.title === 'senior'
}

/**
 * C 4.2.1 / C 9.2.3 double review: a 中级+ doctor who is not the author signs
 * what was submitted for review. With the single-signature policy on, a 中级+
 * author may sign their own draft. B: the signer must be the last person who
 * modified the report (`lastModifiedById` as it will be after this signature).
 */
export function signRefusal(
  signer: Doctor,
  version: VersionState,
  policy: { singleSignature: boolean },
  lastModifiedById = version.lastModifiedById
) {
  if (!signer.isReader)
    return new DomainRefusal('not_a_reader', 'reading.refusals.not_a_reader', {}, 403)
  if (!isIntermediateOrAbove(signer))
    return new DomainRefusal('junior_cannot_sign', 'reading.refusals.junior_cannot_sign', {}, 403)
  if (version.status === 'signed')
    return new DomainRefusal('already_signed', 'reading.refusals.already_signed', {}, 409)
  const ownReport = version.authorId === signer.id
  if (version.status === 'draft') {
    if (ownReport && policy.singleSignature) return null
    return new DomainRefusal('not_submitted', 'reading.refusals.not_submitted', {}, 409)
  }
  if (ownReport && !policy.singleSignature)
    return new DomainRefusal('own_report', 'reading.refusals.own_report', {}, 403)
  if (lastModifiedById !== signer.id && lastModifiedById !== version.authorId) {
    return new DomainRefusal('modified_by_other', 'reading.refusals.modified_by_other', {}, 409)
  }
  return null
}

/** Who may change the text of the working version: its author while drafting, a 中级+ reviewer while in review. */
export function editRefusal(
  editor: Doctor,
  version: VersionState | null,
  claimedById: number | null
) {
  if (!editor.isReader)
    return new DomainRefusal('not_a_reader', 'reading.refusals.not_a_reader', {}, 403)
  if (!version || version.status === 'signed')
    return new DomainRefusal('report_signed', 'reading.refusals.report_signed', {}, 409)
  if (version.status === 'draft') {
    if (claimedById !== editor.id)
      return new DomainRefusal('not_your_claim', 'reading.refusals.not_your_claim', {}, 409)
    return null
  }
  if (version.authorId === editor.id)
    return new DomainRefusal('awaiting_review', 'reading.refusals.awaiting_review', {}, 409)
  if (!isIntermediateOrAbove(editor))
    return new DomainRefusal(
      'junior_cannot_review',
      'reading.refusals.junior_cannot_review',
      {},
      403
    )
  return null
}

/* ------------------------------------------------------------------ report header */

/** Age as a report prints it: 72岁, 5月, 12天 (B: name, sex, age…). */
export function ageLabel(birthDate: DateTime, at: DateTime) {
  const years = Math.floor(at.diff(birthDate, 'years').years)
  if (years >= 1) return `${years}岁`
  const months = Math.floor(at.diff(birthDate, 'months').months)
  if (months >= 1) return `${months}月`
  return `${Math.max(0, Math.floor(at.diff(birthDate, 'days').days))}天`
}

/* ------------------------------------------------------------------ differences */

export type DiffPart = { op: 'same' | 'removed' | 'added'; text: string }

/** Chinese characters one by one, Latin words and numbers whole. */
function tokens(text: string) {
  return text.match(/[A-Za-z0-9.]+|\s+|[\s\S]/g) ?? []
}

/**
 * What changed between two versions of a text, with jsdiff (Myers' algorithm)
 * over Chinese characters and whole Latin words and numbers.
 */
export function diffText(before: string | null, after: string | null): DiffPart[] {
  const a = before ?? ''
  const b = after ?? ''
  if (a === b) return a ? [{ op: 'same', text: a }] : []
  const parts: DiffPart[] = []
  for (const change of diffArrays(tokens(a), tokens(b))) {
    const op: DiffPart['op'] = change.added ? 'added' : change.removed ? 'removed' : 'same'
    const text = change.value.join('')
    const last = parts[parts.length - 1]
    if (last && last.op === op) last.text += text
    else if (text) parts.push({ op, text })
  }
  return parts
}
