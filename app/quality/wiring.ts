/*
| The reading page's report editor includes pages/quality/_submit_warnings,
| which asks this helper for the automatic QC warnings of the text it shows
| (the same rules the submission enforces). Imported by ./routes.ts.
*/
import edge from 'edge.js'
import { submissionWarnings } from '#app/quality/services/automatic_checks'

edge.global(
  'qcSubmissionWarnings',
  (sex: string | null, findings: string | null, impression: string | null) =>
    submissionWarnings({ sex, findings: findings ?? '', impression: impression ?? '' })
)

/** An automatic check's finding as a sentence (a DICOM field by its name in the person's language). */
edge.global(
  'qcFinding',
  (
    i18n: { t: (key: string, data?: Record<string, unknown>) => string },
    finding: { code: string; details: Record<string, unknown> }
  ) => {
    const details = { ...finding.details }
    if (typeof details.field === 'string')
      details.field = i18n.t(`quality.checks.fields.${details.field}`)
    return i18n.t(`quality.checks.${finding.code}`, details)
  }
)
