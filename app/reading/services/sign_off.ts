import { publish } from '#app/platform/domain_events'
import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { DateTime } from 'luxon'
import Exam from '#models/exam'
import ReportVersion from '#models/report_version'
import ReportDraft from '#models/report_draft'
import User from '#models/user'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { realtime, rooms } from '#app/realtime/realtime'
import { doctorOf } from '#app/reading/services/doctors'
import { singleSignatureAllowed } from '#app/reading/services/reading_settings'
import { currentLimits, limitFrom } from '#app/reading/services/turnaround'
import { ReportContext, versionContent, workingVersion } from '#app/reading/services/report_context'
import { sqlTime } from '#app/platform/db_helpers'
import { forcedQcRefusal, markFor } from '#app/quality/services/forced_qc'
import { countSignedExam } from '#app/quality/services/workload_days'
import { recordSubmissionFindings, submissionCheck } from '#app/quality/services/check_records'
import {
  cleanContent,
  comparisonRefusal,
  contentChanged,
  contentRefusal,
  editRefusal,
  isIntermediateOrAbove,
  normaliseContent,
  signRefusal,
  type ReportContent,
} from '#app/reading/services/report_rules'

/*
| Where sign-off is decided. An exam's life in reading:
|
|   images_received ─claim→ in_progress ─submit→ pending_review ─sign→ signed
|          ↑ release ┘          ↑ return (comment) ┘                  │ amend (reason)
|                               └──────────── in_progress (version n+1) ←┘ … sign → amended
|
| Every change is one conditional UPDATE on the exam (its status, and its
| claim where that matters) followed by one on the report version (its status
| and revision), in one transaction and always in that order. Whoever loses a
| race updates no row and is refused; nothing is half-written. Refusals are
| thrown before any write or inside the transaction that rolls back.
*/

const sql = (time: DateTime) => sqlTime(time, true)

const QUEUED_STATUSES = ['images_received', 'in_progress'] as const

export interface DraftInput extends Partial<ReportContent> {
  templateId?: number | null
}

@inject()
export class SignOff {
  constructor(
    protected clock: Clock,
    protected context: ReportContext
  ) {}

  /* ------------------------------------------------------------------ claims */

  /** Takes the exam to write its report: no two doctors write the same report. */
  async claim(user: User, exam: Exam) {
    const doctor = await doctorOf(user)
    if (!doctor.isReader)
      throw new DomainRefusal('not_a_reader', 'reading.refusals.not_a_reader', {}, 403)
    const now = this.clock.now()
    const statusBefore = exam.status
    await db.transaction(async (trx) => {
      const updated = await trx
        .from('exams')
        .where('id', exam.id)
        .where('in_reading_queue', true)
        .whereIn('status', [...QUEUED_STATUSES])
        .where((q) => q.whereNull('claimed_by_id').orWhere('claimed_by_id', user.id))
        .update({
          claimed_by_id: user.id,
          claimed_at: sql(now),
          status: 'in_progress',
          updated_at: sql(now),
        })
      if (!Number(updated)) throw await this.whyNotClaimable(exam.id, user.id, trx)
      await this.ensureDraftVersion(trx, exam.id, user.id, now)
    })
    await exam.refresh()
    announce(exam, statusBefore, 'claimed')
    return exam
  }

  /** Gives the exam back to the queue; the draft stays with its author. */
  async release(user: User, exam: Exam) {
    const now = this.clock.now()
    const statusBefore = exam.status
    await db.transaction(async (trx) => {
      const version = await workingVersion(exam.id, trx)
      const backTo =
        version && (version.submittedAt || version.versionNo > 1)
          ? 'in_progress'
          : 'images_received'
      const updated = await trx
        .from('exams')
        .where('id', exam.id)
        .where('claimed_by_id', user.id)
        .where('status', 'in_progress')
        .update({ claimed_by_id: null, claimed_at: null, status: backTo, updated_at: sql(now) })
      if (!Number(updated)) {
        const fresh = await trx
          .from('exams')
          .where('id', exam.id)
          .select('status', 'claimed_by_id')
          .firstOrFail()
        if (fresh.status === 'pending_review')
          throw new DomainRefusal('awaiting_review', 'reading.refusals.awaiting_review', {}, 409)
        throw new DomainRefusal('not_your_claim', 'reading.refusals.not_your_claim', {}, 409)
      }
    })
    await exam.refresh()
    announce(exam, statusBefore, 'released')
    return exam
  }

