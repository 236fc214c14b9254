import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import Institution from '#models/institution'
import User from '#models/user'
import DicomSender from '#models/dicom_sender'
import ExamItem from '#models/exam_item'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { DicomSenderDirectory } from '#app/administration/services/dicom_sender_directory'
import * as make from '#tests/support/fixtures'
import { approvePending } from '#tests/support/approvals'

test.group('Administration', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('an administrator adds a member clinic with its level', async ({ client, assert }) => {
    const admin = await make.user('admin')
    const code = make.unique('M')
    const response = await client
      .post('/admin/institutions')
      .loginAs(admin)
      .withCsrfToken()
      .form({
        code,
        name: '新建镇卫生院',
        kind: 'member_clinic',
        level: '一级甲等',
        active: 'true',
      })
      .redirects(0)
    response.assertStatus(302)
    const created = await Institution.findByOrFail('code', code)
    assert.equal(created.level, '一级甲等')
    assert.equal(created.kind, 'member_clinic')
  })

  test('a second lead hospital is refused', async ({ client, assert }) => {
    const admin = await make.user('admin')
    await make.institution('lead_hospital')
    const code = make.unique('L')
    const response = await client
      .post('/admin/institutions')
      .loginAs(admin)
      .withCsrfToken()
      .form({ code, name: '另一家医院', kind: 'lead_hospital' })
      .redirects(0)
    response.assertFlashMessage('error', '医共体只能有一家牵头医院。')
    assert.isNull(await Institution.findBy('code', code))
  })

  test('users get role, title, institution and an expiry; a radiologist without a title is refused', async ({
    client,
    assert,
  }) => {
    const admin = await make.user('admin')
    const lead = await make.institution('lead_hospital')
    const username = make.unique('dr')
    await client.post('/admin/users').loginAs(admin).withCsrfToken().form({
      username,
      fullName: '钱医生',
      institutionId: lead.id,
      role: 'radiologist',
      title: 'senior',
      password: 'Ying-Xiang#2027',
      expiresOn: '2027-06-30',
    })
    // A radiologist's account waits for the security administrator (tests/functional/security_approvals_roles.spec.ts).
    assert.isNull(await User.findBy('username', username))
    await approvePending('admin.user.create_with_role')
    const created = await User.findByOrFail('username', username)
    assert.equal(created.title, 'senior')
    assert.equal(created.expiresOn?.toISODate(), '2027-06-30')
    assert.notEqual(created.password, 'Ying-Xiang#2027')

    const untitled = make.unique('dr')
    const refused = await client
      .post('/admin/users')
      .loginAs(admin)
      .withCsrfToken()
      .form({
        username: untitled,
        fullName: '孙医生',
        institutionId: lead.id,
        role: 'radiologist',
        password: 'Ying-Xiang#2027',
      })
      .redirects(0)
    refused.assertFlashMessage('error', '诊断医师必须填写职称。')
    assert.isNull(await User.findBy('username', untitled))
  })

  test('clinic staff belong to clinics, not to the lead hospital', async ({ client, assert }) => {
    const admin = await make.user('admin')
    const lead = await make.institution('lead_hospital')
    const username = make.unique('c')
    const refused = await client
      .post('/admin/users')
      .loginAs(admin)
      .withCsrfToken()
      .form({
        username,
        fullName: '某',
        institutionId: lead.id,
        role: 'clinic_staff',
        password: 'Ying-Xiang#2027',
      })
      .redirects(0)
    refused.assertFlashMessage(
      'error',
      '该角色不能属于此类机构：成员单位人员属于成员单位等，诊断医师属于牵头医院或上级医院，质控与管理员属于牵头医院。'
    )
    assert.isNull(await User.findBy('username', username))
  })

  test('an administrator cannot lock themself out', async ({ client, assert }) => {
    const admin = await make.user('admin')
    const response = await client
      .put(`/admin/users/${admin.id}`)
      .loginAs(admin)
      .withCsrfToken()
      .form({
        fullName: admin.fullName,
        institutionId: admin.institutionId,
        role: 'admin',
        status: 'locked',
      })
      .redirects(0)
    response.assertFlashMessage('error', '不能取消自己的管理员角色或锁定自己的账号。')
    assert.equal((await User.findOrFail(admin.id)).status, 'active')
  })

  test('a clinic AE title is declared in Orthanc once approved, and removed from it with the sender', async ({
    client,
    assert,
  }) => {
    const admin = await make.user('admin')
    const clinic = await make.institution('member_clinic')
    const aeTitle = make.unique('AE').toUpperCase().slice(0, 16)
    await client
      .post('/admin/senders')
      .loginAs(admin)
      .withCsrfToken()
      .form({ institutionId: clinic.id, aeTitle, host: '192.168.10.20', port: 104 })
    // Declaring a DICOM peer is a two-person change (tests/functional/security_approvals_senders.spec.ts).
    await approvePending('admin.sender.declare')
    const sender = await DicomSender.findByOrFail('ae_title', aeTitle)
    const orthanc = await app.container.make(OrthancClient)
    const declared = (await orthanc.modalities())[sender.orthancModalityName]
    assert.equal(declared.AET, aeTitle)
    assert.equal(declared.Host, '192.168.10.20')

    await client.delete(`/admin/senders/${sender.id}`).loginAs(admin).withCsrfToken()
    assert.isUndefined((await orthanc.modalities())[sender.orthancModalityName])
  })

  test('a sender lost from Orthanc (a restored node) is declared again by the sync', async ({
    assert,
  }) => {
    const clinic = await make.institution('member_clinic')
    const directory = await app.container.make(DicomSenderDirectory)
    const sender = await directory.create({
      institutionId: clinic.id,
      aeTitle: make.unique('S').toUpperCase().slice(0, 16),
      host: '127.0.0.1',
      active: true,
    })
    const orthanc = await app.container.make(OrthancClient)
    await orthanc.deleteModality(sender.orthancModalityName)
    await directory.syncToOrthanc()
    assert.equal((await orthanc.modalities())[sender.orthancModalityName].AET, sender.aeTitle)
    await directory.remove(sender)
  })

  test('a malformed AE title is refused with a field message and nothing is declared', async ({
    client,
    assert,
  }) => {
    const admin = await make.user('admin')
    const clinic = await make.institution('member_clinic')
    const response = await client
      .post('/admin/senders')
      .loginAs(admin)
      .withCsrfToken()
      .form({ institutionId: clinic.id, aeTitle: 'HAS SPACE AND WAY TOO LONG', host: '10.0.0.1' })
      .redirects(0)
    response.assertStatus(302)
    assert.isNull(await DicomSender.findBy('institution_id', clinic.id))
  })

  test('catalogue items can be deactivated and local items added with the four R 7.2 parts', async ({
    client,
    assert,
  }) => {
    const admin = await make.user('admin')
    const item = await make.item('CT')
    await client.post(`/admin/catalogue/${item.id}/toggle`).loginAs(admin).withCsrfToken()
    assert.isFalse((await ExamItem.findOrFail(item.id)).active)
    await client
      .post('/admin/catalogue')
      .loginAs(admin)
      .withCsrfToken()
      .form({ modality: 'CT', bodyPart: '胸部', method: '低剂量平扫', position: '仰卧位' })
    const local = await ExamItem.query()
      .where('catalogue', 'local')
      .orderBy('id', 'desc')
      .firstOrFail()
    assert.equal(local.name, 'CT 胸部 低剂量平扫 仰卧位')
  })

  test('non-administrators cannot manage', async ({ client, assert }) => {
    const clinic = await make.user('clinic_staff')
    const code = make.unique('M')
    ;(
      await client
        .post('/admin/institutions')
        .loginAs(clinic)
        .withCsrfToken()
        .form({ code, name: 'x', kind: 'member_clinic' })
    ).assertStatus(403)
    assert.isNull(await Institution.findBy('code', code))
  })
})
