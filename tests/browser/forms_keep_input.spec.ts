import { test } from '@japa/runner'
import type { Browser } from 'playwright-core'
import * as make from '#tests/support/fixtures'
import { baseUrl } from '#tests/support/http'
import { launchBrowser, logIn } from '#tests/support/browser'

/*
| A refused form comes back as the person left it (issue 9, point 3): the exam
| request keeps its patient and everything typed, the patient form keeps the
| national ID.
*/
test.group('Forms keep what was typed after a refusal', (group) => {
  let browser: Browser
  group.setup(async () => {
    browser = await launchBrowser()
    return () => browser.close()
  })

  test('the exam request keeps the patient, the items and every field', async ({ assert }) => {
    const clinic = await make.user('clinic_staff')
    const { clinicPatient } = await make.patientAt(clinic.institution, { name: '表单保留' })
    const page = await browser.newPage()
    await logIn(page, clinic.username, make.PASSWORD)
    await page.goto(`${baseUrl()}/exams/new?patient=${clinicPatient.id}`)
    await page.locator('label[data-item-text*="CT 胸部 平扫"] input').first().check()
    await page.selectOption('select[name=priority]', 'emergency')
    await page.fill('textarea[name=clinicalHistory]', '车祸伤后胸痛 1 小时')
    await page.fill('input[name=clinicalDiagnosis]', '胸部外伤')
    await page.fill('input[name=department]', '急诊科')
    // No purpose: the request is refused (an unclear purpose makes it non-compliant).
    await Promise.all([page.waitForNavigation(), page.click('#exam-form button[type=submit]')])

    assert.include(await page.textContent('.flash.error'), '目的')
    assert.include(await page.textContent('main'), '表单保留')
    assert.equal(await page.inputValue('input[name=clinicPatientId]'), String(clinicPatient.id))
    assert.isTrue(
      await page.locator('label[data-item-text*="CT 胸部 平扫"] input').first().isChecked()
    )
    assert.equal(await page.inputValue('select[name=priority]'), 'emergency')
    assert.equal(await page.inputValue('textarea[name=clinicalHistory]'), '车祸伤后胸痛 1 小时')
    assert.equal(await page.inputValue('input[name=clinicalDiagnosis]'), '胸部外伤')
    assert.equal(await page.inputValue('input[name=department]'), '急诊科')
    await page.close()
  })

  test('the patient form keeps the national ID it refused', async ({ assert }) => {
    const clinic = await make.user('clinic_staff')
    const page = await browser.newPage()
    await logIn(page, clinic.username, make.PASSWORD)
    await page.goto(`${baseUrl()}/patients/new`)
    await page.fill('input[name=name]', '身份证保留')
    await page.selectOption('select[name=sex]', 'F')
    await page.fill('input[name=birthDate]', '1970-03-04')
    await page.fill('input[name=clinicPatientNo]', make.unique('K'))
    // A national ID whose check digit is wrong.
    const wrong = make.nationalId().slice(0, 17) + 'Y'
    await page.fill('input[name=nationalId]', wrong)
    await Promise.all([
      page.waitForNavigation(),
      page.click('form[action="/patients"] button[type=submit]'),
    ])
    assert.equal(new URL(page.url()).pathname, '/patients/new')
    assert.equal(await page.inputValue('input[name=nationalId]'), wrong)
    assert.equal(await page.inputValue('input[name=name]'), '身份证保留')
    await page.close()
  })
})
