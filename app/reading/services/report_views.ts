import { escapeMarkup } from '#app/platform/escape'
import Exam from '#models/exam'
import type User from '#models/user'
import type ReportVersion from '#models/report_version'
import { scopeExams } from '#app/access/visibility'
import { allVersions } from '#app/reading/services/report_context'
import { diffText, type DiffPart } from '#app/reading/services/report_rules'

/*
| Signed reports as the clinic reads them: every signed version stays
| readable, each amendment with what it changed from the version before.
*/

export interface SignedVersionView {
  version: ReportVersion
  previous: ReportVersion | null
  changes: { technique: DiffPart[]; findings: DiffPart[]; impression: DiffPart[] } | null
}

const escape = escapeMarkup

/** A difference as HTML: removed text struck through, added text underlined; everything escaped. */
export function diffHtml(parts: DiffPart[]) {
  return parts
    .map((part) =>
      part.op === 'added'
        ? `<ins>${escape(part.text)}</ins>`
        : part.op === 'removed'
          ? `<del>${escape(part.text)}</del>`
          : escape(part.text)
    )
    .join('')
}

/** The findings as the sheet prints them, the comparison first (its label in the reader's language on pages). */
function findingsText(version: ReportVersion, label = '对比：') {
  return [version.comparison ? `${label}${version.comparison}` : null, version.findings]
    .filter(Boolean)
    .join('\n')
}

export async function signedReport(exam: Exam) {
  const versions = await allVersions(exam.id)
  const signed = versions.filter((v) => v.status === 'signed')
  const views: SignedVersionView[] = signed.map((version, i) => {
    const previous = i > 0 ? signed[i - 1] : null
    return {
      version,
      previous,
      changes: previous
        ? {
            technique: diffText(previous.technique, version.technique),
            findings: diffText(findingsText(previous), findingsText(version)),
            impression: diffText(previous.impression, version.impression),
          }
        : null,
    }
  })
  const working = versions.find((v) => v.status !== 'signed') ?? null
  return {
    views,
    latest: views[views.length - 1] ?? null,
    amendmentInProgress: Boolean(working && signed.length),
    findingsText,
    diffHtml,
  }
}

/** A clinic's signed reports (or, for readers, everyone's), newest first. */
export function signedReportsFor(user: User, page = 1) {
  return scopeExams(Exam.query(), user)
    .whereNotNull('exams.report_signed_at')
    .preload('patient')
    .preload('institution')
    .preload('items')
    .orderBy('exams.report_signed_at', 'desc')
    .orderBy('exams.id', 'desc')
    .paginate(page, 25)
}
