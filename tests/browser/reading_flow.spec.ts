import { test } from '@japa/runner'
import { chromium, type Browser, type Page } from 'playwright-core'
import type User from '#models/user'
import Exam from '#models/exam'
import ReportDraft from '#models/report_draft'
import * as make from '#tests/support/fixtures'
import { baseUrl } from '#tests/support/http'
import { eventually } from '#tests/support/wait'
import { doctor, examWithImages } from '#tests/support/reading'

/*
| Real Chromium against the test server. No global transaction: the browser's
| requests must see committed rows, so the data is uniquely named and left.
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

test.group('Browser: a junior drafts, a senior signs, the clinic sees the report', (group) => {
  let browser: Browser
  group.setup(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    })
    return () => browser.close()
  })

  test('the whole reading flow, with a closed tab losing nothing and the clinic told live', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const junior = await doctor('junior')
    const senior = await doctor('senior')
    const { exam } = await examWithImages(clinic, 'CT', 'emergency')

    // The junior finds the exam in the queue, claims it and starts writing.
    const juniorContext = await browser.newContext({ locale: 'zh-CN' })
    let page = await juniorContext.newPage()
    await login(page, junior)
    await page.goto(`${baseUrl()}/reading?institutionId=${clinic.institutionId}`)
    const row = page.locator(`tr[data-exam-id="${exam.id}"]`)
    await row.waitFor()
    assert.match((await row.locator('.left').textContent())!, /剩余/)
    await Promise.all([
      page.waitForURL(`**/reading/exams/${exam.id}`),
      row.locator('button', { hasText: '认领' }).click(),
    ])

    await page.fill('textarea[name=technique]', '扫描范围：颅底至颅顶；横断位平扫，层厚 5 mm')
    await page.fill('textarea[name=findings]', '左侧基底节区见团片状高密度影，边界清楚。')
    await page.fill('textarea[name=impression]', '左侧基底节区脑出血。')
    await page
      .locator('[data-autosave-status]', { hasText: '草稿已自动保存' })
      .waitFor({ timeout: 10_000 })

    // One more sentence, then the tab is closed before the debounce fires: the beacon saves it.
    await page.locator('textarea[name=findings]').press('End')
    await page.keyboard.type('中线结构右移约 0.4 cm。')
    await page.close({ runBeforeUnload: true })
    await eventually(async () => {
      const draft = await ReportDraft.query()
        .where('exam_id', exam.id)
        .where('author_id', junior.id)
        .first()
      return draft?.findings?.endsWith('中线结构右移约 0.4 cm。')
    })

    page = await juniorContext.newPage()
    await page.goto(`${baseUrl()}/reading/exams/${exam.id}`)
    assert.equal(
      await page.inputValue('textarea[name=findings]'),
      '左侧基底节区见团片状高密度影，边界清楚。中线结构右移约 0.4 cm。'
    )
    assert.include(await page.textContent('body'), '已恢复您')
    await Promise.all([page.waitForURL('**/reading'), page.click('button[data-action=submit]')])
    assert.include(await page.textContent('.flash.success'), '报告已提交审核')
    assert.equal((await Exam.findOrFail(exam.id)).status, 'pending_review')

    // The clinic is looking at its exams when the report is signed.
    const clinicContext = await browser.newContext({ locale: 'zh-CN' })
    const clinicPage = await clinicContext.newPage()
    await login(clinicPage, clinic)
    await clinicPage.goto(`${baseUrl()}/reports`)
    await clinicPage.waitForFunction(() => document.body.dataset.live === 'connected')

    // A senior reviews and signs.
    const seniorContext = await browser.newContext({ locale: 'zh-CN' })
    const seniorPage = await seniorContext.newPage()
    await login(seniorPage, senior)
    await seniorPage.goto(`${baseUrl()}/reading/exams/${exam.id}`)
    assert.equal(
      await seniorPage.inputValue('textarea[name=findings]'),
      '左侧基底节区见团片状高密度影，边界清楚。中线结构右移约 0.4 cm。'
    )
    await Promise.all([
      seniorPage.waitForURL(`**/exams/${exam.id}/report`),
      seniorPage.click('button[data-action=sign]'),
    ])
    assert.include(await seniorPage.textContent('#signed-report'), senior.fullName)

    // The clinic is told at once, and reads the signed report and its PDF.
    const toast = clinicPage.locator('#live-toast')
    await toast.waitFor({ state: 'visible', timeout: 10_000 })
    assert.include(await toast.textContent(), exam.accessionNumber)
    await Promise.all([clinicPage.waitForURL(`**/exams/${exam.id}/report`), toast.click()])
    const sheet = await clinicPage.textContent('#signed-report')
    for (const text of [
      '左侧基底节区脑出血',
      '中线结构右移约 0.4 cm',
      junior.fullName,
      senior.fullName,
      '审核医师',
    ])
      assert.include(sheet, text)
    const pdf = await clinicPage.request.get(`${baseUrl()}/exams/${exam.id}/report.pdf`)
    assert.equal(pdf.status(), 200)
    assert.equal(pdf.headers()['content-type'], 'application/pdf')

    await Promise.all([juniorContext.close(), clinicContext.close(), seniorContext.close()])
  })
})
