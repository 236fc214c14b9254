import { chromium, type Browser, type Page } from 'playwright-core'
import { baseUrl } from './http.js'
import { secondFactor } from './totp.js'

/** Debian's Chromium, driven by playwright-core (no browser download needed). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  })
}

export async function logIn(page: Page, username: string, password: string) {
  await page.goto(baseUrl() + '/login')
  await page.fill('input[name=username]', username)
  await page.fill('input[name=password]', password)
  await page.click('button[type=submit]')
  await page.waitForLoadState('load')
  await secondFactor(page, username)
  if (new URL(page.url()).pathname !== '/') {
    throw new Error(
      `login as ${username} failed: ${await page.locator('.flash').allTextContents()}`
    )
  }
}
