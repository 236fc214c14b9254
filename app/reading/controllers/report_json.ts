import type ReportVersion from '#models/report_version'

/** The JSON form of a report version in /api/v1. */
export function reportJson(version: ReportVersion) {
  return {
    versionNo: version.versionNo,
    status: version.status,
    revision: version.revision,
    technique: version.technique,
    findings: version.findings,
    impression: version.impression,
    comparison: version.comparison,
    priorExamId: version.priorExamId,
    noComparisonReason: version.noComparisonReason,
    authorId: version.authorId,
    author: version.$preloaded.author ? version.author.fullName : undefined,
    lastModifiedById: version.lastModifiedById,
    signerId: version.signerId,
    signer: version.$preloaded.signer && version.signer ? version.signer.fullName : undefined,
    amendmentReason: version.amendmentReason,
    returnComment: version.returnComment,
    returnedAt: version.returnedAt?.toISO() ?? null,
    submittedAt: version.submittedAt?.toISO() ?? null,
    reportTime: version.signedAt?.toISO() ?? null,
    header: version.header,
  }
}