  /** A 中级+ doctor hands the exam to another reading doctor. Returns who held it before. */
  async reassign(user: User, exam: Exam, toUserId: number) {
    const doctor = await doctorOf(user)
    if (!doctor.isReader)
      throw new DomainRefusal('not_a_reader', 'reading.refusals.not_a_reader', {}, 403)
    if (!isIntermediateOrAbove(doctor))
      throw new DomainRefusal(
        'junior_cannot_reassign',
        'reading.refusals.junior_cannot_reassign',
        {},
        403
      )
    const target = await User.query()
      .where('id', toUserId)
      .where('status', 'active')
      .preload('institution')
      .first()
    if (!target || !(await doctorOf(target)).isReader)
      throw new DomainRefusal('invalid_assignee', 'reading.refusals.invalid_assignee')
    const now = this.clock.now()
    const previous = exam.claimedById
    const statusBefore = exam.status
    await db.transaction(async (trx) => {
      const updated = await trx
        .from('exams')
        .where('id', exam.id)
        .where('in_reading_queue', true)
        .whereIn('status', [...QUEUED_STATUSES])
        .update({
          claimed_by_id: target.id,
          claimed_at: sql(now),
          status: 'in_progress',
          updated_at: sql(now),
        })
      if (!Number(updated)) throw await this.whyNotClaimable(exam.id, target.id, trx)
      await this.ensureDraftVersion(trx, exam.id, target.id, now)
    })
    await exam.refresh()
    announce(exam, statusBefore, 'reassigned')
    realtime.emit(rooms.user(target.id), 'reading:assigned', {
      id: exam.id,
      accessionNumber: exam.accessionNumber,
    })
    return { previous, target }
  }

  /* ------------------------------------------------------------------ writing */

  /**
   * Saves what the person is typing (their latest draft for this exam). A draft
   * written against a revision someone else has since changed is still kept,
   * and marked stale so the editor can say so.
   */
  async saveDraft(user: User, exam: Exam, input: DraftInput, baseRevision: number) {
    const doctor = await doctorOf(user)
    const fresh = await Exam.findOrFail(exam.id)
    const version = await workingVersion(exam.id)
    const refusal = editRefusal(doctor, version, fresh.claimedById)
    if (refusal) throw refusal
    const content = cleanContent(input)
    const now = this.clock.now()
    await db
      .knexQuery()
      .table('report_drafts')
      .insert({
        exam_id: exam.id,
        author_id: user.id,
        version_no: version!.versionNo,
        base_revision: baseRevision,
        technique: content.technique,
        findings: content.findings,
        impression: content.impression,
        comparison: content.comparison,
        prior_exam_id: content.priorExamId,
        no_comparison_reason: content.noComparisonReason,
        template_id: input.templateId ?? null,
        saved_at: sql(now),
      })
      .onConflict(['exam_id', 'author_id'])
      .merge()
    return { savedAt: now, stale: baseRevision !== version!.revision, revision: version!.revision }
  }

  /** The author sends the report for review (C 4.2.1: a 中级+ doctor reviews and signs). */
  async submit(
    user: User,
    exam: Exam,
    input: DraftInput,
    revision: number,
    qcOverrideReason?: string | null
  ) {
    const doctor = await doctorOf(user)
    const fresh = await Exam.findOrFail(exam.id)
    const version = await workingVersion(exam.id)
    const refusal = editRefusal(doctor, version, fresh.claimedById)
    if (refusal) throw refusal
    const content = await this.checkedContent(fresh, input)
    // Q 4.2.5: the automatic QC warnings (sex-specific organs, sides, impression) are shown before submitting; overridden with a reason.
    const qcWarnings = await submissionCheck(fresh, content, qcOverrideReason)
    const changed = contentChanged(versionContent(version!), content)
    const now = this.clock.now()
    await db.transaction(async (trx) => {
      const updated = await trx
        .from('exams')
        .where('id', exam.id)
        .where('status', 'in_progress')
        .where('claimed_by_id', user.id)
        .update({ status: 'pending_review', updated_at: sql(now) })
      if (!Number(updated))
        throw new DomainRefusal('changed_meanwhile', 'reading.refusals.changed_meanwhile', {}, 409)
      await this.updateVersion(trx, version!, revision, 'draft', {
        ...this.contentColumns(content),
        status: 'pending_review',
        author_id: user.id,
        last_modified_by_id: changed ? user.id : version!.lastModifiedById,
        template_id: input.templateId ?? version!.templateId,
        submitted_at: sql(now),
        updated_at: sql(now),
      })
      await trx.from('report_drafts').where('exam_id', exam.id).where('author_id', user.id).delete()
    })
    await recordSubmissionFindings(fresh, qcWarnings, qcOverrideReason, user.id, now)
    // Q 7.2.1: the random-QC mark is decided now that the reader is known, so the signature only reads it back.
    // Not deciding here loses nothing: the reviewer's page or the signature decides it then.
    await markFor(fresh, user.id, now).catch((error) =>
      logger.warn({ err: error, examId: exam.id }, 'random-QC mark not decided at submission')
    )
    await exam.refresh()
    realtime.examChanged(exam, 'submitted')
    publish('report:submitted', {
      examId: exam.id,
      reportVersionId: version!.id,
      authorId: user.id,
    })
    return exam
  }

