/*
| The crawler by hand, against a running app (for example `npm start`'s):
|   node --import ts-node-maintained/register/esm tests/browser/crawler/run.ts http://127.0.0.1:3333 imaging [user…]
| prints every problem it finds, as the crawler test would fail on them.
*/
import { chromium } from 'playwright-core'
import { Crawler } from './crawl.js'
import { dataDictionary } from './data_dictionary.js'
import { DEMO_ROLES } from './demo_roles.js'

const [baseUrl = 'http://127.0.0.1:3333', database = 'imaging', ...only] = process.argv.slice(2)
const dictionary = await dataDictionary({
  host: process.env.DB_HOST || '127.0.0.1',
  port: Number(process.env.DB_PORT || 3306),
  database,
})
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
})
const started = Date.now()
let total = 0
const queue = DEMO_ROLES.filter((r) => !only.length || only.includes(r.username))
await Promise.all(
  Array.from({ length: Number(process.env.CRAWL_PARALLEL || 2) }, async () => {
    for (let role = queue.shift(); role; role = queue.shift()) {
      const t0 = Date.now()
      const crawler = new Crawler(browser, {
        baseUrl,
        username: role.username,
        password: 'Demo@2026',
        locale: 'zh-CN',
        dictionary,
      })
      if (await crawler.open()) {
        const result = await crawler.crawl()
        await crawler.errorPages(role.forbidden, role.missing)
        await crawler.apiUnknown()
        await crawler.switchLanguage('en')
        await crawler.revisit(result)
        await crawler.errorPages(role.forbidden, role.missing)
        total += 2 * result.pages.length + result.forms.length
        console.log(
          `${role.username}: ${result.pages.length} pages, ${result.forms.length} forms, ${result.downloads.length} downloads, ${Date.now() - t0} ms`
        )
      }
      const seen = new Set<string>()
      for (const p of crawler.problems) {
        const key = `${p.rule} ${p.detail} ${p.text}`
        if (seen.has(key)) continue
        seen.add(key)
        console.log(
          `  ${p.who.padEnd(18)} ${p.rule.padEnd(20)} ${p.url}  ${p.detail}${p.text ? `  «${p.text}»` : ''}`
        )
      }
      await crawler.close()
    }
  })
)
console.log(`${total} loads in ${Date.now() - started} ms`)
await browser.close()
