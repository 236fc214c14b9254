import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import Institution from '#models/institution'
import Exam from '#models/exam'
import ReportVersion from '#models/report_version'
import DicomSender from '#models/dicom_sender'
import {
  FhirDelivery,
  FhirDeliveryAttempt,
  FhirPushSetting,
} from '#app/interoperability/push/push_models'

/** Integration accounts use their token, not a password; this one only fills the column. */
const PASSWORD_FOR_DEMO_INTEGRATIONS = 'Integration-only-2026!'

/*
| Interoperability in the demo county: the first clinic's DR reads its
| worklist in GB18030, the second clinic declares a CT reading UTF-8; one exam
| request is cancelled; integration accounts with FHIR tokens (printed once, in
| the seed's log); the recognition platform's endpoint (switched off until the
| administrator enters the real one) with a delivered and a failing delivery.
*/
export async function seedInteroperabilityDemo(
  now: DateTime,
  log: (message: string) => void = () => {}
) {
  const clinics = await Institution.query().where('kind', 'member_clinic').orderBy('code')
  const lead = await Institution.query().where('kind', 'lead_hospital').firstOrFail()
  if (clinics.length < 2) return

  await DicomSender.query()
    .where('institution_id', clinics[0].id)
    .update({ worklist_charset: 'GB18030' })
  const ct = `${clinics[1].code}_CT`.slice(0, 16)
  if (!(await DicomSender.findBy('ae_title', ct))) {
    await DicomSender.create({
      institutionId: clinics[1].id,
      aeTitle: ct,
      host: '127.0.0.1',
      port: 104,
      description: `${clinics[1].name} CT`,
      active: true,
      worklistCharset: 'ISO_IR 192',
    })
  }

  // One request withdrawn (the patient did not come): it is not on the worklist.
  const waiting = await Exam.query()
    .where('institution_id', clinics[0].id)
    .where('status', 'registered')
    .whereNull('cancelled_at')
    .orderBy('registered_at')
    .first()
  const others = waiting
    ? await Exam.query()
        .where('institution_id', clinics[0].id)
        .where('status', 'registered')
        .whereNot('id', waiting.id)
        .count('* as n')
    : []
  if (waiting && Number(others[0]?.$extras.n ?? 0) > 0) {
    await db
      .from('exams')
      .where('id', waiting.id)
      .update({ cancelled_at: now.minus({ minutes: 30 }).toSQL({ includeOffset: false }) })
  }

  const tokens: string[] = []
  for (const [username, at, abilities] of [
    [`his_${clinics[0].code.toLowerCase()}`, clinics[0], ['fhir:read']],
    ['fhir_centre', lead, ['fhir:read', 'fhir:national_id']],
  ] as const) {
    const account =
      (await User.findBy('username', username)) ??
      (await User.create({
        username,
        fullName: `${at.name} 接口账号`,
        password: PASSWORD_FOR_DEMO_INTEGRATIONS,
        institutionId: at.id,
        role: at.kind === 'member_clinic' ? 'clinic_staff' : 'radiologist',
        title: null,
        status: 'active',
        failedLoginCount: 0,
      }))
    const token = await User.accessTokens.create(account, [...abilities], {
      name: 'demo FHIR',
      expiresIn: '30 days',
    })
    tokens.push(`${username} (${abilities.join(',')}): ${token.value!.release()}`)
  }
  log(
    `FHIR integration tokens (GET /fhir/r4/DiagnosticReport with "Authorization: Bearer <token>"):\n  ${tokens.join('\n  ')}`
  )

  if (!(await FhirPushSetting.query().first())) {
    await FhirPushSetting.create({
      endpointUrl: 'https://hr-platform.example.cn/fhir',
      username: null,
      secretCipher: null,
      active: false,
      updatedById: null,
    })
  }
  const signed = await ReportVersion.query()
    .where('status', 'signed')
    .orderBy('signed_at', 'desc')
    .limit(2)
  for (const [index, version] of signed.entries()) {
    if (await FhirDelivery.findBy('report_version_id', version.id)) continue
    const at = (version.signedAt ?? now).plus({ seconds: 5 })
    const ok = index === 0
    const delivery = await FhirDelivery.create({
      examId: version.examId,
      reportVersionId: version.id,
      status: ok ? 'delivered' : 'queued',
      attempts: ok ? 1 : 3,
      nextAttemptAt: ok ? null : now.plus({ minutes: 15 }),
      deliveredAt: ok ? at : null,
      lastError: ok ? null : 'ECONNREFUSED',
    })
    for (let n = 0; n < delivery.attempts; n++) {
      await FhirDeliveryAttempt.create({
        deliveryId: delivery.id,
        attemptedAt: at.plus({ minutes: n * 5 }),
        httpStatus: ok ? 200 : null,
        error: ok ? null : 'ECONNREFUSED',
        durationMs: ok ? 180 : 3,
      })
    }
  }
  log(
    'interoperability: worklist devices (GB18030 and UTF-8), a cancelled request, FHIR tokens, the recognition platform deliveries'
  )
}
