import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import type Exam from '#models/exam'
import { SignOff, type DraftInput } from '#app/reading/services/sign_off'
import {
  amendValidator,
  reassignValidator,
  reportContentValidator,
  returnValidator,
  signValidator,
} from '#app/reading/validators/reading_validators'
import { audited, authorizeReading, isApi, readingExam } from '#app/reading/controllers/reading_access'
import { reportJson } from '#app/reading/controllers/report_json'
import ReportVersion from '#models/report_version'

/*
| Claims and the two-tier sign-off, for the pages (form posts, answered with a
| redirect and a message) and /api/v1 (JSON). Each action is one call to the
| SignOff service; every outcome, refusals included, is audited.
*/

function contentOf(data: Partial<DraftInput> & Record<string, unknown>): DraftInput | null {
  const given = ['technique', 'findings', 'impression'].some((field) => field in data && data[field] !== undefined)
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

@inject()
export default class SignOffController {
  constructor(protected signOff: SignOff) {}

  protected async done(ctx: HttpContext, exam: Exam, messageKey: string, data: Record<string, unknown> = {}, to?: string) {
    if (isApi(ctx)) {
      await exam.refresh()
      const working = await ReportVersion.query().where('exam_id', exam.id).orderBy('version_no', 'desc').first()
      return ctx.response.send({
        data: {
          id: exam.id,
          accessionNumber: exam.accessionNumber,
          status: exam.status,
          claimedById: exam.claimedById,
          report: working ? reportJson(working) : null,
        },
      })
    }
    ctx.session.flash('success', ctx.i18n.t(messageKey, data))
    return ctx.response.redirect(to ?? `/reading/exams/${exam.id}`)
  }

  async claim(ctx: HttpContext) {
    await authorizeReading(ctx)
    const exam = await readingExam(ctx)
    await audited(ctx, { action: 'reading.claim', exam }, () => this.signOff.claim(ctx.auth.user!, exam))
    return this.done(ctx, exam, 'reading.flash.claimed')
  }

  async release(ctx: HttpContext) {
    await authorizeReading(ctx)
    const exam = await readingExam(ctx)
    await audited(ctx, { action: 'reading.release', exam }, () => this.signOff.release(ctx.auth.user!, exam))
    return this.done(ctx, exam, 'reading.flash.released', {}, '/reading')
  }

  async reassign(ctx: HttpContext) {
    await authorizeReading(ctx)
    const exam = await readingExam(ctx)
    const { userId } = await ctx.request.validateUsing(reassignValidator)
    const result = await audited(
      ctx,
      { action: 'reading.reassign', exam, details: { to: userId } },
      () => this.signOff.reassign(ctx.auth.user!, exam, userId),
      (r) => ({ from: r.previous })
    )
    return this.done(ctx, exam, 'reading.flash.reassigned', { name: result.target.fullName })
  }

  /** Autosave: called by the editor as the doctor types and when the tab is hidden or closed. */
  async draft(ctx: HttpContext) {
    await authorizeReading(ctx)
    const exam = await readingExam(ctx)
    const data = await ctx.request.validateUsing(reportContentValidator)
    // Successful autosaves are not audited line by line (the submitted and signed versions are); refusals are.
    try {
      const saved = await this.signOff.saveDraft(ctx.auth.user!, exam, contentOf(data) ?? data, data.revision)
      return ctx.response.send({ savedAt: saved.savedAt.toISO(), stale: saved.stale, revision: saved.revision })
    } catch (error) {
      await audited(ctx, { action: 'report.draft', exam }, () => Promise.reject(error))
    }
  }

  async submit(ctx: HttpContext) {
    await authorizeReading(ctx)
    const exam = await readingExam(ctx)
    const data = await ctx.request.validateUsing(reportContentValidator)
    await audited(ctx, { action: 'report.submit', exam }, () => this.signOff.submit(ctx.auth.user!, exam, contentOf(data) ?? data, data.revision))
    return this.done(ctx, exam, 'reading.flash.submitted', {}, '/reading')
  }

  async sign(ctx: HttpContext) {
    await authorizeReading(ctx)
    const exam = await readingExam(ctx)
    const data = await ctx.request.validateUsing(signValidator)
    const signed = await audited(
      ctx,
      { action: 'report.sign', exam },
      () => this.signOff.sign(ctx.auth.user!, exam, contentOf(data), data.revision),
      (version) => ({ versionNo: version.versionNo, reportVersionId: version.id })
    )
    return this.done(ctx, exam, 'reading.flash.signed', { version: signed.versionNo }, `/exams/${exam.id}/report`)
  }

  async returnToAuthor(ctx: HttpContext) {
    await authorizeReading(ctx)
    const exam = await readingExam(ctx)
    const data = await ctx.request.validateUsing(returnValidator)
    await audited(ctx, { action: 'report.return', exam }, () =>
      this.signOff.returnToAuthor(ctx.auth.user!, exam, data.comment, data.revision, contentOf(data))
    )
    return this.done(ctx, exam, 'reading.flash.returned', {}, '/reading')
  }

  async amend(ctx: HttpContext) {
    await authorizeReading(ctx)
    const exam = await readingExam(ctx)
    const { reason } = await ctx.request.validateUsing(amendValidator)
    const version = await audited(
      ctx,
      { action: 'report.amend', exam, details: { reason } },
      () => this.signOff.amend(ctx.auth.user!, exam, reason),
      (v) => ({ versionNo: v.versionNo })
    )
    return this.done(ctx, exam, 'reading.flash.amendment_started', { version: version.versionNo })
  }
}
