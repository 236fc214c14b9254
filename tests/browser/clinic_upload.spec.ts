/// <reference lib="dom" />
import { test } from '@japa/runner'
import { mkdtemp, writeFile, mkdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Exam from '#models/exam'
import * as make from '#tests/support/fixtures'
import { syntheticStudy } from '#tests/support/dicom'
import { baseUrl } from '#tests/support/http'
import { launchBrowser, logIn } from '#tests/support/browser'

test.group('A clinic user in the browser', () => {
  test('registers a patient and an exam, uploads a folder watching the progress bar, and sees the images', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const browser = await launchBrowser()
    const folder = await mkdtemp(join(tmpdir(), 'browser-upload-'))
    try {
      const page = await browser.newPage()
      await logIn(page, clinic.username, make.PASSWORD)

      // Register the patient.
      const patientNo = make.unique('B')
      await page.goto(baseUrl() + '/patients/new')
      await page.fill('input[name=name]', '浏览器测试')
      await page.selectOption('select[name=sex]', 'F')
      await page.fill('input[name=birthDate]', '1968-04-09')
      await page.fill('input[name=clinicPatientNo]', patientNo)
      await Promise.all([
        page.waitForURL(/\/exams\/new\?patient=\d+/),
        page.click('form[action="/patients"] button[type=submit]'),
      ])

      // Register the exam: a chest CT.
      await page.fill('[data-filter-items]', '胸部 平扫')
      await page.locator('label[data-item-text*="CT 胸部 平扫"]:visible input').first().check()
      await page.fill('textarea[name=clinicalHistory]', '咳嗽两周，低热')
      await page.fill('textarea[name=purpose]', '排除肺部感染及占位')
      await Promise.all([
        page.waitForURL(/\/exams\/\d+$/),
        page.click('#exam-form button[type=submit]'),
      ])
      const examId = Number(page.url().split('/').pop())
      const exam = await Exam.findOrFail(examId)
      assert.equal(exam.status, 'registered')

      // A folder as the CT exports it: two series of six slices, plus a stray text file.
      const study = syntheticStudy(
        {
          modality: 'CT',
          patientName: 'Liu^Test',
          patientId: patientNo,
          accessionNumber: exam.accessionNumber,
        },
        2,
        6
      )
      for (const file of study.files) {
        await mkdir(join(folder, file.name, '..'), { recursive: true })
        await writeFile(join(folder, file.name), file.data)
      }
      await writeFile(join(folder, 'notes.txt'), 'exported by the CT console')

      // Record every value the overall progress bar takes.
      await page.evaluate(() => {
        const bar = document.querySelector('#uploader .overall .progress')!
        ;(window as any).progressSeen = []
        new MutationObserver(() =>
          (window as any).progressSeen.push(Number(bar.getAttribute('aria-valuenow')))
        ).observe(bar, { attributes: true })
      })
      await page.setInputFiles('input[data-pick=folder]', folder)
      await page.waitForSelector('#uploader .upload-summary:not([hidden])', { timeout: 60_000 })

      const seen: number[] = await page.evaluate(() => (window as any).progressSeen)
      assert.isAbove(seen.length, 1)
      assert.equal(seen[seen.length - 1], 100)
      assert.equal(await page.locator('#uploader .upload-list li').count(), 13)
      assert.equal(await page.locator('#uploader .upload-list .progress.done').count(), 12)
      const summary = await page.textContent('#uploader .upload-summary')
      assert.include(summary!, '已存储 12 个')
      assert.include(summary!, '不是 DICOM 文件')

      // The arrival line, the arrival time and the status are right at once, without a reload.
      assert.include(await page.textContent('#study-lines'), '2 个序列，12 幅')
      assert.match(
        (await page.textContent('#images-received-at'))!,
        /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/
      )
      assert.equal(await page.textContent('#exam-status'), '影像已到达')

      // The images: one thumbnail per series, rendered through the app.
      await page.waitForFunction(
        () => document.querySelectorAll('#image-viewer .thumb img').length === 2
      )
      await page.waitForFunction(() =>
        Array.from(document.querySelectorAll('#image-viewer .thumb img')).every(
          (img) => (img as HTMLImageElement).naturalWidth > 0
        )
      )
      await page.waitForFunction(
        () =>
          (document.querySelector('#image-viewer .viewer img') as HTMLImageElement).naturalWidth > 0
      )
      await page.screenshot({ path: join(tmpdir(), 'clinic-upload.png'), fullPage: true })

      await exam.refresh()
      assert.equal(exam.status, 'images_received')
      assert.equal(exam.instanceCount, 12)
    } finally {
      await browser.close()
      await rm(folder, { recursive: true, force: true })
    }
  })
})
