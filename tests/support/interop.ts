/*
| Building blocks for the interoperability tests: integration tokens with
| scopes, FHIR calls, and an exam with a signed report (images really in the
| test Orthanc, signed by the reading API).
*/
import User from '#models/user'
import type Institution from '#models/institution'
import * as make from '#tests/support/fixtures'
import { baseUrl, apiToken } from '#tests/support/http'
import { api, CT_REPORT, doctor, examWithImages, revisionOf } from '#tests/support/reading'

/** A token of an integration account of this institution, with these scopes. */
export async function integrationToken(at: Institution, abilities: string[] = ['fhir:read']) {
  const account = await make.user(at.kind === 'member_clinic' ? 'clinic_staff' : 'radiologist', at)
  const token = await User.accessTokens.create(account, abilities, { name: 'integration' })
  return token.value!.release()
}

export async function fhir(
  path: string,
  token: string | null,
  init: { method?: string; body?: unknown } = {}
) {
  const response = await fetch(
    baseUrl() +
      (path.startsWith('http') ? new URL(path).pathname + new URL(path).search : '/fhir/r4' + path),
    {
      method: init.method ?? 'GET',
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        Accept: 'application/fhir+json',
        ...(init.body ? { 'Content-Type': 'application/fhir+json' } : {}),
      },
      body: init.body ? JSON.stringify(init.body) : undefined,
    }
  )
  const type = response.headers.get('content-type') ?? ''
  const raw = Buffer.from(await response.arrayBuffer())
  let body: any = null
  if (type.includes('json')) body = JSON.parse(raw.toString('utf8'))
  return { status: response.status, type, body, raw }
}

/** A clinic exam whose images arrived and whose report a junior wrote and a 中级 doctor signed. */
export async function signedExam(clinicUser: User, modality: 'DR' | 'CT' | 'MR' = 'CT') {
  const made = await examWithImages(clinicUser, modality)
  const junior = await doctor('junior')
  const juniorToken = await apiToken(junior)
  const reviewerToken = await apiToken(await doctor('intermediate'))
  const exam = made.exam
  await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, juniorToken)
  await api('POST', `/reading/exams/${exam.accessionNumber}/submit`, juniorToken, {
    ...CT_REPORT,
    revision: await revisionOf(exam),
  })
  const signed = await api('POST', `/reading/exams/${exam.accessionNumber}/sign`, reviewerToken, {
    revision: await revisionOf(exam),
  })
  if (signed.status !== 200) throw new Error(`fixture sign failed: ${JSON.stringify(signed.body)}`)
  await exam.refresh()
  return made
}
