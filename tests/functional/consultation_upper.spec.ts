import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import imaging from '#config/imaging'
import AuditEvent from '#models/audit_event'
import ArchivedStudy from '#models/archived_study'
import ExamStudy from '#models/exam_study'
import StudyCopy from '#models/study_copy'
import StorageTransfer from '#models/storage_transfer'
import { Clock, ManualClock } from '#app/platform/clock'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { StorageNodeRegistry } from '#app/storage/services/storage_node_registry'
import { Replication } from '#app/storage/services/replication'
import Consultation from '#app/consultation/models/consultation'
import ConsultationMessage from '#app/consultation/models/consultation_message'
import UpperEscalation from '#app/consultation/models/upper_escalation'
import { UpperEscalations } from '#app/consultation/services/upper_escalations'
import { ConsultationEscalation } from '#app/consultation/services/consultation_escalation'
import * as make from '#tests/support/fixtures'
import { apiToken } from '#tests/support/http'
import { studyFor } from '#tests/support/dicom'
import { clientOf, md5s, storeStudy } from '#tests/support/storage'
import { ownOrthanc, OWN_NODE_PASSWORD } from '#tests/support/orthanc_node'
import { openTab } from '#tests/support/critical_values'
import { onDutyDesk, requested } from '#tests/support/consultation'

/*
| C 4.2.3: escalation to the upper-level hospital. The upper hospital has its
| own Orthanc process here; the study goes through the storage capability's
| transfer queue (Replication.drain) and is verified there by MD5 manifest;
| upper.rad answers from its queue and the answer lands in the consultation's
| thread, live. The upper hospital sees only what was escalated to it.
*/

let upperOrthanc: Awaited<ReturnType<typeof ownOrthanc>>

async function scene(clock: ManualClock) {
  app.container.swap(Clock, () => clock)
  const registry = await app.container.make(StorageNodeRegistry)
  const lead = await make.institution('lead_hospital')
  const upper = await make.institution('upper_hospital')
  const clinicUser = await make.user('clinic_staff')
  const consultant = await onDutyDesk(
    await make.user('radiologist', lead, { title: 'intermediate' })
  )
  const colleague = await make.user('radiologist', lead, { title: 'senior' })
  const upperRad = await make.user('radiologist', upper, { title: 'senior' })
  await registry.register({
    name: make.unique('centre'),
    role: 'central',
    url: imaging.orthanc.url,
    username: imaging.orthanc.username,
    password: imaging.orthanc.password,
    catalogueExisting: false,
  })
  const upperNode = await registry.register({
    name: make.unique('upper'),
    role: 'upper',
    institutionId: upper.id,
    url: upperOrthanc.url,
    username: 'imaging-app',
    password: OWN_NODE_PASSWORD,
    catalogueExisting: false,
  })

  // A CT of the clinic with its images on the centre's Orthanc, linked to the exam as intake links it.
  const { exam, clinicPatient } = await make.exam(clinicUser, 'CT', 'emergency')
  const study = studyFor(exam, clinicPatient, 2, 3)
  const centre = await app.container.make(OrthancClient)
  const orthancStudyId = await storeStudy(centre, study.files)
  const now = DateTime.utc()
  await ExamStudy.create({
    examId: exam.id,
    studyInstanceUid: study.studyInstanceUid,
    orthancStudyId,
    receivedVia: 'upload',
    sendingAe: null,
    seriesCount: 2,
    instanceCount: 6,
    studyDate: null,
    firstReceivedAt: now,
    lastReceivedAt: now,
  })
  exam.merge({ status: 'images_received', imagesReceivedAt: now, instanceCount: 6 })
  await exam.save()
  const consultation = await requested(clinicUser, exam)
  return {
    lead,
    upper,
    clinicUser,
    consultant,
    colleague,
    upperRad,
    upperNode,
    exam,
    orthancStudyId,
    consultation,
    replication: await app.container.make(Replication),
    escalations: await app.container.make(UpperEscalations),
  }
}

const systemSteps = async (consultationId: number) =>
  (
    await ConsultationMessage.query()
      .where('consultation_id', consultationId)
      .where('kind', 'system')
      .orderBy('id')
  ).map((l) => l.body.split(':')[0])

const escalateForm = { note: '基底节区病灶性质难定，请上级医院会诊' }

