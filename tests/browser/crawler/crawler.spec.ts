import { test } from '@japa/runner'
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

function report(problems: Problem[]) {
  const seen = new Map<string, Problem & { count: number }>()
  for (const p of problems) {
    const key = `${p.rule}|${p.detail}|${p.text ?? ''}`
    const known = seen.get(key)
    if (known) known.count++
    else seen.set(key, { ...p, count: 1 })
  }
  return [...seen.values()].map((p) => `${p.who} ${p.url} ${p.rule}: ${p.detail}${p.text && p.text !== p.detail ? ` «${p.text}»` : ''}${p.count > 1 ? ` (×${p.count})` : ''}`)
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

  test('no server error, stack trace, file path, untranslated key or wrong language; filters work with their defaults', async ({ assert }) => {
    // One person's two languages one after the other (the language is saved on the account).
    const sessions = DEMO_ROLES.map((role) => (['zh-CN', 'en'] as const).map((locale) => ({ role, locale })))
    const problems: Problem[] = []
    const visited: string[] = []
    // Three people at a time: the machine has two cores, and the server is the one being measured.
    const queue = [...sessions]
    await Promise.all(
      Array.from({ length: 3 }, async () => {
        for (let person = queue.shift(); person; person = queue.shift()) for (const next of person) {
          const crawler = new Crawler(browser, { baseUrl: demo.baseUrl, username: next.role.username, password: PASSWORD, locale: next.locale, dictionary })
          try {
            if (await crawler.open()) {
              const result = await crawler.crawl()
              await crawler.errorPages(next.role.forbidden, next.role.missing)
              await crawler.apiUnknown()
              visited.push(...result.pages, ...result.forms)
            }
          } finally {
            problems.push(...crawler.problems)
            await crawler.close()
          }
        }
      })
    )
    // A crawl that reached nothing proves nothing: every role saw its menu pages.
    assert.isAbove(visited.length, sessions.length * 2 * 5)
    assert.deepEqual(report(problems), [])
  }).timeout(170_000)
})
