import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import { accountRefusal } from '#app/access/services/account_rules'

const now = DateTime.fromISO('2026-11-22T08:00:00Z', { zone: 'utc' })
const account = (extra = {}) => ({
  status: 'active' as const,
  lockedUntil: null,
  expiresOn: null,
  ...extra,
})

test.group('Account rules (C 8.5.4)', () => {
  test('an active account without expiry may log in', ({ assert }) => {
    assert.isNull(accountRefusal(account(), now))
  })
  test('locked, disabled and temporarily locked accounts may not', ({ assert }) => {
    assert.equal(accountRefusal(account({ status: 'locked' }), now), 'locked')
    assert.equal(accountRefusal(account({ status: 'disabled' }), now), 'disabled')
    assert.equal(
      accountRefusal(account({ lockedUntil: now.plus({ minutes: 1 }) }), now),
      'temporarily_locked'
    )
    assert.isNull(accountRefusal(account({ lockedUntil: now.minus({ minutes: 1 }) }), now))
  })
  test('an account is usable through its last day and expired the day after', ({ assert }) => {
    assert.isNull(
      accountRefusal(account({ expiresOn: DateTime.fromISO('2026-11-22', { zone: 'utc' }) }), now)
    )
    assert.equal(
      accountRefusal(account({ expiresOn: DateTime.fromISO('2026-11-21', { zone: 'utc' }) }), now),
      'expired'
    )
  })
})
