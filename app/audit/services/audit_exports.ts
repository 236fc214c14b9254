import { inject } from '@adonisjs/core'
import type User from '#models/user'
import { TwoPersonApproval } from '#app/approvals/services/two_person_approval'
import { EXPORT_AUDIT } from '#app/audit/approvals'
import { AuditSearch, auditFilterValidator } from '#app/audit/services/audit_search'

/** The filters as typed (strings), so the approved download validates them again exactly as asked. */
export type RawAuditFilters = Record<string, string>

const FILTERS = ['username', 'action', 'outcome', 'targetType', 'targetId', 'from', 'to']

/**
 * Exporting the audit log waits for the security administrator (app/audit/approvals.ts); the
 * approved request is downloaded once by the audit administrator who asked.
 */
@inject()
export class AuditExports {
  constructor(
    protected approvals: TwoPersonApproval,
    protected search: AuditSearch
  ) {}

  static pick(raw: Record<string, unknown>): RawAuditFilters {
    const picked: RawAuditFilters = {}
    for (const key of FILTERS) {
      const value = raw[key]
      if (typeof value === 'string' && value.trim() !== '') picked[key] = value.trim()
    }
    return picked
  }

  /** Records the request: the approver reads the filters and how many lines it would hold. */
  async request(user: User, raw: RawAuditFilters) {
    const events = await this.search.all(await auditFilterValidator.validate(raw))
    const filters = Object.entries(raw)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')
    return this.approvals.request(user, EXPORT_AUDIT, raw, {
      format: 'csv',
      filters: filters || '—',
      rows: events.length,
    })
  }

  /** The one download: the lines the request names, as they stand now. */
  async claim(user: User, approvalId: number) {
    const raw = await this.approvals.claimDownload<RawAuditFilters>(user, approvalId, EXPORT_AUDIT)
    return this.search.all(await auditFilterValidator.validate(raw))
  }
}
