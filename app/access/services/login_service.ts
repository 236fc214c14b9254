import { inject } from '@adonisjs/core'
import hash from '@adonisjs/core/services/hash'
import User from '#models/user'
import { Clock } from '#app/platform/clock'
import { accountRefusal, LOCKOUT_MINUTES, MAX_FAILED_LOGINS, type AccountRefusal } from './account_rules.js'

export type LoginResult =
  | { ok: true; user: User }
  | { ok: false; reason: 'bad_credentials' | AccountRefusal; user: User | null }

/** Checks a username and password, counting failures and locking after too many. */
@inject()
export class LoginService {
  constructor(protected clock: Clock) {}

  async attempt(username: string, password: string): Promise<LoginResult> {
    const now = this.clock.now()
    const user = await User.findBy('username', username.trim())
    if (!user) {
      // Spend the same time as a real check so usernames cannot be probed by timing.
      await hash.make(password)
      return { ok: false, reason: 'bad_credentials', user: null }
    }
    const refusal = accountRefusal(user, now)
    if (refusal) return { ok: false, reason: refusal, user }

    if (!(await hash.verify(user.password, password))) {
      user.failedLoginCount += 1
      if (user.failedLoginCount >= MAX_FAILED_LOGINS) {
        user.lockedUntil = now.plus({ minutes: LOCKOUT_MINUTES })
        user.failedLoginCount = 0
        await user.save()
        return { ok: false, reason: 'temporarily_locked', user }
      }
      await user.save()
      return { ok: false, reason: 'bad_credentials', user }
    }

    user.failedLoginCount = 0
    user.lockedUntil = null
    user.lastLoginAt = now
    await user.save()
    return { ok: true, user }
  }
}
