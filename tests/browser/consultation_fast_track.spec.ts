import { test } from '@japa/runner'
import { chromium, type Browser, type Page } from 'playwright-core'
import CriticalValueContact from '#models/critical_value_contact'
import Consultation from '#app/consultation/models/consultation'
import * as make from '#tests/support/fixtures'
import { baseUrl } from '#tests/support/http'
import { eventually } from '#tests/support/wait'
import { examWithImages } from '#tests/support/critical_values'
import { onDutyDesk } from '#tests/support/consultation'

/*
| In real Chromium, two browser contexts: a clinic asks on a fast track; the
| consultant, waiting on the consultation list, gets the live notice, opens
| it and signs an opinion; the clinic's page (never reloaded) shows the
| opinion as it arrives. Data is committed (the browser's requests must see
| it); the duty-desk entry is removed afterwards so other suites' rosters are
| as they expect.
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

const socketUp = (page: Page) =>
  page.waitForFunction(() => document.body.dataset.live === 'connected')

test.group('Consultation in the browser', (group) => {
  group.setup(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    })
    return () => browser.close()
  })

  test('a fast-track request reaches the consultant live, and the signed opinion reaches the clinic live', async ({
    assert,
  }) => {
    const clinicUser = await make.user('clinic_staff')
    const lead = await make.institution('lead_hospital')
    const desk = await onDutyDesk(await make.user('radiologist', lead, { title: 'intermediate' }))
    const { exam } = await examWithImages(clinicUser)
    // Other suites' committed desk entries are set aside for this test (and put back), so the roster picks this desk.
    const others = await CriticalValueContact.query()
      .where('duty', 'duty_desk')
      .whereNot('user_id', desk.id)
    await CriticalValueContact.query()
      .whereIn(
        'id',
        others.map((o) => o.id)
      )
      .delete()
    const consultantContext = await browser.newContext({ locale: 'zh-CN' })
    const clinicContext = await browser.newContext({ locale: 'zh-CN' })
    try {
      const consultantPage = await consultantContext.newPage()
      await login(consultantPage, desk.username)
      await consultantPage.goto(baseUrl() + '/consultations')
      await socketUp(consultantPage)

      const clinic = await clinicContext.newPage()
      await login(clinic, clinicUser.username)
      await clinic.goto(`${baseUrl()}/exams/${exam.id}`)
      await clinic.click(`a[href="/exams/${exam.id}/consultations/new"]`)
      await clinic.waitForSelector('form#consultation-request')
      assert.include(await clinic.textContent('[data-advice-notice]'), '会诊意见仅供参考')
      await clinic.fill('textarea[name=question]', '左侧基底节区低密度影，是否急性梗死？')
      // The clinical summary is left as the form fills it (the exam's history); urgency changed to the fast track.
      await clinic.selectOption('select[name=urgency]', 'fast_track')
      await Promise.all([
        clinic.waitForURL(/\/consultations\/\d+$/),
        clinic.click('form#consultation-request button[type=submit]'),
      ])
      const consultation = await eventually(() =>
        Consultation.query().where('exam_id', exam.id).first()
      )
      assert.equal(consultation.urgency, 'fast_track')
      assert.equal(consultation.clinicalSummary, exam.clinicalHistory)
      await socketUp(clinic)

      assert.equal(consultation.consultantId, desk.id)
      // The live notice, on a page opened before the request.
      await consultantPage.waitForFunction(
        (id) => document.getElementById('live-toast')?.textContent?.includes(`#${id}`) ?? false,
        consultation.id
      )
      assert.include(await consultantPage.textContent('#live-toast'), '已分配给您')
      const page = consultantPage
      await page.goto(`${baseUrl()}/consultations/${consultation.id}`)
      await page.fill('#opinion-form textarea[name=opinion]', '左侧基底节区急性腔隙性脑梗死。')
      await Promise.all([
        page.waitForURL(`**/consultations/${consultation.id}`),
        page.click('#opinion-form button[type=submit]'),
      ])

      // The clinic's page was never reloaded: the opinion arrives on it.
      await clinic.waitForFunction(
        () =>
          document
            .querySelector('[data-opinion-text]')
            ?.textContent?.includes('急性腔隙性脑梗死') ?? false
      )
      assert.include(
        await clinic.textContent('#consultation-opinion'),
        '左侧基底节区急性腔隙性脑梗死。'
      )
    } finally {
      await consultantContext.close()
      await clinicContext.close()
      await CriticalValueContact.query().where('user_id', desk.id).delete()
      for (const other of others)
        await CriticalValueContact.create({
          userId: other.userId,
          duty: 'duty_desk',
          assignedById: other.assignedById,
          assignedAt: other.assignedAt,
        })
    }
  })
})
