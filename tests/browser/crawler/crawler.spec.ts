import { test } from '@japa/runner'
import mysql from 'mysql2/promise'
import type { Browser } from 'playwright-core'
import { launchBrowser } from '#tests/support/browser'
import { Crawler, type Problem } from './crawl.js'
import { dataDictionary } from './data_dictionary.js'
import { DEMO_ROLES } from './demo_roles.js'
import { startDemoServer, type DemoServer } from './demo_server.js'
import type { DataDictionary } from './text_rules.js'

/*
| What a new user meets in the first hour, checked on every page: each demo
| role in zh-CN and in English, the menus and two links deep, every filter
| form submitted with its defaults, every download fetched, and an unknown
| URL, a page the role may not open (403) and a missing record (404). Any
| status ≥ 500, stack trace, file path, untranslated key, English sentence in
| the Chinese interface or Chinese in the English one (outside patient data)
| fails it, listed one line per problem.
*/

const PASSWORD = 'Demo@2026'

/** One line per kind of problem (the first person and page that met it, and how often); a page that broke outright is one line. */
function report(problems: Problem[]) {
  const byUrl = new Map<string, Problem[]>()
  for (const p of problems)
    byUrl.set(`${p.who} ${p.url}`, [...(byUrl.get(`${p.who} ${p.url}`) ?? []), p])
  const lines = new Map<string, { line: string; count: number }>()
  for (const [where, found] of byUrl) {
    // A stack-trace page yields dozens of findings: it is one problem.
    const broken =
      found.length > 8
        ? [
            {
              ...found[0],
              detail: `${found.length} problems, first: ${found[0].rule} ${found[0].detail}`,
              text: undefined,
            },
          ]
        : found
    for (const p of broken) {
      const key = `${p.rule}|${p.detail.replace(/no-such-page-\w+/, 'no-such-page')}`
      const known = lines.get(key)
      if (known) known.count++
      else
        lines.set(key, {
          line: `${where} ${p.rule}: ${p.detail}${p.text && p.text !== p.detail ? ` «${p.text}»` : ''}`,
          count: 1,
        })
    }
  }
  return [...lines.values()].map(({ line, count }) =>
    count > 1 ? `${line} (and ${count - 1} more like it)` : line
  )
}

