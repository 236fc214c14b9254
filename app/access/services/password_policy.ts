import { readFileSync } from 'node:fs'
import app from '@adonisjs/core/services/app'
import hash from '@adonisjs/core/services/hash'
import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import type User from '#models/user'
import securityConfig, { type PasswordProfile } from '#config/security'
import { DomainRefusal } from '#app/platform/domain_refusal'

/*
| Two password policies, because the two standards disagree (PASSWORD_PROFILE):
| - "mlps" (等保 8.1.4.1 a: 口令具有复杂度要求并定期更换): at least 8 characters from three of the four kinds
|   (upper case, lower case, digits, symbols), changed every 90 days, none of the last 5 again;
| - "asvs" (ASVS 2.1: length over complexity, no forced rotation): at least 12 characters, up to 128, not a
|   commonly used or breached password (database/data/common_passwords.txt), no composition rules.
| Both: not the username, not a common password.
*/

export const PROFILES: Record<
  PasswordProfile,
  { minLength: number; kinds: number; maxAgeDays: number | null; history: number }
> = {
  mlps: { minLength: 8, kinds: 3, maxAgeDays: 90, history: 5 },
  asvs: { minLength: 12, kinds: 0, maxAgeDays: null, history: 0 },
}

let common: Set<string> | null = null
function commonPasswords() {
  if (!common) {
    const text = readFileSync(app.makePath('database/data/common_passwords.txt'), 'utf8')
    common = new Set(
      text
        .split('\n')
        .map((l) => l.trim().toLowerCase())
        .filter((l) => l && !l.startsWith('#'))
    )
  }
  return common
}

const kindsIn = (password: string) =>
  [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length

/** Why this password may not be set, as a refusal (nothing is changed), or nothing. */
export async function checkNewPassword(
  password: string,
  user: Pick<User, 'id' | 'username'> | null,
  username?: string,
  profile = securityConfig.passwordProfile
) {
  const rules = PROFILES[profile]
  const name = (user?.username ?? username ?? '').toLowerCase()
  if (password.length < rules.minLength || password.length > 128) {
    throw new DomainRefusal('password_length', `security.password.length_${profile}`, {
      min: rules.minLength,
    })
  }
  if (rules.kinds && kindsIn(password) < rules.kinds)
    throw new DomainRefusal('password_complexity', 'security.password.complexity')
  if (name && password.toLowerCase().includes(name))
    throw new DomainRefusal('password_username', 'security.password.contains_username')
  if (commonPasswords().has(password.toLowerCase()))
    throw new DomainRefusal('password_common', 'security.password.common')
  if (user && rules.history) {
    const previous = await db
      .from('password_history')
      .where('user_id', user.id)
      .orderBy('id', 'desc')
      .limit(rules.history)
      .select('password_hash')
    for (const row of previous) {
      if (await hash.verify(row.password_hash, password))
        throw new DomainRefusal('password_reused', 'security.password.reused', {
          count: rules.history,
        })
    }
  }
}

/** Keeps the hash being replaced (the "mlps" profile's history), newest last. */
export async function rememberPassword(user: User, now: DateTime) {
  await db
    .table('password_history')
    .insert({ user_id: user.id, password_hash: user.password, created_at: now.toJSDate() })
}

/** The "mlps" profile's periodic change: a password older than its maximum age must be changed. */
export function passwordNeedsChange(
  user: Pick<User, 'passwordChangedAt' | 'createdAt'>,
  now: DateTime,
  profile = securityConfig.passwordProfile
) {
  const maxAge = PROFILES[profile].maxAgeDays
  const since = user.passwordChangedAt ?? user.createdAt
  return maxAge !== null && !!since && now.diff(since, 'days').days > maxAge
}