test.group('Consultation · escalation to the upper-level hospital', (group) => {
  group.setup(async () => {
    upperOrthanc = await ownOrthanc('upper-hospital', { aet: 'UPPER_HOSP' })
    return () => upperOrthanc.stop()
  })
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.teardown(() => app.container.restore(Clock))

  test('escalate → study verified at the upper Orthanc (MD5 manifest) → upper.rad answers → the answer is in the thread, live', async ({
    assert,
    client,
  }) => {
    const clock = new ManualClock(DateTime.utc())
    const s = await scene(clock)
    const clinicTab = await openTab(s.clinicUser)
    const upperTab = await openTab(s.upperRad)
    try {
      const escalated = await client
        .post(`/consultations/${s.consultation.id}/escalate-upper`)
        .loginAs(s.consultant)
        .withCsrfToken()
        .form(escalateForm)
        .redirects(0)
      escalated.assertStatus(302)
      const escalation = await UpperEscalation.findByOrFail('consultation_id', s.consultation.id)
      assert.equal(escalation.status, 'pending')
      assert.equal(escalation.upperInstitutionId, s.upper.id)
      const audit = await AuditEvent.query()
        .where('action', 'consultation.escalate_upper')
        .orderBy('id', 'desc')
        .firstOrFail()
      assert.equal(audit.outcome, 'success')
      assert.equal(audit.targetId, String(s.consultation.id))

      // The storage queue holds the transfer (purpose escalate), nothing was sent before it was a row.
      const transfer = await StorageTransfer.query()
        .where('target_node_id', s.upperNode.id)
        .firstOrFail()
      assert.equal(transfer.purpose, 'escalate')
      assert.equal(transfer.status, 'queued')
      // Not in the upper queue until it is there.
      const before = await client.get(`/upper-consultations/${escalation.id}`).loginAs(s.upperRad)
      before.assertStatus(200)
      assert.notInclude(before.text(), 'id="upper-opinion-form"')

      const drained = await s.replication.drain()
      assert.equal(drained.verified, 1)
      const archived = await ArchivedStudy.findByOrFail('orthanc_study_id', s.orthancStudyId)
      const copy = await StudyCopy.query()
        .where('archived_study_id', archived.id)
        .where('storage_node_id', s.upperNode.id)
        .firstOrFail()
      assert.equal(copy.state, 'verified')
      assert.equal(copy.manifestDigest, archived.manifestDigest)
      const centre = await app.container.make(OrthancClient)
      const atUpper = await md5s(clientOf(upperOrthanc), s.orthancStudyId)
      assert.lengthOf(Object.keys(atUpper), 6)
      assert.deepEqual(atUpper, await md5s(centre, s.orthancStudyId))
      // The upper hospital's copy is not one of the alliance's copies.
      await archived.refresh()
      assert.equal(archived.verifiedCopies, 1)

      assert.deepEqual(await s.escalations.noteDeliveries(), { delivered: 1 })
      assert.deepEqual(await s.escalations.noteDeliveries(), { delivered: 0 })
      const told = await upperTab.next(
        'consultation:upper_escalated',
        (p) => p.id === escalation.id
      )
      assert.equal(told.url, `/upper-consultations/${escalation.id}`)

      const queue = await client.get('/upper-consultations').loginAs(s.upperRad)
      queue.assertStatus(200)
      assert.include(queue.text(), `data-escalation="${escalation.id}"`)
      const page = await client.get(`/upper-consultations/${escalation.id}`).loginAs(s.upperRad)
      page.assertStatus(200)
      assert.include(page.text(), 'id="upper-opinion-form"')
      assert.include(page.text(), escalateForm.note)
      assert.include(page.text(), 'data-advice-notice')

      const answered = await client
        .post(`/upper-consultations/${escalation.id}/opinion`)
        .loginAs(s.upperRad)
        .withCsrfToken()
        .form({ opinion: '考虑亚急性脑梗死，建议MR DWI', recommendation: '3天内复查' })
        .redirects(0)
      answered.assertStatus(302)
      await escalation.refresh()
      assert.equal(escalation.status, 'answered')
      assert.equal(escalation.answeredById, s.upperRad.id)
      const live = await clinicTab.next(
        'consultation:message',
        (p) => p.consultationId === s.consultation.id && p.kind === 'upper_opinion'
      )
      assert.include(live.body, '考虑亚急性脑梗死')
      const consultation = await Consultation.findOrFail(s.consultation.id)
      assert.equal(consultation.status, 'answered')
      const lines = await ConsultationMessage.query()
        .where('consultation_id', s.consultation.id)
        .orderBy('id')
      assert.includeMembers(
        lines.map((l) => l.body.split(':')[0]),
        ['escalated_upper', 'upper_delivered']
      )
      const thread = await client.get(`/consultations/${s.consultation.id}`).loginAs(s.clinicUser)
      thread.assertStatus(200)
      assert.include(thread.text(), 'data-upper-opinion')
      assert.include(thread.text(), '考虑亚急性脑梗死，建议MR DWI')

      // Answering twice is refused and changes nothing.
      const again = await client
        .post(`/api/v1/upper-consultations/${escalation.id}/opinion`)
        .header('Authorization', `Bearer ${await apiToken(s.upperRad)}`)
        .json({ opinion: '另一意见' })
      again.assertStatus(409)
      await escalation.refresh()
      assert.equal(escalation.opinion, '考虑亚急性脑梗死，建议MR DWI')
    } finally {
      clinicTab.close()
      upperTab.close()
    }
  }).timeout(120_000)

  test('the upper Orthanc down: the escalation shows pending while the queue retries, and is delivered once it is back', async ({
    assert,
    client,
  }) => {
    const clock = new ManualClock(DateTime.utc())
    const s = await scene(clock)
    await upperOrthanc.stop()
    try {
      const token = await apiToken(s.consultant)
      const escalated = await client
        .post(`/api/v1/consultations/${s.consultation.id}/escalate-upper`)
        .header('Authorization', `Bearer ${token}`)
        .json(escalateForm)
      escalated.assertStatus(202)
      assert.equal(escalated.body().status, 'pending')
      const first = await s.replication.drain()
      assert.equal(first.verified, 0)
      const transfer = await StorageTransfer.query()
        .where('target_node_id', s.upperNode.id)
        .firstOrFail()
      assert.equal(transfer.status, 'queued')
      assert.isAtLeast(transfer.attempts, 1)
      assert.isNotNull(transfer.lastError)
      assert.deepEqual(await s.escalations.noteDeliveries(), { delivered: 0 })
      const page = await client.get(`/consultations/${s.consultation.id}`).loginAs(s.consultant)
      assert.include(page.text(), 'data-status="pending"')
      assert.include(page.text(), `data-transfer-attempts="${transfer.attempts}"`)
      const shown = await client
        .get(`/api/v1/consultations/${s.consultation.id}`)
        .header('Authorization', `Bearer ${token}`)
      assert.equal(shown.body().upperEscalation.status, 'pending')
      // Pending: upper.rad cannot answer yet.
      const escalation = await UpperEscalation.findByOrFail('consultation_id', s.consultation.id)
      const early = await client
        .post(`/api/v1/upper-consultations/${escalation.id}/opinion`)
        .header('Authorization', `Bearer ${await apiToken(s.upperRad)}`)
        .json({ opinion: '过早的意见' })
      early.assertStatus(409)
    } finally {
      await upperOrthanc.start()
    }
    // Past the back-off and the down-node wait, the next storage cycle delivers it.
    clock.advance({ minutes: 5 })
    const cycle = await s.replication.cycle()
    assert.isAtLeast(cycle.verified, 1)
    assert.deepEqual(await s.escalations.noteDeliveries(), { delivered: 1 })
    const escalation = await UpperEscalation.findByOrFail('consultation_id', s.consultation.id)
    assert.equal(escalation.status, 'delivered')
    assert.deepEqual(
      await md5s(clientOf(upperOrthanc), s.orthancStudyId),
      await md5s(await app.container.make(OrthancClient), s.orthancStudyId)
    )
  }).timeout(120_000)

  test('refusals: a consultant not assigned (403), the clinic (403), another clinic and upper.rad (404), escalating twice (409)', async ({
    assert,
    client,
  }) => {
    const clock = new ManualClock(DateTime.utc())
    const s = await scene(clock)
    const post = (user: any) =>
      client
        .post(`/consultations/${s.consultation.id}/escalate-upper`)
        .loginAs(user)
        .withCsrfToken()
        .header('Accept', 'application/json')
        .form(escalateForm)
    ;(await post(s.colleague)).assertStatus(403)
    ;(await post(s.clinicUser)).assertStatus(403)
    ;(await post(await make.user('clinic_staff'))).assertStatus(404)
    ;(await post(s.upperRad)).assertStatus(404)
    assert.isNull(await UpperEscalation.findBy('consultation_id', s.consultation.id))
    assert.lengthOf(await StorageTransfer.query().where('target_node_id', s.upperNode.id), 0)
    const denied = await AuditEvent.query()
      .where('action', 'consultation.escalate_upper')
      .where('outcome', 'denied')
    assert.isAtLeast(denied.length, 3)

    ;(await post(s.consultant)).assertStatus(202)
    ;(await post(s.consultant)).assertStatus(409)
    assert.lengthOf(await UpperEscalation.query().where('consultation_id', s.consultation.id), 1)
  }).timeout(120_000)

  test('sent on to the upper hospital before its due time, the overdue sweep never takes it to the duty desk or the head', async ({
    assert,
  }) => {
    const clock = new ManualClock('2026-11-22T16:10:00Z')
    const s = await scene(clock)
    const sweep = await app.container.make(ConsultationEscalation)
    await s.escalations.escalate(s.consultant, s.consultation, escalateForm)
    clock.advance({ minutes: 31 })
    assert.deepEqual(await sweep.escalateOverdue(), { escalated: 0 })
    clock.advance({ minutes: 15 })
    assert.deepEqual(await sweep.escalateOverdue(), { escalated: 0 })
    const consultation = await Consultation.findOrFail(s.consultation.id)
    assert.equal(consultation.escalationLevel, 0)
    assert.equal(consultation.status, 'open')
    assert.notIncludeMembers(await systemSteps(consultation.id), [
      'escalated_desk',
      'escalated_head',
    ])
    assert.lengthOf(
      await AuditEvent.query()
        .where('action', 'consultation.escalate')
        .where('target_id', String(consultation.id)),
      0
    )
  }).timeout(120_000)

  test('at the duty desk and then sent on to the upper hospital, the sweep takes no head-of-department step', async ({
    assert,
  }) => {
    const clock = new ManualClock('2026-11-22T16:10:00Z')
    const s = await scene(clock)
    const sweep = await app.container.make(ConsultationEscalation)
    clock.advance({ minutes: 30 })
    assert.deepEqual(await sweep.escalateOverdue(), { escalated: 1 })
    const consultation = await Consultation.findOrFail(s.consultation.id)
    assert.equal(consultation.escalationLevel, 1)
    await s.escalations.escalate(s.consultant, consultation, escalateForm)
    clock.advance({ minutes: 20 })
    assert.deepEqual(await sweep.escalateOverdue(), { escalated: 0 })
    await consultation.refresh()
    assert.equal(consultation.escalationLevel, 1)
    assert.notInclude(await systemSteps(consultation.id), 'escalated_head')
    assert.lengthOf(
      await AuditEvent.query()
        .where('action', 'consultation.escalate')
        .where('target_id', String(consultation.id)),
      1
    )
  }).timeout(120_000)

  test('the upper hospital sees only what was escalated to it: a consultation never escalated, another hospital’s escalation (404)', async ({
    client,
    assert,
  }) => {
    const clock = new ManualClock(DateTime.utc())
    const s = await scene(clock)
    // upper.rad opening the (not escalated) consultation: 404, as for a missing one.
    ;(await client.get(`/consultations/${s.consultation.id}`).loginAs(s.upperRad)).assertStatus(404)
    ;(
      await client
        .get(`/api/v1/consultations/${s.consultation.id}`)
        .header('Authorization', `Bearer ${await apiToken(s.upperRad)}`)
    ).assertStatus(404)
    ;(await client.get('/consultations').loginAs(s.upperRad)).assertStatus(403)

    await s.escalations.escalate(s.consultant, s.consultation, escalateForm)
    const escalation = await UpperEscalation.findByOrFail('consultation_id', s.consultation.id)
    // Escalated: the consultation itself still is the alliance's; the upper hospital has its queue.
    ;(await client.get(`/consultations/${s.consultation.id}`).loginAs(s.upperRad)).assertStatus(404)
    const otherUpper = await make.user('radiologist', await make.institution('upper_hospital'), {
      title: 'senior',
    })
    ;(await client.get(`/upper-consultations/${escalation.id}`).loginAs(otherUpper)).assertStatus(
      404
    )
    const list = await client
      .get('/api/v1/upper-consultations')
      .header('Authorization', `Bearer ${await apiToken(otherUpper)}`)
    list.assertStatus(200)
    assert.lengthOf(list.body().data, 0)
    // The clinic and the lead hospital have no upper queue.
    ;(await client.get(`/upper-consultations/${escalation.id}`).loginAs(s.clinicUser)).assertStatus(
      404
    )
    ;(await client.get('/upper-consultations').loginAs(s.consultant)).assertStatus(403)
  }).timeout(120_000)
})
