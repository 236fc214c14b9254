import app from '@adonisjs/core/services/app'
import type User from '#models/user'
import { TwoPersonApproval } from '#app/approvals/services/two_person_approval'
import { REGISTER_NODE, nodeSummary } from '#app/storage/approvals'

/**
 * The security administrator's queue in the demo county: the system administrator asked to register an
 * off-site backup node; it waits for sec.admin (approving it registers a node that is not running).
 */
export async function seedApprovalsDemo(sysadmin: User, log: (message: string) => void = () => {}) {
  log('two-person approval: a backup node registration waiting for the security administrator…')
  const approvals = await app.container.make(TwoPersonApproval)
  const node = {
    name: '市灾备中心（待批准）',
    role: 'backup' as const,
    url: 'http://10.20.0.8:8042',
    username: 'imaging-app',
    password: 'demo-backup-Secret-1',
    catalogueExisting: true,
  }
  await approvals.request(sysadmin, REGISTER_NODE, node, nodeSummary(node))
}
