import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import type Exam from '#models/exam'
import ReportVersion from '#models/report_version'
import { SignOff, type DraftInput } from '#app/reading/services/sign_off'
import {
  amendValidator,
  reassignValidator,
  reportContentValidator,
  returnValidator,
  signValidator,
} from '#app/reading/validators/reading_validators'
import { mayRead } from '#app/reading/reading_access'
import { reportJson } from '#app/reading/controllers/report_json'
import { examTarget } from '#app/access/exam_access'
import { useCase, done } from '#app/platform/http/use_case'

/*
| Claims and the two-tier sign-off, for the pages (form posts, answered with a
| redirect and a message) and /api/v1 (JSON), one use case each: reader, then
| the exam (another clinic's or a missing one: 404), then one SignOff call.
*/

function contentOf(data: Partial<DraftInput> & Record<string, unknown>): DraftInput | null {
  const given = ['technique', 'findings', 'impression'].some(
    (field) => field in data && data[field] !== undefined
  )
  if (!given) return null
  return {
    technique: data.technique ?? null,
    findings: data.findings ?? null,
    impression: data.impression ?? null,
    comparison: data.comparison ?? null,
    priorExamId: data.priorExamId ?? null,
    noComparisonReason: data.noComparisonReason ?? null,
    templateId: data.templateId ?? null,
  }
}

/** The exam as the API reports it after a sign-off step. */
async function examAfterStep(exam: Exam) {
  await exam.refresh()
  const working = await ReportVersion.query()
    .where('exam_id', exam.id)
    .orderBy('version_no', 'desc')
    .first()
  return {
    data: {
      id: exam.id,
      accessionNumber: exam.accessionNumber,
      status: exam.status,
      claimedById: exam.claimedById,
      report: working ? reportJson(working) : null,
    },
  }
}

const reading = {
  allow: mayRead,
  target: examTarget,
  json: (_: unknown, { target }: { target: Exam }) => examAfterStep(target),
}

@inject()
export default class SignOffController {
  constructor(protected signOff: SignOff) {}

  claim(ctx: HttpContext) {
    return useCase(ctx, {
      ...reading,
      action: 'reading.claim',
      run: ({ user, target }) => this.signOff.claim(user, target),
      page: (_, { target }) =>
        done(ctx, 'reading.flash.claimed', {}, `/reading/exams/${target.id}`),
    })
  }

  release(ctx: HttpContext) {
    return useCase(ctx, {
      ...reading,
      action: 'reading.release',
      run: ({ user, target }) => this.signOff.release(user, target),
      page: () => done(ctx, 'reading.flash.released', {}, '/reading'),
    })
  }

  reassign(ctx: HttpContext) {
    return useCase(ctx, {
      ...reading,
      action: 'reading.reassign',
      input: reassignValidator,
      run: ({ user, target, input }) => this.signOff.reassign(user, target, input.userId),
      audit: { details: (result, { input }) => ({ to: input.userId, from: result.previous }) },
      page: (result, { target }) =>
        done(
          ctx,
          'reading.flash.reassigned',
          { name: result.target.fullName },
          `/reading/exams/${target.id}`
        ),
    })
  }

  /** Autosave: called by the editor as the doctor types and when the tab is hidden or closed. */
  draft(ctx: HttpContext) {
    return useCase(ctx, {
      ...reading,
      action: 'report.draft',
      input: reportContentValidator,
      // Successful autosaves are not audited line by line (the submitted and signed versions are); refusals are.
      audit: 'refusals',
      run: ({ user, target, input }) =>
        this.signOff.saveDraft(user, target, contentOf(input) ?? input, input.revision),
      json: (saved) => ({
        savedAt: saved.savedAt.toISO(),
        stale: saved.stale,
        revision: saved.revision,
      }),
      page: (saved) => ({
        savedAt: saved.savedAt.toISO(),
        stale: saved.stale,
        revision: saved.revision,
      }),
    })
  }

  submit(ctx: HttpContext) {
    return useCase(ctx, {
      ...reading,
      action: 'report.submit',
      input: reportContentValidator,
      run: ({ user, target, input }) =>
        this.signOff.submit(
          user,
          target,
          contentOf(input) ?? input,
          input.revision,
          input.qcOverrideReason
        ),
      // An override of the automatic QC warnings is audited with its reason.
      audit: {
        details: (_, { input }) =>
          input.qcOverrideReason ? { qcOverride: input.qcOverrideReason } : undefined,
      },
      page: () => done(ctx, 'reading.flash.submitted', {}, '/reading'),
    })
  }

  sign(ctx: HttpContext) {
    return useCase(ctx, {
      ...reading,
      action: 'report.sign',
      input: signValidator,
      run: ({ user, target, input }) =>
        this.signOff.sign(user, target, contentOf(input), input.revision),
      audit: {
        details: (version) => ({ versionNo: version.versionNo, reportVersionId: version.id }),
      },
      page: (version, { target }) =>
        done(
          ctx,
          'reading.flash.signed',
          { version: version.versionNo },
          `/exams/${target.id}/report`
        ),
    })
  }

  returnToAuthor(ctx: HttpContext) {
    return useCase(ctx, {
      ...reading,
      action: 'report.return',
      input: returnValidator,
      run: ({ user, target, input }) =>
        this.signOff.returnToAuthor(user, target, input.comment, input.revision, contentOf(input)),
      page: () => done(ctx, 'reading.flash.returned', {}, '/reading'),
    })
  }

  amend(ctx: HttpContext) {
    return useCase(ctx, {
      ...reading,
      action: 'report.amend',
      input: amendValidator,
      run: ({ user, target, input }) => this.signOff.amend(user, target, input.reason),
      audit: {
        details: (version, { input }) => ({ reason: input.reason, versionNo: version.versionNo }),
      },
      page: (version, { target }) =>
        done(
          ctx,
          'reading.flash.amendment_started',
          { version: version.versionNo },
          `/reading/exams/${target.id}`
        ),
    })
  }
}
