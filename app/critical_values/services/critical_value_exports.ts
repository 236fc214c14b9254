import { inject } from '@adonisjs/core'
import type User from '#models/user'
import { isAdministrator } from '#app/access/roles'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { TwoPersonApproval } from '#app/approvals/services/two_person_approval'
import { CriticalValueRegistry } from '#app/critical_values/services/critical_value_registry'
import { EXPORT_REGISTRY } from '#app/critical_values/approvals'
import type { RegistryFilters } from '#app/critical_values/services/critical_value_registry'

export type ExportFormat = 'csv' | 'xlsx'
export interface ExportRequest {
  format: ExportFormat
  filters: RegistryFilters
}

/*
| Bulk export of the critical-value registry (patients' names, exam numbers, findings, for many
| patients at once). Two-person rule (MLPS 8.1.4.2) for the administrators: they see no clinical data
| unless clinical access is switched on, and an export is the one step that takes it off the system, so
| theirs waits for the security administrator and is downloaded once (app/approvals).
| Clinical users export what their own role already shows them on screen (clinic staff: their clinic;
| the reading centre: the alliance's) for the monthly quality figures the department sends, and that
| stays a direct, audited download: a queue at the security administrator for every routine sheet
| would be approved unread, which protects nothing (docs/architecture.md, security).
*/
@inject()
export class CriticalValueExports {
  constructor(
    protected registry: CriticalValueRegistry,
    protected approvals: TwoPersonApproval
  ) {}

  static needsApproval(user: User) {
    return isAdministrator(user)
  }

  /** A direct export: refused for those whose exports need approval. */
  direct(user: User) {
    if (CriticalValueExports.needsApproval(user))
      throw new DomainRefusal('export_needs_approval', 'approvals.export_needs_approval', {}, 403)
  }

  /** Records the request; the approver reads the filters and how many rows it would hold. */
  async request(user: User, asked: ExportRequest, t: (key: string) => string) {
    const { rows } = await this.registry.exportRows(user, asked.filters, t)
    const filters = Object.entries(asked.filters)
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')
    return this.approvals.request(user, EXPORT_REGISTRY, asked, {
      format: asked.format,
      filters: filters || '—',
      rows: rows.length,
    })
  }

  /** The one download of an approved request: what was asked, exported with today's rows. */
  claim(user: User, approvalId: number) {
    return this.approvals.claimDownload<ExportRequest>(user, approvalId, EXPORT_REGISTRY)
  }
}
