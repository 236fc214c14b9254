/*
| Administration's two-person changes (MLPS 8.1.4.2), carried out once the security administrator approves
| (app/approvals):
| - resetting another user's password lets the system administrator sign in as that user;
| - giving an account a clinical role (or one of the other administrators' roles), by creating it with that
|   role or by changing its role or institution to one, lets the system administrator — who chose its
|   password — read every clinic's records, or approve their own requests;
| - declaring a DICOM sender (an AE title Orthanc accepts C-STORE from, under a clinic's name) or changing
|   which device it is: nothing is written to the database or to Orthanc's modality list before the approval
|   (the sync job mirrors the database, so it cannot declare it early either).
| Passwords travel encrypted in the approval's payload, never in its summary. The rules that decide when an
| approval is needed are the services' (./services/staff_directory.ts, ./services/dicom_sender_directory.ts).
| Imported by ./routes.ts.
*/
import app from '@adonisjs/core/services/app'
import User from '#models/user'
import DicomSender from '#models/dicom_sender'
import type Institution from '#models/institution'
import type { Role, Title } from '#app/access/roles'
import type { DicomSenderInput } from '#app/administration/services/dicom_sender_directory'
import { approvalKinds } from '#app/approvals/services/two_person_approval'
import type { UserInput } from '#app/administration/services/staff_directory'

export const RESET_PASSWORD = 'admin.user.password_reset'
export const CREATE_ACCOUNT = 'admin.user.create_with_role'
export const GRANT_ROLE = 'admin.user.role_grant'

/** A new account as it travels in the payload (JSON: the expiry as an ISO date). */
export type AccountRequest = Omit<UserInput, 'expiresOn'> & { expiresOn: string | null }

export interface RoleGrant {
  userId: number
  role: Role
  institutionId: number
  title: Title | null
}

async function staffDirectory() {
  const { StaffDirectory } = await import('#app/administration/services/staff_directory')
  return app.container.make(StaffDirectory)
}

approvalKinds.register<{ userId: number; password: string }>(RESET_PASSWORD, {
  async execute({ userId, password }) {
    const user = await User.findOrFail(userId)
    await (await staffDirectory()).resetPassword(user, password)
    return { type: 'user', id: user.id }
  },
})

approvalKinds.register<AccountRequest>(CREATE_ACCOUNT, {
  async execute(request, requester) {
    const { expiresOn, ...input } = request
    // The rules are checked again: the username may have been taken, the institution changed, meanwhile.
    const user = await (
      await staffDirectory()
    ).create({ ...input, expiresOn: expiresOn ? new Date(expiresOn) : null }, requester)
    return { type: 'user', id: user.id }
  },
})

approvalKinds.register<RoleGrant>(GRANT_ROLE, {
  async execute(grant, requester) {
    const user = await User.findOrFail(grant.userId)
    await (await staffDirectory()).applyGrant(user, grant, requester)
    return { type: 'user', id: user.id }
  },
})

/** What the approver reads: whose password, never the password. */
export function resetSummary(user: User) {
  return { userId: user.id, username: user.username, fullName: user.fullName }
}

/** What the approver reads about a new account: who, which role where; never its password. */
export function accountSummary(input: UserInput, institution: Institution) {
  return {
    username: input.username,
    fullName: input.fullName,
    grantedRole: input.role,
    institution: `${institution.code} ${institution.name}`,
    ...(input.title ? { title: input.title } : {}),
  }
}

/** What the approver reads about a role change: from which role where, to which. */
export function grantSummary(
  user: User & { institution?: Institution },
  grant: RoleGrant,
  institution: Institution
) {
  return {
    userId: user.id,
    username: user.username,
    fullName: user.fullName,
    previousRole: user.role,
    ...(user.institution
      ? { previousInstitution: `${user.institution.code} ${user.institution.name}` }
      : {}),
    grantedRole: grant.role,
    institution: `${institution.code} ${institution.name}`,
    ...(grant.title ? { title: grant.title } : {}),
  }
}

export const DECLARE_SENDER = 'admin.sender.declare'
export const CHANGE_SENDER = 'admin.sender.change'

approvalKinds.register<DicomSenderInput>(DECLARE_SENDER, {
  async execute(input) {
    const { DicomSenderDirectory } =
      await import('#app/administration/services/dicom_sender_directory')
    const sender = await (await app.container.make(DicomSenderDirectory)).create(input)
    return { type: 'dicom_sender', id: sender.id }
  },
})

approvalKinds.register<{ senderId: number; input: DicomSenderInput }>(CHANGE_SENDER, {
  async execute({ senderId, input }) {
    const { DicomSenderDirectory } =
      await import('#app/administration/services/dicom_sender_directory')
    const sender = await DicomSender.findOrFail(senderId)
    await (await app.container.make(DicomSenderDirectory)).update(sender, input)
    return { type: 'dicom_sender', id: sender.id }
  },
})

/** What the approver reads: which device, for which clinic, and what it was before. */
export function senderSummary(
  input: DicomSenderInput,
  institution: Institution,
  sender?: DicomSender
) {
  return {
    institution: `${institution.code} ${institution.name}`,
    aeTitle: input.aeTitle,
    host: input.host,
    port: input.port ?? 104,
    active: input.active ?? true,
    ...(sender
      ? {
          senderId: sender.id,
          previousAeTitle: sender.aeTitle,
          previousHost: sender.host,
          previousPort: sender.port ?? 104,
          previousActive: sender.active,
        }
      : {}),
  }
}
