/*
| Building blocks for consultation tests: a lead hospital with a duty desk, a
| clinic with an exam whose images are in, and a request made through the service.
*/
import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import type User from '#models/user'
import CriticalValueContact from '#models/critical_value_contact'
import * as make from '#tests/support/fixtures'
import { examWithImages } from '#tests/support/critical_values'
import { Consultations } from '#app/consultation/services/consultations'
import type { Urgency } from '#app/consultation/models/consultation'

export async function onDutyDesk(user: User) {
  await CriticalValueContact.create({
    userId: user.id,
    duty: 'duty_desk',
    assignedById: user.id,
    assignedAt: DateTime.utc(),
  })
  return user
}

/** A clinic user, a desk consultant, a senior (head of department) and an exam with its images. */
export async function consultationScene() {
  const lead = await make.institution('lead_hospital')
  const clinicUser = await make.user('clinic_staff')
  const consultant = await onDutyDesk(
    await make.user('radiologist', lead, { title: 'intermediate' })
  )
  const head = await make.user('radiologist', lead, { title: 'senior' })
  const { exam } = await examWithImages(clinicUser, 'CT')
  return { lead, clinicUser, consultant, head, exam }
}

export async function requested(user: User, exam: any, urgency: Urgency = 'fast_track') {
  const consultations = await app.container.make(Consultations)
  return consultations.request(user, exam, {
    question: '左侧基底节区低密度影性质？',
    clinicalSummary: '突发右侧肢体无力2小时',
    urgency,
    requestKey: randomUUID(),
  })
}

/** A head (or chest) CT of this clinic user's clinic, registered with the given history, its images sent in through intake. */
export async function ctExamWithImages(
  clinicUser: User,
  bodyWord: string,
  history: string,
  priority: 'routine' | 'emergency' = 'emergency'
) {
  const { Readable } = await import('node:stream')
  const { ExamRegistration } = await import('#app/intake/services/exam_registration')
  const { ImageIntake } = await import('#app/intake/services/image_intake')
  const { studyFor } = await import('#tests/support/dicom')
  await clinicUser.load('institution')
  const items = await make.catalogue()
  const item = items.find((i) => i.modality === 'CT' && i.name.includes(bodyWord))
  if (!item) throw new Error(`no CT item with ${bodyWord}`)
  const registered = await make.patientAt(clinicUser.institution)
  const registration = await app.container.make(ExamRegistration)
  const [exam] = await registration.register(clinicUser, {
    clinicPatientId: registered.clinicPatient.id,
    itemIds: [item.id],
    priority,
    clinicalHistory: history,
    purpose: '明确诊断',
    requestingDoctor: '刘医生',
  })
  const intake = await app.container.make(ImageIntake)
  const file = studyFor(exam as any, registered.clinicPatient, 1, 1).files[0].data
  const outcome = await intake.receive(
    exam as any,
    Readable.from([file]),
    await intake.examIdentity(exam as any),
    file.length
  )
  if (outcome.status === 'rejected') throw new Error(`fixture image refused: ${outcome.reason}`)
  await exam.refresh()
  return { exam, patient: registered.patient }
}
