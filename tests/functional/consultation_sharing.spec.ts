import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import AuditEvent from '#models/audit_event'
import ExamShare from '#app/consultation/models/exam_share'
import ShareRule from '#app/consultation/models/share_rule'
import {
  SpecialtySharing,
  DEFAULT_RULES,
  shareReason,
} from '#app/consultation/services/specialty_sharing'
import { setSingleSignature } from '#app/reading/services/reading_settings'
import * as make from '#tests/support/fixtures'
import { apiToken } from '#tests/support/http'
import { eventually } from '#tests/support/wait'
import { api, CT_REPORT, doctor, revisionOf } from '#tests/support/reading'
import { openTab } from '#tests/support/critical_values'
import { ctExamWithImages } from '#tests/support/consultation'

/*
| Quick sharing with the specialty centres (C 9.4): rules per centre, a share
| the moment the images arrive (through intake and the domain event), the
| report again when signed, live to the centre; the centre sees only what was
| shared; a rule towards a non-specialty institution is refused.
*/

async function strokeCentre() {
  const centre = await make.institution('specialty_centre', { specialty: 'stroke' } as any)
  const sharing = await app.container.make(SpecialtySharing)
  await sharing.createRule(null, { centreId: centre.id, ...DEFAULT_RULES.stroke })
  const user = await make.user('clinic_staff', centre)
  return { centre, user }
}