  /* ------------------------------------------------------------------ review */

  /**
   * Signs the report. `input` carries the reviewer's edits, if any (they then
   * become its last modifier, whom B names as the signer). `revision` is the
   * one the signer read: if anyone changed the report since, nothing is signed.
   */
  async sign(user: User, exam: Exam, input: DraftInput | null, revision: number) {
    const doctor = await doctorOf(user)
    const fresh = await Exam.findOrFail(exam.id)
    const version = await workingVersion(exam.id)
    if (!version) {
      if (['signed', 'amended'].includes(fresh.status))
        throw new DomainRefusal('already_signed', 'reading.refusals.already_signed', {}, 409)
      throw new DomainRefusal('not_submitted', 'reading.refusals.not_submitted', {}, 409)
    }
    const before = versionContent(version)
    const candidate = input ? normaliseContent(fresh.modality, cleanContent(input)) : before
    const lastModifier = contentChanged(before, candidate) ? user.id : version.lastModifiedById
    // Who may sign is settled before what is signed.
    const refusal = signRefusal(
      doctor,
      version,
      { singleSignature: await singleSignatureAllowed() },
      lastModifier
    )
    if (refusal) throw refusal
    if (version.status === 'draft' && fresh.claimedById !== user.id)
      throw new DomainRefusal('not_your_claim', 'reading.refusals.not_your_claim', {}, 409)
    // Q 7.2.1 random QC: an exam drawn for QC is signed only once its image items are scored.
    const qc = await forcedQcRefusal(fresh, version.authorId, this.clock.now())
    if (qc) throw qc
    const content = await this.checkedContent(fresh, candidate)

    const now = this.clock.now()
    const header = await this.context.header(fresh, version.authorId, user)
    const expected = version.status === 'draft' ? 'in_progress' : 'pending_review'
    const finalStatus = version.versionNo > 1 ? 'amended' : 'signed'
    await db.transaction(async (trx) => {
      const updated = await trx
        .from('exams')
        .where('id', exam.id)
        .where('status', expected)
        .update({
          status: finalStatus,
          in_reading_queue: false,
          claimed_by_id: null,
          claimed_at: null,
          report_signed_at: trx.knexRawQuery('COALESCE(report_signed_at, ?)', [sql(now)]),
          updated_at: sql(now),
        })
      if (!Number(updated)) {
        const state = await trx.from('exams').where('id', exam.id).select('status').firstOrFail()
        if (['signed', 'amended'].includes(state.status))
          throw new DomainRefusal('already_signed', 'reading.refusals.already_signed', {}, 409)
        throw new DomainRefusal('changed_meanwhile', 'reading.refusals.changed_meanwhile', {}, 409)
      }
      await this.updateVersion(trx, version, revision, version.status, {
        ...this.contentColumns(content),
        status: 'signed',
        signer_id: user.id,
        last_modified_by_id: lastModifier,
        signed_at: sql(now),
        header: JSON.stringify(header),
        updated_at: sql(now),
      })
      await trx.from('report_drafts').where('exam_id', exam.id).delete()
      // Q 6.4's workload counts an exam once, at its first signature, in this same transaction.
      if (!fresh.reportSignedAt) await countSignedExam(trx, exam.id, now)
    })
    await exam.refresh()
    const signed = await ReportVersion.findOrFail(version.id)
    realtime.examChanged(exam, 'report_signed')
    realtime.reportSigned(exam, signed.versionNo)
    publish('report:signed', {
      examId: exam.id,
      reportVersionId: signed.id,
      versionNo: signed.versionNo,
      signerId: user.id,
    })
    return signed
  }

