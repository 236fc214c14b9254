import type { DateTime } from 'luxon'
import type User from '#models/user'

/** Failed passwords in a row before the account is locked for a while. */
export const MAX_FAILED_LOGINS = 5
export const LOCKOUT_MINUTES = 15

export type AccountRefusal = 'disabled' | 'locked' | 'temporarily_locked' | 'expired'

/**
 * Why an account may not be used right now, or null when it may.
 * C 8.5.4: expired or surplus accounts are locked or removed.
 */
export function accountRefusal(
  user: Pick<User, 'status' | 'lockedUntil' | 'expiresOn'>,
  now: DateTime
): AccountRefusal | null {
  if (user.status === 'disabled') return 'disabled'
  if (user.status === 'locked') return 'locked'
  if (user.lockedUntil && user.lockedUntil > now) return 'temporarily_locked'
  if (user.expiresOn && user.expiresOn.endOf('day') < now) return 'expired'
  return null
}
