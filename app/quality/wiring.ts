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