test.group('Crawler: every demo role, in both languages, over every page', (group) => {
  let demo: DemoServer
  let browser: Browser
  let dictionary: DataDictionary
  group.setup(async () => {
    demo = await startDemoServer()
    browser = await launchBrowser()
    dictionary = await dataDictionary(demo.db)
    return async () => {
      await browser.close()
      await demo.stop()
    }
  })

  test('the demo county is one a radiologist would believe', async ({ assert }) => {
    const connection = await mysql.createConnection(demo.db)
    const rows = async (sql: string) =>
      ((await connection.query(sql)) as any)[0] as Array<Record<string, any>>
    try {
      // Sexes fit the items: no man has a mammography.
      const mammographyMen =
        await rows(`SELECT e.id FROM exams e JOIN exam_exam_items x ON x.exam_id = e.id JOIN exam_items i ON i.id = x.exam_item_id
        JOIN patients p ON p.id = e.patient_id WHERE i.name LIKE '%钼靶%' AND p.sex = 'M'`)
      assert.lengthOf(mammographyMen, 0)
      // Critical values sit on items that can show them (a haemorrhage on a head CT).
      const critical =
        await rows(`SELECT f.code, i.name FROM critical_values v JOIN critical_findings f ON f.id = v.finding_id
        JOIN exam_exam_items x ON x.exam_id = v.exam_id JOIN exam_items i ON i.id = x.exam_item_id`)
      assert.isAbove(critical.length, 3)
      const where: Record<string, RegExp> = {
        ICH: /^CT 头部/,
        PE: /^CT 胸部 增强/,
        AORTIC_DISSECTION: /^CT 胸部 增强/,
        TENSION_PTX: /胸部/,
        PERFORATION: /腹/,
        OBSTRUCTION: /腹/,
      }
      for (const row of critical)
        assert.match(row.name, where[row.code] ?? /^$/, `${row.code} on ${row.name}`)
      // Times in order and in the past: registered, images, submitted, signed.
      const disorder =
        await rows(`SELECT e.id FROM exams e JOIN report_versions r ON r.exam_id = e.id
        WHERE e.images_received_at < e.registered_at OR r.submitted_at < e.images_received_at OR r.signed_at < r.submitted_at
           OR r.signed_at > UTC_TIMESTAMP() OR e.registered_at > UTC_TIMESTAMP()`)
      assert.lengthOf(disorder, 0)
      // A contrast exam is never concluded as a plain one.
      const plainContrast =
        await rows(`SELECT e.id FROM exams e JOIN exam_exam_items x ON x.exam_id = e.id JOIN exam_items i ON i.id = x.exam_item_id
        JOIN report_versions r ON r.exam_id = e.id WHERE i.method = '增强' AND r.impression LIKE '%平扫%'`)
      assert.lengthOf(plainContrast, 0)
      // The queue as on a working day: a few overdue, most within their limits.
      const queue = await rows(
        `SELECT due_at < UTC_TIMESTAMP() AS overdue FROM exams WHERE in_reading_queue = 1 AND status IN ('images_received', 'in_progress', 'pending_review')`
      )
      const overdue = queue.filter((r) => Number(r.overdue) === 1).length
      assert.isAtLeast(queue.length, 5)
      assert.isAtLeast(overdue, 1)
      assert.isAtMost(overdue / queue.length, 0.34)
    } finally {
      await connection.end()
    }
  })

  test('a script that throws, or does not load, is a problem the crawl reports', async ({
    assert,
  }) => {
    const crawler = new Crawler(browser, {
      baseUrl: demo.baseUrl,
      username: 'clinic1',
      password: PASSWORD,
      locale: 'zh-CN',
      dictionary,
    })
    try {
      assert.isTrue(await crawler.open())
      await crawler.replaceScript('/js/app.js', "throw new Error('planted by the crawler test')")
      await crawler.check('/')
      // A module whose import fails never runs: no page error, only the missing file.
      await crawler.replaceScript('/js/app.js', "import './no_such_module.js'")
      await crawler.check('/')
      await crawler.replaceScript('/js/app.js', "console.error('planted console error')")
      await crawler.check('/')
      const found = crawler.problems.map((p) => `${p.rule} ${p.detail}`)
      assert.include(found.join('\n'), 'script_error planted by the crawler test')
      assert.include(found.join('\n'), 'script_error script /js/no_such_module.js answered 404')
      assert.include(found.join('\n'), 'script_error console: planted console error')
    } finally {
      await crawler.close()
    }
  }).timeout(120_000)

  test('no server error, stack trace, file path, untranslated key or wrong language; filters work with their defaults', async ({
    assert,
  }) => {
    const problems: Problem[] = []
    let loads = 0
    // Two people at a time (the machine has two cores); each person crawls in Chinese, then reads the same pages in English.
    const queue = [...DEMO_ROLES]
    await Promise.all(
      Array.from({ length: 2 }, async () => {
        for (let role = queue.shift(); role; role = queue.shift()) {
          const crawler = new Crawler(browser, {
            baseUrl: demo.baseUrl,
            username: role.username,
            password: PASSWORD,
            locale: 'zh-CN',
            dictionary,
          })
          try {
            if (await crawler.open()) {
              const result = await crawler.crawl()
              await crawler.errorPages(role.forbidden, role.missing)
              await crawler.apiUnknown()
              await crawler.switchLanguage('en')
              await crawler.revisit(result)
              await crawler.errorPages(role.forbidden, role.missing)
              loads += 2 * result.pages.length + result.forms.length
            }
          } finally {
            problems.push(...crawler.problems)
            await crawler.close()
          }
        }
      })
    )
    // A crawl that reached nothing proves nothing: every role saw its menu pages.
    assert.isAbove(loads, DEMO_ROLES.length * 2 * 5)
    assert.deepEqual(report(problems), [])
  }).timeout(480_000)
})
