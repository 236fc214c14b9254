/*
| Critical values' two-person change (MLPS 8.1.4.2): an administrator's bulk export of the registry.
| Approving it changes nothing; it lets the requester download the file once (app/approvals,
| `claimDownload`) at the route below. Imported by ./routes.ts.
*/
import { approvalKinds } from '#app/approvals/services/two_person_approval'

export const EXPORT_REGISTRY = 'critical_value.export'

approvalKinds.register(EXPORT_REGISTRY, {
  async execute() {
    return null
  },
  downloadUrl: (id) => `/critical-values/exports/${id}`,
})
