/*
| Administration's two-person changes (MLPS 8.1.4.2): resetting another user's password lets the system
| administrator sign in as that user, so the reset waits until the security administrator approves it
| (app/approvals). The password travels encrypted in the approval's payload, never in its summary.
| Declaring a DICOM sender (an AE title Orthanc accepts C-STORE from, under a clinic's name) or changing
| which device it is waits the same way: nothing is written to the database or to Orthanc's modality list
| before the approval (the sync job mirrors the database, so it cannot declare it early either).
| Imported by ./routes.ts.
*/
import app from '@adonisjs/core/services/app'
import User from '#models/user'
import DicomSender from '#models/dicom_sender'
import type Institution from '#models/institution'
import type { DicomSenderInput } from '#app/administration/services/dicom_sender_directory'
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
