import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type { Browser } from 'playwright-core'
import { launchBrowser, logIn } from '#tests/support/browser'
import { baseUrl } from '#tests/support/http'
import * as make from '#tests/support/fixtures'
import { imagedExam } from '#tests/support/assessments_fixtures'
import { QcBulletins } from '#app/assessments/services/qc_bulletin'
import { lastClosedQuarter } from '#app/assessments/services/quarters'

/*
| In real Chromium: the QC officer opens last quarter's assessment from the top
| bar, sees the ranking table and its chart, opens the drafted bulletin and
| publishes it; a clinic user then finds it on the home page and opens it. The
| browser's requests must see committed rows, so the test commits its own
| (uniquely named) clinic, people and exams, and removes the bulletin after.
*/
test.group('Assessments in the browser', (group) => {
  let browser: Browser
  group.setup(async () => {
    browser = await launchBrowser()
    return () => browser.close()
  })
  group.teardown(async () => {
    await db.from('qc_bulletin_openings').delete()
    await db.from('qc_bulletins').delete()
  })

  test('the QC officer sees the ranking and a chart and publishes the bulletin; a clinic user sees it', async ({
    assert,
  }) => {
    const quarter = lastClosedQuarter(DateTime.utc())
    const clinic = await make.institution('member_clinic', {
      name: make.unique('浏览器测试卫生院'),
    } as any)
    const at = quarter.from.plus({ days: 10, hours: 2 })
    await imagedExam(clinic, {
      modality: 'DR',
      imagesAt: at.toISO()!,
      dueAt: at.plus({ minutes: 30 }).toISO()!,
      signedAt: at.plus({ minutes: 10 }).toISO()!,
    })
    const qc = await make.user('qc_officer')
    const nurse = await make.user('clinic_staff', clinic)
    await db.from('qc_bulletins').where('quarter', quarter.key).delete()
    const { id } = await (await app.container.make(QcBulletins)).draft(quarter)

    const page = await browser.newPage()
    await logIn(page, qc.username, make.PASSWORD)
    await Promise.all([page.waitForNavigation(), page.click('nav.mainnav >> text=成员考核')])
    assert.include(await page.locator('h1').innerText(), quarter.key)
    const row = page.locator(`#ranking tr[data-clinic="${clinic.id}"]`)
    assert.isTrue(await row.isVisible())
    assert.include(await row.innerText(), clinic.name)
    assert.isTrue(await page.locator('#ranking-chart svg rect').first().isVisible())
    assert.include(await page.locator('#ranking-chart svg').innerHTML(), clinic.name)

    await Promise.all([page.waitForNavigation(), page.click('nav.subnav >> text=质控通报')])
    await Promise.all([
      page.waitForNavigation(),
      page.click(`#bulletins a[href="/assessments/bulletins/${id}"]`),
    ])
    assert.equal(await page.locator('[data-status]').getAttribute('data-status'), 'draft')
    assert.isTrue(await page.locator('#bulletin-chart svg').isVisible())
    await Promise.all([page.waitForNavigation(), page.click('#publish')])
    assert.equal(await page.locator('[data-status]').getAttribute('data-status'), 'published')
    assert.equal(
      await page.locator('#publish').count(),
      0,
      'a published bulletin offers no publish button'
    )
    await page.close()

    const clinicPage = await browser.newPage()
    await logIn(clinicPage, nurse.username, make.PASSWORD)
    const link = clinicPage.locator('#home-bulletin')
    assert.include(await link.innerText(), quarter.key)
    await Promise.all([clinicPage.waitForNavigation(), link.click()])
    assert.equal(new URL(clinicPage.url()).pathname, `/assessments/bulletins/${id}`)
    assert.include(await clinicPage.locator('#bulletin-figures').innerText(), clinic.name)
    const pdf = await clinicPage.request.get(`${baseUrl()}/assessments/bulletins/${id}/pdf`)
    assert.equal(pdf.headers()['content-type'], 'application/pdf')
    const opened = await db
      .from('qc_bulletin_openings')
      .where('qc_bulletin_id', id)
      .where('user_id', nurse.id)
      .first()
    assert.exists(opened)
    await clinicPage.close()
  })
})
