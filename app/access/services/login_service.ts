import { inject } from '@adonisjs/core'
import hash from '@adonisjs/core/services/hash'
import db from '@adonisjs/lucid/services/db'
import limiter from '@adonisjs/limiter/services/main'
import User from '#models/user'
import { Clock } from '#app/platform/clock'
import securityConfig from '#config/security'
import { accountRefusal, type AccountRefusal } from './account_rules.js'

export type LoginRefusal = 'bad_credentials' | 'rate_limited' | AccountRefusal

export type LoginResult =
  | { ok: true; user: User }
  | { ok: false; reason: LoginRefusal; user: User | null; passwordChecked?: boolean }

/** How many rows an UPDATE changed, on MySQL and SQLite alike. */
export function affectedRows(result: unknown) {
  if (typeof result === 'number') return result
  if (Array.isArray(result)) return affectedRows(result[0])
  const r = result as { affectedRows?: number; changes?: number } | null
  return r?.affectedRows ?? r?.changes ?? 0
}

/**
 * Checks a username and password (ASVS 2.2; MLPS 8.1.4.1 b: 登录失败处理).
 * - Per client address and per username rate limits (@adonisjs/limiter, counted in the database so every
 *   app node sees the same attempts), before any password is checked.
 * - The failure counter is reserved by ONE conditional UPDATE before the password is checked, so parallel
 *   guesses cannot slip past it: at most `maxFailures` password checks run before the account locks, and
 *   every later guess is refused without one.
 * - Every refusal answers the same to the person (the reason is only in the audit line): a locked, disabled,
 *   expired or unknown account cannot be told from a wrong password.
 */
@inject()
export class LoginService {
  constructor(protected clock: Clock) {}

  async attempt(
    username: string,
    password: string,
    ip: string | null = null
  ): Promise<LoginResult> {
    const now = this.clock.now()
    const name = username.trim()
    if (!(await this.withinRateLimits(name, ip)))
      return { ok: false, reason: 'rate_limited', user: await User.findBy('username', name) }

    const user = await User.findBy('username', name)
    if (!user) {
      // Spend the same time as a real check so usernames cannot be probed by timing.
      await hash.make(password)
      return { ok: false, reason: 'bad_credentials', user: null }
    }
    const refusal = accountRefusal(user, now)
    if (refusal) return { ok: false, reason: refusal, user }

    const reserved = await this.reserveAttempt(user, now)
    if (!reserved) return { ok: false, reason: 'temporarily_locked', user }

    if (!(await hash.verify(user.password, password))) {
      await user.refresh()
      return {
        ok: false,
        reason:
          user.lockedUntil && user.lockedUntil > now ? 'temporarily_locked' : 'bad_credentials',
        user,
        passwordChecked: true,
      }
    }

    // The right password: the reservation (and a lock it may have just set) is given back.
    await db
      .from('users')
      .where('id', user.id)
      .update({ failed_login_count: 0, locked_until: null, last_login_at: now.toJSDate() })
    await user.refresh()
    return { ok: true, user }
  }

  /**
   * Counts this attempt as a failure before the password is checked (one UPDATE, conditional on the account
   * not being locked); the attempt that reaches the limit sets the lock. False: the account is locked.
   * `locked_until` is assigned first, from the count before this attempt (MySQL assigns left to right, SQLite
   * from the old row: both read the same value this way).
   */
  protected async reserveAttempt(user: User, now: ReturnType<Clock['now']>) {
    const { maxFailures, lockoutMinutes } = securityConfig.login
    const until = now.plus({ minutes: lockoutMinutes }).toJSDate()
    const result = await db.rawQuery(
      `UPDATE users
          SET locked_until = CASE WHEN failed_login_count + 1 >= ? THEN ? ELSE NULL END,
              failed_login_count = CASE WHEN failed_login_count + 1 >= ? THEN 0 ELSE failed_login_count + 1 END
        WHERE id = ? AND (locked_until IS NULL OR locked_until <= ?)`,
      [maxFailures, until, maxFailures, user.id, now.toJSDate()]
    )
    return affectedRows(result) === 1
  }

  protected async withinRateLimits(username: string, ip: string | null) {
    const { perIpAttempts, perAccountAttempts, rateWindowMinutes } = securityConfig.login
    const duration = `${rateWindowMinutes} minutes`
    const byAccount = limiter.use({ requests: perAccountAttempts, duration })
    const byIp = limiter.use({ requests: perIpAttempts, duration })
    const [account, address] = await Promise.all([
      byAccount.increment(`login:user:${username.toLowerCase()}`),
      ip ? byIp.increment(`login:ip:${ip}`) : null,
    ])
    return account.consumed <= perAccountAttempts && (!address || address.consumed <= perIpAttempts)
  }
}
