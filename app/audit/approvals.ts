/*
| The audit log's two-person change (MLPS 8.1.4.2): exporting it. Its lines name who opened which
| patient's exam, from where, for the whole alliance; the audit administrator reads them on screen,
| and taking a copy away waits for the security administrator. Approving changes nothing; it lets
| the requester download the file once (app/approvals, `claimDownload`). Imported by ./routes.ts.
*/
import { approvalKinds } from '#app/approvals/services/two_person_approval'

export const EXPORT_AUDIT = 'audit.export'

approvalKinds.register(EXPORT_AUDIT, {
  async execute() {
    return null
  },
  downloadUrl: (id) => `/admin/audit/exports/${id}`,
})
