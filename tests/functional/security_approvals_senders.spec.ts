import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import DicomSender from '#models/dicom_sender'
import AuditEvent from '#models/audit_event'
import Approval from '#app/approvals/approval'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { DicomSenderDirectory } from '#app/administration/services/dicom_sender_directory'
import * as make from '#tests/support/fixtures'
import { apiToken } from '#tests/support/http'
import { decide } from '#tests/support/approvals'

/*
| Two-person approval of DICOM peers (MLPS 8.1.4.2): a declared AE title may C-STORE into the centre's
| Orthanc under a clinic's name. Declaring one, or pointing an existing one at another device or clinic,
| waits for the security administrator; nothing reaches the database or Orthanc's modality list before.
*/
function aet(prefix: string) {
  return make
    .unique(prefix)
    .toUpperCase()
    .replace(/[^A-Z0-9_-]/g, '')
    .slice(0, 16)
}

async function declaredInOrthanc(name: string) {
  return (await (await app.container.make(OrthancClient)).modalities())[name]
}

test.group('Two-person approval of DICOM senders', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('declaring a sender does nothing in the database or Orthanc until the security administrator approves', async ({
    client,
    assert,
  }) => {
    const sysadmin = await make.user('admin')
    const clinic = await make.institution('member_clinic')
    const aeTitle = aet('DECL')
    const asked = await client
      .post('/admin/senders')
      .loginAs(sysadmin)
      .withCsrfToken()
      .form({ institutionId: clinic.id, aeTitle, host: '192.168.30.7', port: 104 })
      .redirects(0)
    asked.assertStatus(302)
    const approval = await Approval.query()
      .where('kind', 'admin.sender.declare')
      .where('status', 'pending')
      .firstOrFail()
    asked.assertFlashMessage('success', `已提交审批（编号 ${approval.id}），安全管理员批准后生效。`)
    assert.equal(approval.summary.aeTitle, aeTitle)
    assert.equal(approval.requestedById, sysadmin.id)
    assert.isNull(await DicomSender.findBy('ae_title', aeTitle))
    const name = `clinic-${aeTitle.toLowerCase()}`
    assert.isUndefined(await declaredInOrthanc(name))
    // The periodic sync mirrors the database, so it cannot declare the AE early either.
    await (await app.container.make(DicomSenderDirectory)).syncToOrthanc()
    assert.isUndefined(await declaredInOrthanc(name))

    // The requester, another system administrator and the audit administrator may not approve.
    assert.equal((await decide('approve', approval.id, await apiToken(sysadmin))).status, 403)
    for (const role of ['admin', 'audit_admin', 'radiologist'] as const) {
      assert.equal(
        (await decide('approve', approval.id, await apiToken(await make.user(role)))).status,
        403
      )
    }
    assert.isNull(await DicomSender.findBy('ae_title', aeTitle))
    assert.isUndefined(await declaredInOrthanc(name))

    // The approver reads which device, for which clinic, in words.
    const queue = await client.get('/approvals').loginAs(await make.user('security_admin'))
    queue.assertTextIncludes('新增 DICOM 发送设备')
    queue.assertTextIncludes(aeTitle)
    assert.notInclude(queue.text(), 'approvals.fields.')
    assert.notInclude(queue.text(), 'approvals.kinds.')

    const approved = await decide(
      'approve',
      approval.id,
      await apiToken(await make.user('security_admin'))
    )
    assert.equal(approved.status, 200)
    const sender = await DicomSender.findByOrFail('ae_title', aeTitle)
    assert.equal(approved.body.resultId, String(sender.id))
    assert.equal(sender.institutionId, clinic.id)
    const declared = await declaredInOrthanc(name)
    assert.equal(declared.AET, aeTitle)
    assert.equal(declared.Host, '192.168.30.7')

    // Both steps audited: the request (with its approval) and the approval (with what it made).
    const request = await AuditEvent.query()
      .where('action', 'admin.sender.create')
      .where('actor_user_id', sysadmin.id)
      .where('outcome', 'success')
      .firstOrFail()
    assert.equal(request.targetType, 'approval')
    assert.equal(request.targetId, String(approval.id))
    const decision = await AuditEvent.query()
      .where('action', 'approval.approve')
      .where('outcome', 'success')
      .where('target_id', String(approval.id))
      .firstOrFail()
    assert.equal(decision.details?.result, `dicom_sender:${sender.id}`)
    // The refused attempt is audited too, against the requester.
    assert.isNotNull(
      await AuditEvent.query()
        .where('action', 'approval.approve')
        .where('outcome', 'denied')
        .where('actor_user_id', sysadmin.id)
        .first()
    )
    await (await app.container.make(DicomSenderDirectory)).remove(sender)
  })

  test('a rejected declaration leaves nothing, and cannot be approved afterwards', async ({
    client,
    assert,
  }) => {
    const sysadmin = await make.user('admin')
    const secadmin = await make.user('security_admin')
    const clinic = await make.institution('member_clinic')
    const aeTitle = aet('REJ')
    await client
      .post('/admin/senders')
      .loginAs(sysadmin)
      .withCsrfToken()
      .form({ institutionId: clinic.id, aeTitle, host: '192.168.30.8' })
      .redirects(0)
    const approval = await Approval.query().where('kind', 'admin.sender.declare').firstOrFail()
    const token = await apiToken(secadmin)
    const rejected = await decide('reject', approval.id, token, { note: 'unknown device' })
    assert.equal(rejected.status, 200)
    assert.equal(rejected.body.status, 'rejected')
    assert.equal((await decide('approve', approval.id, token)).status, 409)
    assert.isNull(await DicomSender.findBy('ae_title', aeTitle))
    assert.isUndefined(await declaredInOrthanc(`clinic-${aeTitle.toLowerCase()}`))
    assert.isNotNull(
      await AuditEvent.query()
        .where('action', 'approval.reject')
        .where('outcome', 'success')
        .where('target_id', String(approval.id))
        .first()
    )
  })

  test('pointing a sender at another host waits for approval; the old declaration stays until then', async ({
    client,
    assert,
  }) => {
    const sysadmin = await make.user('admin')
    const clinic = await make.institution('member_clinic')
    const directory = await app.container.make(DicomSenderDirectory)
    const sender = await directory.create({
      institutionId: clinic.id,
      aeTitle: aet('MOVE'),
      host: '192.168.30.9',
      active: true,
    })
    const name = sender.orthancModalityName
    const asked = await client
      .put(`/admin/senders/${sender.id}`)
      .loginAs(sysadmin)
      .withCsrfToken()
      .form({ institutionId: clinic.id, aeTitle: sender.aeTitle, host: '10.66.6.6', active: 'on' })
      .redirects(0)
    asked.assertStatus(302)
    const approval = await Approval.query().where('kind', 'admin.sender.change').firstOrFail()
    assert.equal(approval.summary.previousHost, '192.168.30.9')
    assert.equal((await DicomSender.findOrFail(sender.id)).host, '192.168.30.9')
    assert.equal((await declaredInOrthanc(name)).Host, '192.168.30.9')

    assert.equal((await decide('approve', approval.id, await apiToken(sysadmin))).status, 403)
    assert.equal((await declaredInOrthanc(name)).Host, '192.168.30.9')

    const approver = await make.user('security_admin')
    assert.equal((await decide('approve', approval.id, await apiToken(approver))).status, 200)
    assert.equal((await DicomSender.findOrFail(sender.id)).host, '10.66.6.6')
    assert.equal((await declaredInOrthanc(name)).Host, '10.66.6.6')
    await directory.remove(await DicomSender.findOrFail(sender.id))
  })

  test('switching a sender off or editing its description applies at once (it only takes access away)', async ({
    client,
    assert,
  }) => {
    const sysadmin = await make.user('admin')
    const clinic = await make.institution('member_clinic')
    const directory = await app.container.make(DicomSenderDirectory)
    const sender = await directory.create({
      institutionId: clinic.id,
      aeTitle: aet('OFF'),
      host: '192.168.30.10',
      active: true,
    })
    await client
      .put(`/admin/senders/${sender.id}`)
      .loginAs(sysadmin)
      .withCsrfToken()
      .form({
        institutionId: clinic.id,
        aeTitle: sender.aeTitle,
        host: sender.host,
        description: 'CT room 2',
        active: 'on',
      })
      .redirects(0)
    assert.equal((await DicomSender.findOrFail(sender.id)).description, 'CT room 2')
    await client
      .put(`/admin/senders/${sender.id}`)
      .loginAs(sysadmin)
      .withCsrfToken()
      .form({ institutionId: clinic.id, aeTitle: sender.aeTitle, host: sender.host })
      .redirects(0)
    assert.isFalse((await DicomSender.findOrFail(sender.id)).active)
    assert.isUndefined(await declaredInOrthanc(sender.orthancModalityName))
    assert.isNull(await Approval.query().where('kind', 'like', 'admin.sender.%').first())

    // Switching it back on lets the device store again: that waits.
    await client
      .put(`/admin/senders/${sender.id}`)
      .loginAs(sysadmin)
      .withCsrfToken()
      .form({ institutionId: clinic.id, aeTitle: sender.aeTitle, host: sender.host, active: 'on' })
      .redirects(0)
    assert.isFalse((await DicomSender.findOrFail(sender.id)).active)
    assert.isUndefined(await declaredInOrthanc(sender.orthancModalityName))
    assert.isNotNull(await Approval.query().where('kind', 'admin.sender.change').first())
    await directory.remove(await DicomSender.findOrFail(sender.id))
  })

  test('a request refused by the rules (taken AE title, a lead hospital) is refused at once and not queued', async ({
    client,
    assert,
  }) => {
    const sysadmin = await make.user('admin')
    const clinic = await make.institution('member_clinic')
    const lead = await make.institution('lead_hospital')
    const directory = await app.container.make(DicomSenderDirectory)
    const sender = await directory.create({
      institutionId: clinic.id,
      aeTitle: aet('TAKEN'),
      host: '192.168.30.11',
      active: true,
    })
    for (const form of [
      { institutionId: clinic.id, aeTitle: sender.aeTitle, host: '10.1.1.1' },
      { institutionId: lead.id, aeTitle: aet('LEAD'), host: '10.1.1.2' },
    ]) {
      const refused = await client
        .post('/admin/senders')
        .loginAs(sysadmin)
        .withCsrfToken()
        .form(form)
        .redirects(0)
      refused.assertStatus(302)
      refused.assertFlashMessage('error')
    }
    assert.isNull(await Approval.query().where('kind', 'admin.sender.declare').first())
    await directory.remove(sender)
  })

  test('only the system administrator may ask (403 for the security administrator and clinicians)', async ({
    client,
    assert,
  }) => {
    const clinic = await make.institution('member_clinic')
    for (const role of ['security_admin', 'clinic_staff'] as const) {
      const refused = await client
        .post('/admin/senders')
        .loginAs(await make.user(role))
        .withCsrfToken()
        .form({ institutionId: clinic.id, aeTitle: aet('NOPE'), host: '10.0.0.9' })
        .redirects(0)
      refused.assertStatus(403)
    }
    assert.isNull(await Approval.query().where('kind', 'admin.sender.declare').first())
    // The system administrator's page says so, and where the requests are.
    const page = await client.get('/admin/senders').loginAs(await make.user('admin'))
    page.assertStatus(200)
    page.assertTextIncludes('须经安全管理员批准后生效')
    page.assertTextIncludes('/approvals/mine')
  })
})
