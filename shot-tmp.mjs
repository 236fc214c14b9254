import { chromium } from 'playwright-core'
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } })
const base = 'http://localhost:3333'
await page.goto(base + '/login')
await page.screenshot({ path: '/tmp/s-login.png' })
await page.fill('input[name=username]', process.argv[2] || 'clinic1')
await page.fill('input[name=password]', 'Demo@2026')
await page.click('button[type=submit]')
await page.waitForLoadState('networkidle')
for (const [i, url] of (process.argv.slice(3)).entries()) {
  await page.goto(base + url)
  await page.waitForTimeout(1500)
  await page.screenshot({ path: `/tmp/s-${i}.png`, fullPage: true })
}
await browser.close()