test.group('Sharing with the specialty centres', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a head CT whose request says 卒中 is shared with the stroke centre on arrival and again on signing, live; the centre opens it read-only', async ({
    assert,
    client,
  }) => {
    const { centre, user: strokeUser } = await strokeCentre()
    const tab = await openTab(strokeUser)
    try {
      const clinicUser = await make.user('clinic_staff')
      const { exam } = await ctExamWithImages(
        clinicUser,
        '头',
        '突发左侧肢体无力2小时，疑似急性卒中'
      )
      const share = await eventually(() =>
        ExamShare.query().where('exam_id', exam.id).where('centre_id', centre.id).first()
      )
      assert.equal(share.reason, 'request_keyword')
      assert.equal(
        (await tab.next('share:new', (p) => p.shareId === share.id)).accessionNumber,
        exam.accessionNumber
      )
      assert.isNull(share.reportVersionId)

      const list = await client.get('/shared-exams').loginAs(strokeUser)
      list.assertStatus(200)
      assert.include(list.text(), exam.accessionNumber)
      const page = await client.get(`/shared-exams/${share.id}`).loginAs(strokeUser)
      page.assertStatus(200)
      assert.include(page.text(), '报告尚未签发')
      assert.notInclude(page.text(), 'action="/exams/')
      assert.notInclude(page.text(), 'action="/shared-exams')
      const instance = /\/shared-exams\/\d+\/instances\/([0-9a-f-]+)\/preview/.exec(
        page.text()
      )?.[1]
      assert.isString(instance)
      const image = await client
        .get(`/shared-exams/${share.id}/instances/${instance}/preview`)
        .loginAs(strokeUser)
      image.assertStatus(200)

      await setSingleSignature(true, (await make.user('admin')).id, DateTime.utc())
      const signer = await doctor('intermediate')
      const token = await apiToken(signer)
      await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, token)
      const signed = await api('POST', `/reading/exams/${exam.accessionNumber}/sign`, token, {
        ...CT_REPORT,
        revision: await revisionOf(exam),
      })
      assert.equal(signed.status, 200, JSON.stringify(signed.body))
      await tab.next('share:report', (p) => p.shareId === share.id)
      await share.refresh()
      assert.isNotNull(share.reportVersionId)
      const after = await client.get(`/shared-exams/${share.id}`).loginAs(strokeUser)
      assert.include(after.text(), CT_REPORT.impression)
      const audited = await AuditEvent.query()
        .where('action', 'consultation.share_report')
        .where('target_id', String(exam.id))
      assert.lengthOf(audited, 1)
    } finally {
      tab.close()
    }
  })

  test('a stroke-type critical value shares a head CT whose request says nothing of stroke', async ({
    assert,
  }) => {
    const { centre } = await strokeCentre()
    const clinicUser = await make.user('clinic_staff')
    const { exam } = await ctExamWithImages(clinicUser, '头', '头痛3天', 'routine')
    // Asked directly (not waiting for the event): no rule matches a head CT for a headache.
    assert.lengthOf(await (await app.container.make(SpecialtySharing)).shareExam(exam.id), 0)
    assert.isNull(await ExamShare.query().where('exam_id', exam.id).first())
    const { finding } = await import('#tests/support/critical_values')
    const { CriticalValueRaising } =
      await import('#app/critical_values/services/critical_value_raising')
    const raiser = await doctor('intermediate')
    await (
      await app.container.make(CriticalValueRaising)
    ).raise(raiser, exam, {
      findingId: (await finding('ICH')).id,
      message: '右侧基底节区急性脑出血',
      requestKey: crypto.randomUUID(),
    })
    const share = await eventually(() =>
      ExamShare.query().where('exam_id', exam.id).where('centre_id', centre.id).first()
    )
    assert.equal(share.reason, 'critical_value')
  })

  test('the rules: chest CT for chest pain, emergencies for trauma, no share for an exam no rule matches', async ({
    assert,
  }) => {
    const facts = (over: Partial<Parameters<typeof shareReason>[1]>) => ({
      modality: 'CT',
      priority: 'routine',
      itemNames: ['CT 头部 平扫'],
      requestText: '',
      criticalCodes: [],
      ...over,
    })
    assert.equal(
      shareReason(DEFAULT_RULES.stroke, facts({ requestText: '疑似卒中' })),
      'request_keyword'
    )
    assert.isNull(
      shareReason(DEFAULT_RULES.stroke, facts({ requestText: '疑似卒中', modality: 'DR' }))
    )
    assert.isNull(
      shareReason(DEFAULT_RULES.stroke, facts({ itemNames: ['CT 胸部 平扫'], requestText: '卒中' }))
    )
    assert.equal(
      shareReason(
        DEFAULT_RULES.chest_pain,
        facts({ itemNames: ['CT 冠状动脉 CTA'], requestText: '胸痛2小时' })
      ),
      'request_keyword'
    )
    assert.equal(
      shareReason(
        DEFAULT_RULES.chest_pain,
        facts({ itemNames: ['CT 胸部 增强'], criticalCodes: ['AORTIC_DISSECTION'] })
      ),
      'critical_value'
    )
    assert.equal(
      shareReason(
        DEFAULT_RULES.trauma,
        facts({ modality: 'DR', itemNames: ['DR 腕关节'], priority: 'emergency' })
      ),
      'emergency'
    )
    assert.isNull(
      shareReason(DEFAULT_RULES.trauma, facts({ modality: 'DR', itemNames: ['DR 胸部'] }))
    )
  })

  test("a rule that would send a clinic's exams to a non-specialty institution is refused and nothing is saved", async ({
    assert,
    client,
  }) => {
    const admin = await make.user('admin')
    const clinic = await make.institution('member_clinic')
    const upper = await make.institution('upper_hospital')
    for (const target of [clinic, upper]) {
      const response = await client
        .post('/admin/share-rules')
        .header('Accept', 'application/json')
        .loginAs(admin)
        .withCsrfToken()
        .json({ centreId: target.id, name: '全部检查', modalities: 'CT' })
      response.assertStatus(422)
      assert.equal(response.body().errors[0].code, 'not_specialty_centre')
      assert.isNull(await ShareRule.findBy('centre_id', target.id))
    }
    const centre = await make.institution('specialty_centre')
    const ok = await client
      .post('/admin/share-rules')
      .header('Accept', 'application/json')
      .loginAs(admin)
      .withCsrfToken()
      .json({
        centreId: centre.id,
        name: '卒中',
        modalities: 'ct',
        bodyParts: '头、颅',
        requestKeywords: '卒中',
      })
    ok.assertStatus(201)
    const rule = await ShareRule.findByOrFail('centre_id', centre.id)
    assert.deepEqual(rule.modalities, ['CT'])
    assert.deepEqual(rule.bodyParts, ['头', '颅'])
    const clinicUser = await make.user('clinic_staff')
    ;(
      await client
        .post('/admin/share-rules')
        .header('Accept', 'application/json')
        .loginAs(clinicUser)
        .withCsrfToken()
        .json({ centreId: centre.id, name: 'x' })
    ).assertStatus(403)
  })

  test("a centre sees only what was shared with it: another centre's share, a clinic's exam, its images, consultations and reports are hidden", async ({
    assert,
    client,
  }) => {
    const { centre, user: strokeUser } = await strokeCentre()
    const other = await make.institution('specialty_centre', { specialty: 'stroke' } as any)
    const otherUser = await make.user('clinic_staff', other)
    const clinicUser = await make.user('clinic_staff')
    const { exam } = await ctExamWithImages(clinicUser, '头', '疑似卒中')
    const share = await eventually(() =>
      ExamShare.query().where('exam_id', exam.id).where('centre_id', centre.id).first()
    )
    ;(await client.get(`/shared-exams/${share.id}`).loginAs(otherUser)).assertStatus(404)
    const list = await client.get('/shared-exams').loginAs(otherUser)
    assert.notInclude(list.text(), exam.accessionNumber)
    // The exam itself, its images and report stay the clinic's: the share page is the only door.
    ;(await client.get(`/exams/${exam.id}`).loginAs(strokeUser)).assertStatus(404)
    ;(
      await client
        .get(`/exams/${exam.id}/series`)
        .header('Accept', 'application/json')
        .loginAs(strokeUser)
    ).assertStatus(404)
    ;(await client.get(`/exams/${exam.id}/report`).loginAs(strokeUser)).assertStatus(404)
    // An instance of another exam through this share: 404.
    const { exam: unrelated } = await ctExamWithImages(clinicUser, '胸', '咳嗽', 'routine')
    const { ExamImages } = await import('#app/images/services/exam_images')
    const series = await (await app.container.make(ExamImages)).series(unrelated)
    ;(
      await client
        .get(`/shared-exams/${share.id}/instances/${series[0].instances[0]}/preview`)
        .loginAs(strokeUser)
    ).assertStatus(404)
    // Clinic and lead users have no shared-exams page.
    ;(await client.get('/shared-exams').loginAs(clinicUser)).assertStatus(403)
    ;(await client.get(`/shared-exams/${share.id}`).loginAs(clinicUser)).assertStatus(404)
  })

  test('a share is made once per exam and centre, and the catch-up job makes one an event missed', async ({
    assert,
  }) => {
    const { centre } = await strokeCentre()
    const clinicUser = await make.user('clinic_staff')
    const { exam } = await ctExamWithImages(clinicUser, '头', '疑似卒中')
    await eventually(() => ExamShare.query().where('exam_id', exam.id).first())
    await ExamShare.query().where('exam_id', exam.id).delete()
    const sharing = await app.container.make(SpecialtySharing)
    await sharing.catchUp(DateTime.utc())
    await sharing.catchUp(DateTime.utc())
    const shares = await ExamShare.query().where('exam_id', exam.id)
    assert.lengthOf(shares, 1)
    assert.equal(shares[0].centreId, centre.id)
  })
})
