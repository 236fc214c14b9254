import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { chromium, type Browser } from 'playwright-core'
import { StaffingCalculator } from '#app/staffing/services/staffing_calculator'
import { emptyWorkload } from '#app/staffing/services/staffing_rules'
import { signed } from '#app/staffing/services/staffing_presenter'
import * as make from '#tests/support/fixtures'
import { staff } from '#tests/support/staffing_fixtures'
import { logIn } from '#tests/support/browser'

/*
| In real Chromium: an administrator opens the calculator from the menu, sees the
| lead hospital's gap, then types a what-if workload and sees Table 1 worked out.
| The browser's requests must see committed rows, so this test commits its own
| (uniquely named) administrator and roster entries and leaves them.
*/
test.group('Staffing calculator in the browser', (group) => {
  let browser: Browser
  group.setup(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    })
    return () => browser.close()
  })

  test('an administrator opens the calculator and sees the gap', async ({ assert }) => {
    const lead = await make.institution('lead_hospital')
    const admin = await make.user('admin', lead)
    await staff(lead, 'doctor', 'intermediate', {
      fullName: '浏览器测试医师',
      staffNo: make.unique('B'),
    })
    const calculator = await app.container.make(StaffingCalculator)

    const page = await browser.newPage()
    // Administrators log in with a second factor: the helper sets it up as a person would.
    await logIn(page, admin.username, make.PASSWORD)

    await Promise.all([page.waitForNavigation(), page.click('nav.mainnav >> text=人员配置测算')])
    assert.equal(await page.locator('h1').innerText(), '人员配置测算')

    // The recorded workload of the last 12 months, and the gap it leaves.
    const expected = await calculator.calculate({
      source: 'recorded',
      adjustments: emptyWorkload(),
    })
    const doctors = expected.lead.gap.find((g) => g.role === 'doctors')!
    assert.isFalse(doctors.met, 'a roster this small is short of doctors')
    const row = page.locator('#gap-table tr[data-role="doctors"]')
    assert.equal(await row.getAttribute('class'), 'short')
    assert.equal(await row.locator('td[data-field="gap"]').innerText(), signed(doctors.gap))
    assert.include(await row.innerText(), `需增加 ${doctors.toAdd} 人`)
    assert.isTrue(
      await page.locator('.chart svg rect[data-role="doctors"][data-series="actual"]').isVisible()
    )

    // What-if: type next year's plain CT; the typed columns appear only for typed workload.
    assert.isFalse(await page.locator('input[name="read[ct_plain]"]').isVisible())
    await page.check('input[name=source][value=typed]')
    await page.fill('input[name="read[ct_plain]"]', '150000')
    await page.fill('input[name="performed[ct_plain]"]', '15000')
    for (const category of ['mri_plain', 'dr', 'ct_contrast', 'mri_contrast']) {
      await page.fill(`input[name="read[${category}]"]`, '0')
      await page.fill(`input[name="performed[${category}]"]`, '0')
    }
    await Promise.all([page.waitForNavigation(), page.click('#staffing-form button[type=submit]')])

    const line = page.locator('#arithmetic-table tr[data-category="ct_plain"]')
    assert.include(await line.innerText(), '150,000 ÷ 15,000 × 1 = 10.000')
    assert.include(await line.innerText(), '15,000 ÷ 15,000 × 0.6 = 0.600')
    // 10 initial readers + 6 reviewers = 16 doctors planned, above the floor of 8
    const typed = {
      read: { ...emptyWorkload(), ct_plain: 150000 },
      performed: { ...emptyWorkload(), ct_plain: 15000 },
    }
    const whatIf = await calculator.calculate({
      source: 'typed',
      typed,
      adjustments: emptyWorkload(),
    })
    assert.equal(whatIf.lead.requirement.planned.doctors, 16)
    const gap = whatIf.lead.gap.find((g) => g.role === 'doctors')!
    assert.equal(
      await page.locator('#gap-table tr[data-role="doctors"] td[data-field="gap"]').innerText(),
      signed(gap.gap)
    )
    assert.include(await page.locator('#planned-steps').innerText(), '应配 16 人')
    await page.close()
  })
})
