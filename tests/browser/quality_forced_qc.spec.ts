import { test } from '@japa/runner'
import { chromium, type Browser, type Page } from 'playwright-core'
import { DateTime } from 'luxon'
import type User from '#models/user'
import Exam from '#models/exam'
import * as make from '#tests/support/fixtures'
import { apiToken, baseUrl } from '#tests/support/http'
import { api, CT_REPORT, doctor, examWithImages } from '#tests/support/reading'
import { saveSamplingRule } from '#app/quality/services/forced_qc'

/*
| Real Chromium against the test server (committed rows, uniquely named). The
| sampling rule drawn at 100 % names this test's own reader, so no other
| test's exam is drawn.
*/

async function login(page: Page, user: User) {
  await page.goto(baseUrl() + '/login')
  await page.fill('input[name=username]', user.username)
  await page.fill('input[name=password]', make.PASSWORD)
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/login')),
    page.click('button[type=submit]'),
  ])
}

test.group('Browser: random QC before a signature; the QC officer’s monthly report', (group) => {
  let browser: Browser
  group.setup(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    })
    return () => browser.close()
  })

  test('a reviewer signs a marked exam: the QC form appears, is completed, the signature goes through', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const junior = await doctor('junior')
    const reviewer = await doctor('intermediate')
    const qc = await make.user('qc_officer')
    await saveSamplingRule(
      { readerId: junior.id, ratePercent: 100, seed: 'browser' },
      qc.id,
      DateTime.utc()
    )
    const { exam } = await examWithImages(clinic, 'CT')
    const token = await apiToken(junior)
    const claimed = await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, token)
    const submitted = await api('POST', `/reading/exams/${exam.accessionNumber}/submit`, token, {
      ...CT_REPORT,
      revision: claimed.body.data.report.revision,
    })
    assert.equal(submitted.status, 200, JSON.stringify(submitted.body))

    const context = await browser.newContext({ locale: 'zh-CN' })
    const page = await context.newPage()
    await login(page, reviewer)
    await page.goto(`${baseUrl()}/reading/exams/${exam.id}`)
    // The reviewer signs as usual: the server refuses and the page opens the QC form.
    await Promise.all([
      page.waitForURL(`**/reading/exams/${exam.id}`),
      page.click('button[data-action=sign]'),
    ])
    await page.locator('#qc-required').waitFor()
    assert.include(await page.textContent('.flash.error'), '随机质控')
    assert.equal((await Exam.findOrFail(exam.id)).status, 'pending_review')

    for (const item of ['image_quality', 'film_layout']) {
      const form = page.locator(`form.qc-item[data-item="${item}"]`)
      const boxes = form.locator('input[name="criteria[]"]')
      for (let i = 0; i < (await boxes.count()) - 1; i++) await boxes.nth(i).check()
      await form.locator('textarea[name=note]').fill('测试：一项未达标')
      await Promise.all([
        page.waitForURL(`**/reading/exams/${exam.id}`),
        form.locator('button[data-action=qc-score]').click(),
      ])
      await page.locator('div.flash.success', { hasText: '评分已保存' }).waitFor()
    }
    await page.locator('#qc-done').waitFor()
    await Promise.all([
      page.waitForURL(`**/exams/${exam.id}/report`),
      page.click('button[data-action=sign]'),
    ])
    assert.equal((await Exam.findOrFail(exam.id)).status, 'signed')
    await context.close()
  })

  test('the QC officer opens the monthly report and sees the chart', async ({ assert }) => {
    const qc = await make.user('qc_officer')
    const context = await browser.newContext({ locale: 'zh-CN' })
    const page = await context.newPage()
    await login(page, qc)
    // The home page is the officer's workspace.
    await page.locator('[data-panel="quality.workspace"]').waitFor()
    await Promise.all([
      page.waitForURL('**/quality/reports**'),
      page.click('[data-panel="quality.workspace"] a[href="/quality/reports"]'),
    ])
    await page.locator('#qc-chart svg.qc-band-chart').waitFor()
    assert.isAbove(await page.locator('#qc-chart svg rect').count(), 0)
    assert.include(await page.textContent('#qc-monthly'), '合格率')
    await context.close()
  })
})
