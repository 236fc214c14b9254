import { test } from '@japa/runner'
import { formatInZone } from '#app/critical_values/display'
import { chromium, type Browser, type Page } from 'playwright-core'
import app from '@adonisjs/core/services/app'
import CriticalValue from '#models/critical_value'
import CriticalValueDelivery from '#models/critical_value_delivery'
import { DutyRoster } from '#app/critical_values/services/duty_roster'
import * as make from '#tests/support/fixtures'
import { baseUrl } from '#tests/support/http'
import { eventually } from '#tests/support/wait'
import { examWithImages, finding, MESSAGE, READ_BACK } from '#tests/support/critical_values'

/*
| In real Chromium: a radiologist raises a critical value from the exam page;
| the blocking alert appears in both open tabs of the clinic user on duty,
| refuses a read-back that is not one, and on a real read-back is
| acknowledged and taken down in both tabs. Data is committed (the browser's
| requests must see it) and uniquely named.
*/

let browser: Browser

async function login(page: Page, username: string) {
  await page.goto(baseUrl() + '/login')
  await page.fill('input[name=username]', username)
  await page.fill('input[name=password]', make.PASSWORD)
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/login')),
    page.click('button[type=submit]'),
  ])
}

test.group('Critical values in the browser', (group) => {
  group.setup(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      // Autoplay allowed so the generated alert sound starts without a click, as on a ward PC set up for it.
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--autoplay-policy=no-user-gesture-required',
      ],
    })
    return () => browser.close()
  })

  test('the alert appears in every open tab of the clinic user and is acknowledged with a read-back', async ({
    assert,
  }) => {
    const clinic = await make.institution('member_clinic', { phone: '0831-5550199' } as any)
    const staff = await make.user('clinic_staff', clinic)
    const radiologist = await make.user('radiologist')
    const roster = await app.container.make(DutyRoster)
    await roster.assign(staff, staff.id, 'on_duty', true)
    const { exam } = await examWithImages(staff)
    const ich = await finding('ICH')

    const clinicContext = await browser.newContext({ locale: 'zh-CN' })
    const tabA = await clinicContext.newPage()
    await login(tabA, staff.username)
    await tabA.goto(baseUrl() + '/exams')
    const tabB = await clinicContext.newPage()
    await tabB.goto(baseUrl() + '/patients')
    for (const tab of [tabA, tabB])
      await tab.waitForFunction(() => document.body.dataset.live === 'connected')

    // The radiologist raises it from the exam page.
    const radiologistContext = await browser.newContext({ locale: 'zh-CN' })
    const reader = await radiologistContext.newPage()
    await login(reader, radiologist.username)
    await reader.goto(baseUrl() + `/exams/${exam.id}`)
    await reader.selectOption('form[data-critical-raise] select[name=findingId]', String(ich.id))
    await reader.fill('form[data-critical-raise] textarea[name=message]', MESSAGE)
    await Promise.all([
      reader.waitForLoadState('load'),
      reader.click('form[data-critical-raise] button[type=submit]'),
    ])
    await reader.waitForSelector('.flash.success')
    assert.include(await reader.textContent('.flash.success'), '危急值已发出')

    // Both clinic tabs block with the alert.
    for (const tab of [tabA, tabB]) {
      await tab.waitForSelector('#critical-alerts:not([hidden]) .critical-card', {
        timeout: 15_000,
      })
      assert.include(await tab.textContent('#critical-alerts .critical-finding'), '急性颅内出血')
      assert.include(await tab.textContent('#critical-alerts .critical-message'), MESSAGE)
      assert.include(await tab.textContent('#critical-alerts'), exam.accessionNumber)
      assert.oneOf(
        await tab.evaluate(() => (globalThis as any).document.body.dataset.criticalSound),
        ['playing', 'blocked']
      )
    }
    const value = await CriticalValue.query().where('exam_id', exam.id).firstOrFail()
    // The alert's times read as every page's: yyyy-MM-dd HH:mm in the hospital's zone (issue 9: it showed 2026/12/02).
    assert.include(await tabA.textContent('#critical-alerts'), formatInZone(value.raisedAt))
    // The tabs confirmed receipt.
    await eventually(() =>
      CriticalValueDelivery.query()
        .where('critical_value_id', value.id)
        .where('user_id', staff.id)
        .whereNotNull('delivered_at')
        .first()
    )

    // "收到" is not a read-back: refused with the reason, the alert stays.
    await tabA.fill('#critical-alerts .critical-ack textarea', '收到')
    await tabA.click('#critical-alerts .critical-ack button[type=submit]')
    await tabA.waitForFunction(() =>
      (globalThis as any).document
        .querySelector('#critical-alerts .critical-error')
        ?.textContent?.includes('复述内容与危急值内容不符')
    )
    assert.isFalse(await tabA.isHidden('#critical-alerts'))

    // A real read-back acknowledges it; both tabs take the alert down.
    await tabA.fill('#critical-alerts .critical-ack textarea', READ_BACK)
    await tabA.click('#critical-alerts .critical-ack button[type=submit]')
    for (const tab of [tabA, tabB]) {
      await tab.waitForSelector('#critical-alerts', { state: 'hidden', timeout: 15_000 })
      assert.equal(
        await tab.evaluate(() => (globalThis as any).document.body.dataset.criticalSound),
        'off'
      )
    }
    await value.refresh()
    assert.equal(value.status, 'acknowledged')
    assert.equal(value.acknowledgedById, staff.id)
    assert.equal(value.readBack, READ_BACK)

    // Reloading brings nothing back: it is closed.
    await tabB.reload()
    await tabB.waitForFunction(() => document.body.dataset.live === 'connected')
    await tabB.waitForTimeout(500)
    assert.isTrue(await tabB.isHidden('#critical-alerts'))
    await clinicContext.close()
    await radiologistContext.close()
  })
})
