/// <reference lib="dom" />
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import * as make from '#tests/support/fixtures'
import { baseUrl } from '#tests/support/http'
import { launchBrowser, logIn } from '#tests/support/browser'
import { chestDr, evaluate, samePatientAt, signedResult } from '#tests/support/recognition'

test.group('The repeat-exam reminder in the browser (R 6.6)', () => {
  test('a clinic registers a chest DR for a patient who had one 10 days ago at another member, sees the reminder with the earlier report, accepts it, and no exam is made', async ({
    assert,
  }) => {
    const first = await make.institution('member_clinic')
    const second = await make.institution('member_clinic')
    const atFirst = await make.user('clinic_staff', first)
    const atSecond = await make.user('clinic_staff', second)
    const item = await chestDr()
    await evaluate(first, item)
    const patient = await samePatientAt(first, second)
    const earlier = await signedResult(
      atFirst,
      patient.atFirst.id,
      item,
      DateTime.utc().minus({ days: 10 }),
      '两肺纹理清晰，心膈未见异常。'
    )

    const browser = await launchBrowser()
    try {
      const page = await browser.newPage()
      await logIn(page, atSecond.username, make.PASSWORD)
      await page.goto(`${baseUrl()}/exams/new?patient=${patient.atSecond.id}`)
      await page.locator(`input[name="itemIds[]"][value="${item.id}"]`).check()
      await page.fill('textarea[name=clinicalHistory]', '咳嗽一周，无发热')
      await page.fill('textarea[name=purpose]', '排除肺炎')
      await Promise.all([
        page.waitForURL(/\/exams\/new\?patient=\d+/),
        page.click('#exam-form button[type=submit]'),
      ])

      // Nothing was saved; the reminder is in the form with the earlier report, the form kept what was typed.
      assert.equal(
        Number(
          (await db.from('exams').where('institution_id', second.id).count('* as n').first()).n
        ),
        0
      )
      const reminder = page.locator('#repeat-exam-reminders')
      await reminder.waitFor()
      const text = (await reminder.textContent())!
      assert.include(text, first.name)
      assert.include(text, earlier.accessionNumber)
      assert.include(text, '两肺纹理清晰，心膈未见异常。')
      assert.include(text, '川渝HR')
      assert.isTrue(await page.locator(`input[name="itemIds[]"][value="${item.id}"]`).isChecked())
      assert.equal(await page.inputValue('textarea[name=purpose]'), '排除肺炎')

      // The earlier report and images open in one click (the clinic sees them because this reminder offers them).
      const href = await reminder.locator('a[href^="/recognition/earlier/"]').getAttribute('href')
      const view = await browser.newPage()
      await logIn(view, atSecond.username, make.PASSWORD)
      await view.goto(baseUrl() + href!)
      assert.include((await view.textContent('main'))!, '两肺纹理清晰，心膈未见异常。')
      await view.close()

      // Accept: recorded, no exam.
      await page.locator('input[name="recognition[0][decision]"][value=accept]').check()
      await Promise.all([
        page.waitForURL(/\/patients\/\d+$/),
        page.click('#exam-form button[type=submit]'),
      ])
      assert.include((await page.textContent('body'))!, '已认可已有检查结果')
      assert.equal(
        Number(
          (await db.from('exams').where('institution_id', second.id).count('* as n').first()).n
        ),
        0
      )
      const decision = await db
        .from('recognition_decisions')
        .where('institution_id', second.id)
        .firstOrFail()
      assert.equal(decision.decision, 'accepted')
      assert.equal(Number(decision.earlier_exam_id), earlier.id)
      // the patient's record shows the accepted result (R 6.6)
      assert.include((await page.textContent('main'))!, earlier.accessionNumber)
    } finally {
      await browser.close()
    }
  })
})