  /** The reviewer sends the report back to its author's queue with a comment (and any edits). */
  async returnToAuthor(
    user: User,
    exam: Exam,
    comment: string,
    revision: number,
    input: DraftInput | null
  ) {
    const doctor = await doctorOf(user)
    if (!doctor.isReader)
      throw new DomainRefusal('not_a_reader', 'reading.refusals.not_a_reader', {}, 403)
    if (!isIntermediateOrAbove(doctor))
      throw new DomainRefusal(
        'junior_cannot_review',
        'reading.refusals.junior_cannot_review',
        {},
        403
      )
    const reason = comment.trim()
    if (reason.length < 2)
      throw new DomainRefusal('return_comment_required', 'reading.refusals.return_comment_required')
    const version = await workingVersion(exam.id)
    if (!version || version.status !== 'pending_review') {
      const fresh = await Exam.findOrFail(exam.id)
      if (['signed', 'amended'].includes(fresh.status))
        throw new DomainRefusal('already_signed', 'reading.refusals.already_signed', {}, 409)
      throw new DomainRefusal('not_submitted', 'reading.refusals.not_submitted', {}, 409)
    }
    if (version.authorId === user.id)
      throw new DomainRefusal('own_report', 'reading.refusals.own_report', {}, 403)
    const before = versionContent(version)
    const content = input ? normaliseContent(exam.modality, cleanContent(input)) : before
    const changed = contentChanged(before, content)
    const now = this.clock.now()
    await db.transaction(async (trx) => {
      const updated = await trx
        .from('exams')
        .where('id', exam.id)
        .where('status', 'pending_review')
        .update({ status: 'in_progress', updated_at: sql(now) })
      if (!Number(updated))
        throw new DomainRefusal('changed_meanwhile', 'reading.refusals.changed_meanwhile', {}, 409)
      await this.updateVersion(trx, version, revision, 'pending_review', {
        ...this.contentColumns(content),
        status: 'draft',
        last_modified_by_id: changed ? user.id : version.lastModifiedById,
        return_comment: reason,
        returned_by_id: user.id,
        returned_at: sql(now),
        updated_at: sql(now),
      })
      await trx.from('report_drafts').where('exam_id', exam.id).where('author_id', user.id).delete()
    })
    await exam.refresh()
    realtime.examChanged(exam, 'returned')
    realtime.emit(rooms.user(version.authorId), 'reading:returned', {
      id: exam.id,
      accessionNumber: exam.accessionNumber,
      comment: reason,
    })
    return version.authorId
  }

  /* ------------------------------------------------------------------ amendments */

  /**
   * A signed report is never changed: an amendment is a new version, with its
   * reason, written from the signed text and reviewed and signed again.
   */
  async amend(user: User, exam: Exam, reason: string) {
    const doctor = await doctorOf(user)
    if (!doctor.isReader)
      throw new DomainRefusal('not_a_reader', 'reading.refusals.not_a_reader', {}, 403)
    const why = reason.trim()
    if (why.length < 4)
      throw new DomainRefusal(
        'amendment_reason_required',
        'reading.refusals.amendment_reason_required'
      )
    const signed = await ReportVersion.query()
      .where('exam_id', exam.id)
      .where('status', 'signed')
      .orderBy('version_no', 'desc')
      .first()
    if (!signed) throw new DomainRefusal('not_signed', 'reading.refusals.not_signed', {}, 409)
    if (await workingVersion(exam.id))
      throw new DomainRefusal(
        'amendment_in_progress',
        'reading.refusals.amendment_in_progress',
        {},
        409
      )
    const now = this.clock.now()
    const limit = limitFrom(await currentLimits(), exam.priority, exam.modality)
    let created: ReportVersion | null = null
    await db.transaction(async (trx) => {
      const updated = await trx
        .from('exams')
        .where('id', exam.id)
        .whereIn('status', ['signed', 'amended'])
        .update({
          status: 'in_progress',
          in_reading_queue: true,
          claimed_by_id: user.id,
          claimed_at: sql(now),
          due_at: sql(now.plus({ minutes: limit })),
          updated_at: sql(now),
        })
      if (!Number(updated))
        throw new DomainRefusal(
          'amendment_in_progress',
          'reading.refusals.amendment_in_progress',
          {},
          409
        )
      created = await ReportVersion.create(
        {
          examId: exam.id,
          versionNo: signed.versionNo + 1,
          status: 'draft',
          ...versionContent(signed),
          templateId: signed.templateId,
          authorId: user.id,
          lastModifiedById: user.id,
          amendmentReason: why,
          revision: 1,
          createdAt: now,
          updatedAt: now,
        },
        { client: trx }
      )
    })
    await exam.refresh()
    realtime.examChanged(exam, 'amendment_started')
    return created!
  }

  /* ------------------------------------------------------------------ helpers */

