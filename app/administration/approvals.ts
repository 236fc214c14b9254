/*
| Administration's two-person changes (MLPS 8.1.4.2): resetting another user's password lets the system
| administrator sign in as that user, so the reset waits until the security administrator approves it
| (app/approvals). The password travels encrypted in the approval's payload, never in its summary.
| Imported by ./routes.ts.
*/
import app from '@adonisjs/core/services/app'
import User from '#models/user'
import { approvalKinds } from '#app/approvals/services/two_person_approval'

export const RESET_PASSWORD = 'admin.user.password_reset'

approvalKinds.register<{ userId: number; password: string }>(RESET_PASSWORD, {
  async execute({ userId, password }) {
    const { StaffDirectory } = await import('#app/administration/services/staff_directory')
    const user = await User.findOrFail(userId)
    await (await app.container.make(StaffDirectory)).resetPassword(user, password)
    return { type: 'user', id: user.id }
  },
})

/** What the approver reads: whose password, never the password. */
export function resetSummary(user: User) {
  return { userId: user.id, username: user.username, fullName: user.fullName }
}
