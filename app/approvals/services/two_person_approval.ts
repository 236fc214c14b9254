import { inject } from '@adonisjs/core'
import encryption from '@adonisjs/core/services/encryption'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import Approval from '#app/approvals/approval'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { isSecurityAdministrator } from '#app/access/roles'

/*
| Two-person approval (MLPS 8.1.4.2: 三员分立, and the rule that what can exfiltrate or escalate needs a second
| person). A capability registers each kind of change with the code that carries it out once approved;
| its controller asks `request(...)` instead of doing it. Nothing happens until the security administrator —
| never the requester — approves; the approval runs the change in one transaction with the status change.
*/

export interface ApprovalKind<P = any> {
  /** carries the change out; returns what it made (audited and kept on the approval) */
  execute(payload: P, requester: User): Promise<{ type: string; id: string | number } | null>
  /**
   * For a bulk export: where its requester downloads the file once approved (the capability's own
   * route, which claims the approval with `claimDownload`). Such a kind's `execute` changes nothing.
   */
  downloadUrl?: (approvalId: number) => string
}

const kinds = new Map<string, ApprovalKind>()

export const approvalKinds = {
  register<P>(kind: string, handler: ApprovalKind<P>) {
    kinds.set(kind, handler)
  },
  has(kind: string) {
    return kinds.has(kind)
  },
  downloadUrl(kind: string, approvalId: number) {
    return kinds.get(kind)?.downloadUrl?.(approvalId) ?? null
  },
}

/*
| An approved export is downloaded once, within a working day of the approval. Once: the approver
| approved one copy of these rows, not a standing right to them; a second copy is a second request.
| Within 24 h: an approval given in the evening can still be used the next morning, but does not
| lie about for weeks as a key to patient data.
*/
export const DOWNLOAD_VALIDITY_HOURS = 24

const PURPOSE = 'approval-payload'

@inject()
export class TwoPersonApproval {
  constructor(protected clock: Clock) {}

  /** Records the request; nothing else changes. `summary` is what the approver reads (no secrets). */
  async request<P>(requester: User, kind: string, payload: P, summary: Record<string, unknown>) {
    if (!kinds.has(kind)) throw new Error(`approval kind "${kind}" is not registered`)
    return Approval.create({
      kind,
      status: 'pending',
      requestedById: requester.id,
      requestedAt: this.clock.now(),
      payloadCipher: encryption.encrypt(payload, undefined, PURPOSE),
      summary,
    })
  }

  /** What this person asked for lately (their own requests page). */
  mine(requester: User) {
    return Approval.query()
      .where('requested_by_id', requester.id)
      .preload('decidedBy')
      .orderBy('requested_at', 'desc')
      .orderBy('id', 'desc')
      .limit(50)
  }

  /** Whether an approved export may still be downloaded (for the requests page). */
  downloadable(approval: Approval) {
    return (
      approval.status === 'approved' &&
      !approval.downloadedAt &&
      !!approval.decidedAt &&
      approval.decidedAt >= this.clock.now().minus({ hours: DOWNLOAD_VALIDITY_HOURS }) &&
      approvalKinds.downloadUrl(approval.kind, approval.id) !== null
    )
  }

  /**
   * The one download of an approved export: only its requester, only once (one conditional UPDATE,
   * so two parallel downloads cannot both pass), only within the validity. Returns the request's
   * payload (what to export); every other case is a refusal the caller's use case audits.
   */
  async claimDownload<P>(requester: User, approvalId: number, kind: string): Promise<P> {
    const approval = await Approval.query()
      .where('id', approvalId)
      .where('kind', kind)
      .where('requested_by_id', requester.id)
      .first()
    // Someone else's approval is answered like a missing one.
    if (!approval)
      throw new DomainRefusal('export_not_found', 'approvals.export_not_found', {}, 404)
    if (approval.status === 'pending')
      throw new DomainRefusal('export_pending', 'approvals.export_pending', {}, 409)
    if (approval.status !== 'approved')
      throw new DomainRefusal('export_rejected', 'approvals.export_rejected', {}, 409)
    if (approval.downloadedAt)
      throw new DomainRefusal('export_downloaded', 'approvals.export_downloaded', {}, 410)
    const now = this.clock.now()
    const since = now.minus({ hours: DOWNLOAD_VALIDITY_HOURS })
    if (!approval.decidedAt || approval.decidedAt < since)
      throw new DomainRefusal('export_expired', 'approvals.export_expired', {}, 410)
    const affected = await Approval.query()
      .where('id', approval.id)
      .where('status', 'approved')
      .whereNull('downloaded_at')
      .update({ downloaded_at: now.toJSDate() })
    if (Number(Array.isArray(affected) ? affected[0] : affected) !== 1)
      throw new DomainRefusal('export_downloaded', 'approvals.export_downloaded', {}, 410)
    return encryption.decrypt(approval.payloadCipher, PURPOSE) as P
  }

  pending() {
    return Approval.query()
      .where('status', 'pending')
      .preload('requestedBy')
      .orderBy('requested_at')
  }

  recent() {
    return Approval.query()
      .whereNot('status', 'pending')
      .preload('requestedBy')
      .preload('decidedBy')
      .orderBy('decided_at', 'desc')
      .limit(50)
  }

  async approve(approver: User, approval: Approval) {
    this.mayDecide(approver, approval)
    return db.transaction(async (trx) => {
      const locked = await Approval.query({ client: trx })
        .where('id', approval.id)
        .forUpdate()
        .firstOrFail()
      if (locked.status !== 'pending')
        throw new DomainRefusal('approval_decided', 'approvals.already_decided', {}, 409)
      const requester = await User.findOrFail(locked.requestedById, { client: trx })
      const payload = encryption.decrypt(locked.payloadCipher, PURPOSE)
      const made = await kinds.get(locked.kind)!.execute(payload, requester)
      locked.useTransaction(trx)
      locked.merge({
        status: 'approved',
        decidedById: approver.id,
        decidedAt: this.clock.now(),
        resultType: made?.type ?? null,
        resultId: made ? String(made.id) : null,
      })
      await locked.save()
      return locked
    })
  }

  async reject(approver: User, approval: Approval, note: string | null) {
    this.mayDecide(approver, approval)
    const affected = await Approval.query()
      .where('id', approval.id)
      .where('status', 'pending')
      .update({
        status: 'rejected',
        decided_by_id: approver.id,
        decided_at: this.clock.now().toJSDate(),
        decision_note: note,
      })
    if (Number(Array.isArray(affected) ? affected[0] : affected) !== 1)
      throw new DomainRefusal('approval_decided', 'approvals.already_decided', {}, 409)
    await approval.refresh()
    return approval
  }

  protected mayDecide(approver: User, approval: Approval) {
    if (!isSecurityAdministrator(approver))
      throw new DomainRefusal(
        'not_security_administrator',
        'approvals.not_security_administrator',
        {},
        403
      )
    if (approval.requestedById === approver.id)
      throw new DomainRefusal('own_request', 'approvals.own_request', {}, 403)
  }
}
