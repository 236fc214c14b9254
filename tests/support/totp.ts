import { readFileSync } from 'node:fs'
import { TOTP, Secret } from 'otpauth'
import type { Page } from 'playwright-core'

/*
| One-time codes for the demo administrators (their TOTP secrets are in database/demo/logins.json) and for
| test users. A code is good once per 30-s step, so a process that logs the same account in twice gets the
| next step's code (the server accepts one step of drift), and waits when even that one was used.
*/
const demo = JSON.parse(
  readFileSync(new URL('../../database/demo/logins.json', import.meta.url), 'utf8')
) as {
  users: Array<{ username: string; totpSecret?: string }>
}

export function demoTotpSecret(username: string) {
  return demo.users.find((u) => u.username === username)?.totpSecret ?? null
}

const lastStep = new Map<string, number>()

export async function freshCode(secret: string, key = secret) {
  const step = () => Math.floor(Date.now() / 30_000)
  let wanted = Math.max(step(), (lastStep.get(key) ?? -1) + 1)
  while (wanted > step() + 1) await new Promise((r) => setTimeout(r, 500))
  wanted = Math.max(wanted, step())
  lastStep.set(key, wanted)
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp: wanted * 30_000 + 1000,
  })
}

/**
 * Administrators answer the one-time code page (the demo's secrets are known: database/demo/logins.json);
 * an administrator without a second factor yet sets one up as a person would (reads the key off the page,
 * enters a code, passes the recovery codes).
 */
export async function secondFactor(
  page: Page,
  username: string,
  secret = demoTotpSecret(username)
) {
  if (new URL(page.url()).pathname !== '/login/second-factor') return
  const shown = await page
    .locator('[data-totp-secret]')
    .first()
    .textContent({ timeout: 500 })
    .catch(() => null)
  const key = shown?.trim() || secret
  if (!key) return
  await page.fill('input[name=code]', await freshCode(key, username))
  await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')])
  if (shown && (await page.locator('[data-recovery-codes]').count())) {
    await Promise.all([page.waitForLoadState('load'), page.click('a.btn[href="/"]')])
  }
}
