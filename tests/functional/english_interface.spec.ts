import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { randomUUID } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import * as make from '#tests/support/fixtures'
import { CT_REPORT, doctor, examWithImages, revisionOf } from '#tests/support/reading'
import { finding } from '#tests/support/critical_values'
import { CriticalValueRaising } from '#app/critical_values/services/critical_value_raising'

/*
| Issue 9, point 7: the English interface speaks English around the
| patient's Chinese data: ages, the MRI plane picker, critical-finding names,
| institution grades, lists (and the Chinese interface keeps its own).
*/
const HAN = /[\p{Script=Han}（），、：]/u

test.group('The English interface', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a signed report shows the age in English; the MRI plane picker labels planes in English and writes them as the report does', async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const junior = await doctor('junior')
    const senior = await doctor('senior')
    const { exam } = await examWithImages(clinic, 'CT')
    await client.post(`/reading/exams/${exam.id}/claim`).loginAs(junior).withCsrfToken()
    await client
      .post(`/reading/exams/${exam.id}/submit`)
      .loginAs(junior)
      .withCsrfToken()
      .form({ ...CT_REPORT, revision: await revisionOf(exam) })
      .redirects(0)
    await client
      .post(`/reading/exams/${exam.id}/sign`)
      .loginAs(senior)
      .withCsrfToken()
      .form({ ...CT_REPORT, revision: await revisionOf(exam) })
      .redirects(0)

    const en = (
      await client.get(`/exams/${exam.id}/report`).cookie('locale', 'en').loginAs(clinic)
    ).text()
    const age = en.match(/<dt>Age<\/dt><dd>([^<]*)<\/dd>/)
    assert.isNotNull(age)
    assert.match(age![1], /^\d+ years?$/)
    const zh = (await client.get(`/exams/${exam.id}/report`).loginAs(clinic)).text()
    assert.match(zh, /<dd>\d+ 岁<\/dd>/)

    const { exam: mr } = await examWithImages(clinic, 'MR')
    await client.post(`/reading/exams/${mr.id}/claim`).loginAs(junior).withCsrfToken()
    const editor = (
      await client.get(`/reading/exams/${mr.id}`).cookie('locale', 'en').loginAs(junior)
    ).text()
    const picker = editor.slice(
      editor.indexOf('data-mri-plane'),
      editor.indexOf('</select>', editor.indexOf('data-mri-plane'))
    )
    assert.include(picker, '<option value="横断位">Axial</option>')
    assert.include(picker, '<option value="矢状位">Sagittal</option>')
    assert.notMatch(picker.replace(/value="[^"]*"/g, ''), HAN)
    assert.include(editor, 'placeholder="T1WI, T2WI, FLAIR, DWI"')
  })

  test('a critical value shows its finding in English, and the institution form its grades', async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const reader = await doctor('intermediate')
    const { exam } = await examWithImages(clinic, 'CT')
    const raising = await app.container.make(CriticalValueRaising)
    const value = await raising.raise(reader, exam, {
      findingId: (await finding('ICH')).id,
      message: '左侧基底节区急性脑出血约 8 ml',
      requestKey: randomUUID(),
    })
    const en = (
      await client.get(`/critical-values/${value.id}`).cookie('locale', 'en').loginAs(reader)
    ).text()
    assert.include(en, 'Acute intracranial haemorrhage')
    assert.notInclude(en, '急性颅内出血（脑实质出血')
    const zh = (await client.get(`/critical-values/${value.id}`).loginAs(reader)).text()
    assert.include(zh, '急性颅内出血')

    const admin = await make.user('admin')
    const form = (
      await client.get('/admin/institutions/new').cookie('locale', 'en').loginAs(admin)
    ).text()
    assert.include(form, '>Grade 2A</option>')
    assert.notInclude(form, '>二级甲等</option>')
  })
})