  /** The content as it will be stored, or the refusal that says what is missing. */
  protected async checkedContent(exam: Exam, input: DraftInput) {
    const content = normaliseContent(exam.modality, cleanContent(input))
    const missing = contentRefusal(exam.modality, content)
    if (missing) throw missing
    const priors = this.context.comparablePriors(await this.context.priors(exam))
    const comparison = comparisonRefusal(priors, content)
    if (comparison) throw comparison
    return content
  }

  protected contentColumns(content: ReportContent) {
    return {
      technique: content.technique,
      findings: content.findings,
      impression: content.impression,
      comparison: content.comparison,
      prior_exam_id: content.priorExamId,
      no_comparison_reason: content.noComparisonReason,
    }
  }

  /** The version changes only from the state and revision its caller saw; otherwise nothing is written. */
  protected async updateVersion(
    trx: TransactionClientContract,
    version: ReportVersion,
    revision: number,
    status: string,
    changes: Record<string, unknown>
  ) {
    const updated = await trx
      .from('report_versions')
      .where('id', version.id)
      .where('status', status)
      .where('revision', revision)
      .update({ ...changes, revision: version.revision + 1 })
    if (!Number(updated))
      throw new DomainRefusal('stale_revision', 'reading.refusals.stale_revision', {}, 409)
  }

  /**
   * Claiming (or being handed) the exam makes that doctor the author of the
   * working draft. What the previous holder had typed goes with the exam, so
   * a reassignment loses nothing.
   */
  protected async ensureDraftVersion(
    trx: TransactionClientContract,
    examId: number,
    authorId: number,
    now: DateTime
  ) {
    const version = await workingVersion(examId, trx)
    if (version) {
      if (version.status === 'draft' && version.authorId !== authorId) {
        const typed = await trx
          .from('report_drafts')
          .where('exam_id', examId)
          .where('author_id', version.authorId)
          .where('version_no', version.versionNo)
          .where('base_revision', version.revision)
          .first()
        await trx
          .from('report_versions')
          .where('id', version.id)
          .where('status', 'draft')
          .update({
            ...(typed
              ? {
                  technique: typed.technique,
                  findings: typed.findings,
                  impression: typed.impression,
                  comparison: typed.comparison,
                  prior_exam_id: typed.prior_exam_id,
                  no_comparison_reason: typed.no_comparison_reason,
                  last_modified_by_id: version.authorId,
                }
              : {}),
            author_id: authorId,
            revision: version.revision + 1,
            updated_at: sql(now),
          })
      }
      return
    }
    const last = await trx
      .from('report_versions')
      .where('exam_id', examId)
      .max('version_no as n')
      .first()
    await ReportVersion.create(
      {
        examId,
        versionNo: Number(last?.n ?? 0) + 1,
        status: 'draft',
        authorId,
        lastModifiedById: authorId,
        revision: 1,
        createdAt: now,
        updatedAt: now,
      },
      { client: trx }
    )
  }

  protected async whyNotClaimable(examId: number, userId: number, trx: TransactionClientContract) {
    const exam = await trx
      .from('exams')
      .where('id', examId)
      .select('status', 'claimed_by_id', 'in_reading_queue')
      .firstOrFail()
    if (
      exam.claimed_by_id &&
      Number(exam.claimed_by_id) !== userId &&
      QUEUED_STATUSES.includes(exam.status)
    ) {
      const holder = await trx
        .from('users')
        .where('id', exam.claimed_by_id)
        .select('full_name')
        .first()
      return new DomainRefusal(
        'claimed_by_other',
        'reading.refusals.claimed_by_other',
        { name: holder?.full_name ?? '' },
        409
      )
    }
    if (exam.status === 'pending_review')
      return new DomainRefusal('awaiting_review', 'reading.refusals.awaiting_review', {}, 409)
    if (exam.status === 'signed' || exam.status === 'amended')
      return new DomainRefusal('already_signed', 'reading.refusals.already_signed', {}, 409)
    return new DomainRefusal('no_images', 'reading.refusals.no_images', {}, 409)
  }
}

/** A status change is news for the clinic too; a claim changing hands only for the readers' queues. */
function announce(exam: Exam, statusBefore: string, change: string) {
  if (exam.status !== statusBefore) realtime.examChanged(exam, change)
  else realtime.queueChanged(exam, change)
}

/** Whose unsubmitted text the editor opens with: the person's own draft, when it is about the current revision. */
export async function draftFor(examId: number, userId: number) {
  return ReportDraft.query().where('exam_id', examId).where('author_id', userId).first()
}
