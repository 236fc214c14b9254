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
  await CriticalValueContact.create({ userId: user.id, duty: 'duty_desk', assignedById: user.id, assignedAt: DateTime.utc() })
  return user
}

/** A clinic user, a desk consultant, a senior (head of department) and an exam with its images. */
export async function consultationScene() {
  const lead = await make.institution('lead_hospital')
  const clinicUser = await make.user('clinic_staff')
  const consultant = await onDutyDesk(await make.user('radiologist', lead, { title: 'intermediate' }))
  const head = await make.user('radiologist', lead, { title: 'senior' })
  const { exam } = await examWithImages(clinicUser, 'CT')
  return { lead, clinicUser, consultant, head, exam }
}

export async function requested(user: User, exam: any, urgency: Urgency = 'fast_track') {
  const consultations = await app.container.make(Consultations)
  return consultations.request(user, exam, { question: '左侧基底节区低密度影性质？', clinicalSummary: '突发右侧肢体无力2小时', urgency, requestKey: randomUUID() })
}
