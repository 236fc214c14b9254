import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { audit } from '#app/platform/audit/audit_log'
import * as make from '#tests/support/fixtures'

/*
| The audit log read by an administrator in either language: a sentence per
| entry, the record named as people know it and linked, details labelled,
| never a bare action code, internal id or `{}` (issue 9, point 5).
*/
test.group('Audit log as sentences', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('entries read as sentences with links to what they are about, in zh-CN and English', async ({
    client,
    assert,
  }) => {
    const admin = await make.user('audit_admin')
    const clinic = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(clinic)
    await audit.record(
      { user: clinic, ip: '10.9.8.7' },
      { action: 'exam.images.view', targetType: 'exam', targetId: exam.id }
    )
    await audit.record(
      { user: clinic, ip: '10.9.8.7' },
      {
        action: 'patient.view',
        targetType: 'clinic_patient',
        targetId: clinicPatient.id,
        details: {},
      }
    )
    await audit.record(
      { user: clinic, ip: '10.9.8.7' },
      { action: 'storage.access', outcome: 'denied', details: { method: 'GET', url: '/storage' } }
    )
    await audit.record(
      { user: clinic, ip: '10.9.8.7' },
      { action: 'something.new_here', targetType: 'exam', targetId: exam.id }
    )
    await audit.record(
      { user: clinic, ip: '10.9.8.7' },
      { action: 'admin.user.update', targetType: 'user', targetId: clinic.id }
    )

    const zh = await client.get('/admin/audit').qs({ username: clinic.username }).loginAs(admin)
    zh.assertStatus(200)
    const html = zh.text()
    assert.include(html, `查看了检查 ${exam.accessionNumber} 的影像`)
    assert.include(html, `查看了患者 ${clinicPatient.clinicPatientNo}`)
    // Named, not linked: the audit administrator opens nothing but the audit log.
    assert.include(html, `修改了用户 ${clinic.username}`)
    assert.notInclude(html, `/admin/users/${clinic.id}/edit`)
    assert.include(html, '试图打开存储管理（无权限）')
    assert.include(html, '页面：<code>/storage</code>')
    // An action without a sentence still reads as one, its code kept as code.
    assert.include(html, '执行了操作 <code>something.new_here</code>')
    const sentences = [...html.matchAll(/<td class="sentence">([\s\S]*?)<\/td>/g)].map((m) => m[1])
    assert.lengthOf(sentences, 5)
    for (const sentence of sentences) {
      assert.notMatch(
        sentence.replace(/<code>.*?<\/code>/g, ''),
        /exam\.images|clinic_patient|exam:\d|\{\}/
      )
    }

    const en = await client
      .get('/admin/audit')
      .qs({ username: clinic.username })
      .cookie('locale', 'en')
      .loginAs(admin)
    en.assertStatus(200)
    assert.include(en.text(), `viewed the images of the exam ${exam.accessionNumber}`)
    assert.include(en.text(), 'tried to open storage without the right')
    assert.include(en.text(), 'page: <code>/storage</code>')
  })
})
