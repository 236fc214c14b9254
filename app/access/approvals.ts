/*
| Access's two-person change (MLPS 8.1.4.2): switching on administrators' clinical access lets every
| administrator read every clinic's records, so the system administrator asks and the security
| administrator approves (app/approvals); only then is it on. Switching off needs nobody's approval.
| Imported by ./routes.ts.
*/
import app from '@adonisjs/core/services/app'
import { approvalKinds } from '#app/approvals/services/two_person_approval'
import { Clock } from '#app/platform/clock'
import { setAdminClinicalAccess } from '#app/access/clinical_access'

export const SWITCH_ON_CLINICAL_ACCESS = 'access.admin_clinical_access.on'

approvalKinds.register<{ reason: string | null }>(SWITCH_ON_CLINICAL_ACCESS, {
  async execute(_payload, requester) {
    const clock = await app.container.make(Clock)
    await setAdminClinicalAccess(true, requester.id, clock.now())
    return { type: 'security_setting', id: 'admin_clinical_access' }
  },
})
