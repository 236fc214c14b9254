import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import AuditEvent from '#models/audit_event'
import Consultation from '#app/consultation/models/consultation'
import ConsultationMessage from '#app/consultation/models/consultation_message'
import { Clock, ManualClock } from '#app/platform/clock'
import { Consultations } from '#app/consultation/services/consultations'
import { apiToken } from '#tests/support/http'
import { openTab } from '#tests/support/critical_values'
import { consultationScene, requested } from '#tests/support/consultation'

/*
| The requester withdraws an unanswered consultation, with a reason: kept on
| the row, written in the thread (live) and in the audit line. Anyone else, a
| missing reason, or an answered consultation is refused and nothing changes.
*/
test.group('Consultation · cancelling by the requester', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.teardown(() => app.container.restore(Clock))

  test('the requester cancels an unanswered consultation with a reason; audited; the thread says so live', async ({
    assert,
    client,
  }) => {
    const clock = new ManualClock('2026-11-23T02:00:00Z')
    app.container.swap(Clock, () => clock)
    const { clinicUser, consultant, exam } = await consultationScene()
    const consultation = await requested(clinicUser, exam)
    const consultantTab = await openTab(consultant)
    try {
      const page = await client.get(`/consultations/${consultation.id}`).loginAs(clinicUser)
      assert.include(page.text(), `action="/consultations/${consultation.id}/cancel"`)
      const missing = await client
        .post(`/consultations/${consultation.id}/cancel`)
        .loginAs(clinicUser)
        .withCsrfToken()
        .header('Accept', 'application/json')
        .json({})
      missing.assertStatus(422)
      const cancelled = await client
        .post(`/consultations/${consultation.id}/cancel`)
        .loginAs(clinicUser)
        .withCsrfToken()
        .form({ reason: '患者已转院' })
        .redirects(0)
      cancelled.assertStatus(302)
      await consultation.refresh()
      assert.equal(consultation.status, 'cancelled')
      assert.equal(consultation.cancelReason, '患者已转院')
      assert.equal(consultation.cancelledById, clinicUser.id)
      assert.equal(consultation.cancelledAt!.toMillis(), clock.now().toMillis())
      const audit = await AuditEvent.query()
        .where('action', 'consultation.cancel')
        .where('outcome', 'success')
        .firstOrFail()
      assert.equal(audit.targetId, String(consultation.id))
      assert.equal((audit.details as any).reason, '患者已转院')
      const line = await consultantTab.next(
        'consultation:message',
        (p) => p.consultationId === consultation.id && p.kind === 'system'
      )
      assert.equal(line.body, 'cancelled:患者已转院')
      const shown = await client.get(`/consultations/${consultation.id}`).loginAs(consultant)
      assert.include(shown.text(), 'id="cancelled-note"')
      assert.include(shown.text(), '患者已转院')
      // Cancelled: the consultant can no longer answer, the requester cannot cancel again.
      const answer = await client
        .post(`/api/v1/consultations/${consultation.id}/opinion`)
        .header('Authorization', `Bearer ${await apiToken(consultant)}`)
        .json({ opinion: '意见' })
      answer.assertStatus(409)
      const again = await client
        .post(`/api/v1/consultations/${consultation.id}/cancel`)
        .header('Authorization', `Bearer ${await apiToken(clinicUser)}`)
        .json({ reason: '再次撤销' })
      again.assertStatus(409)
    } finally {
      consultantTab.close()
    }
  })

  test('refusals: someone other than the requester (403), an answered consultation (409); nothing changes', async ({
    assert,
    client,
  }) => {
    const { clinicUser, consultant, exam } = await consultationScene()
    const consultation = await requested(clinicUser, exam)
    const byConsultant = await client
      .post(`/api/v1/consultations/${consultation.id}/cancel`)
      .header('Authorization', `Bearer ${await apiToken(consultant)}`)
      .json({ reason: '不需要了' })
    byConsultant.assertStatus(403)
    await consultation.refresh()
    assert.equal(consultation.status, 'open')

    await (
      await app.container.make(Consultations)
    ).answer(consultant, consultation, { opinion: '考虑腔隙性脑梗死' })
    const lines = await ConsultationMessage.query().where('consultation_id', consultation.id)
    const late = await client
      .post(`/api/v1/consultations/${consultation.id}/cancel`)
      .header('Authorization', `Bearer ${await apiToken(clinicUser)}`)
      .json({ reason: '不需要了' })
    late.assertStatus(409)
    assert.equal(late.body().errors[0].code, 'already_answered')
    const after = await Consultation.findOrFail(consultation.id)
    assert.equal(after.status, 'answered')
    assert.isNull(after.cancelReason)
    assert.lengthOf(
      await ConsultationMessage.query().where('consultation_id', consultation.id),
      lines.length
    )
    const refused = await AuditEvent.query()
      .where('action', 'consultation.cancel')
      .whereIn('outcome', ['refused', 'denied'])
    assert.lengthOf(refused, 2)
  })
})
