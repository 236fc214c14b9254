/*
| Building blocks for the reading tests: exams whose images really arrived
| (stored in the test Orthanc through the intake path, which starts the
| reporting clock), reading doctors by title, and the API calls of sign-off.
*/
import { Readable } from 'node:stream'
import app from '@adonisjs/core/services/app'
import type Exam from '#models/exam'
import type { Priority } from '#models/exam'
import type User from '#models/user'
import type Institution from '#models/institution'
import type { Title } from '#app/access/roles'
import { ImageIntake } from '#app/intake/services/image_intake'
import { Clock, ManualClock } from '#app/platform/clock'
import * as make from '#tests/support/fixtures'
import { studyFor } from '#tests/support/dicom'
import { baseUrl } from '#tests/support/http'

/** Swaps a ManualClock into the container for the test; returns it and a restore function. */
export function manualClock(start = '2026-11-22T01:00:00Z') {
  const clock = new ManualClock(start)
  app.container.swap(Clock, () => clock)
  return { clock, restore: () => app.container.restore(Clock) }
}

/** A lead-hospital radiologist of the given title (初级 / 中级 / 高级). */
export async function doctor(title: Title, at?: Institution) {
  return make.user('radiologist', at ?? (await make.institution('lead_hospital')), { title })
}

/** A registered exam whose images arrived now (by the clock in the container): it is in the reading queue. */
export async function examWithImages(
  clinicUser: User,
  modality: 'DR' | 'CT' | 'MR' = 'CT',
  priority: Priority = 'routine',
  patient?: { clinicPatientId: number }
) {
  const made = patient
    ? await examForPatient(clinicUser, modality, priority, patient.clinicPatientId)
    : await make.exam(clinicUser, modality, priority)
  const intake = await app.container.make(ImageIntake)
  const file = studyFor(made.exam, made.clinicPatient, 1, 1).files[0].data
  const outcome = await intake.receive(
    made.exam,
    Readable.from([file]),
    await intake.examIdentity(made.exam),
    file.length
  )
  if (outcome.status === 'rejected') throw new Error(`fixture image refused: ${outcome.reason}`)
  await made.exam.refresh()
  return made
}

/** Another exam for a patient already registered at the clinic (to have priors). */
async function examForPatient(
  clinicUser: User,
  modality: 'DR' | 'CT' | 'MR',
  priority: Priority,
  clinicPatientId: number
) {
  const { ExamRegistration } = await import('#app/intake/services/exam_registration')
  const ClinicPatient = (await import('#models/clinic_patient')).default
  const registration = await app.container.make(ExamRegistration)
  const [exam] = await registration.register(clinicUser, {
    clinicPatientId,
    itemIds: [(await make.item(modality)).id],
    priority,
    clinicalHistory: '复查，咳嗽较前好转',
    purpose: '复查肺部病灶',
    requestingDoctor: '刘医生',
  })
  const clinicPatient = await ClinicPatient.findOrFail(clinicPatientId)
  return { exam: exam as Exam, clinicPatient, patient: null }
}

export const CT_REPORT = {
  technique: '扫描范围：胸廓入口至肺底；横断位平扫，层厚 5 mm，肺窗薄层重建',
  findings: '右肺下叶见斑片状密度增高影，边缘模糊。余肺野未见明确实变。纵隔居中，未见肿大淋巴结。',
  impression: '右肺下叶炎症，建议治疗后复查。',
}

/** Calls the JSON API as an integration would (bearer token), returning status and body. */
export async function api(method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(baseUrl() + '/api/v1' + path, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json',
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await response.text()
  let parsed: any = text
  try {
    parsed = JSON.parse(text)
  } catch {}
  return { status: response.status, body: parsed }
}

/** The working version's revision, as an editor would have read it. */
export async function revisionOf(exam: Pick<Exam, 'id'>) {
  const { workingVersion } = await import('#app/reading/services/report_context')
  return (await workingVersion(exam.id))!.revision
}
