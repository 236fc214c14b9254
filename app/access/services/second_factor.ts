import { createHash, randomBytes } from 'node:crypto'
import { inject } from '@adonisjs/core'
import encryption from '@adonisjs/core/services/encryption'
import db from '@adonisjs/lucid/services/db'
import { Secret, TOTP } from 'otpauth'
import type { DateTime } from 'luxon'
import type User from '#models/user'
import { Clock } from '#app/platform/clock'
import { isAdministrator } from '#app/access/roles'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { affectedRows } from './login_service.js'

/*
| The second factor (MLPS 8.1.4.1 d: administrators log in with two or more factors, one of them
| cryptographic; ASVS 2.8): time-based one-time codes (RFC 6238, `otpauth`), 6 digits every 30 s, one step of
| clock drift either way. A code is good once: the last accepted time step is kept and one conditional UPDATE
| refuses a step that is not newer (two parallel logins with one code: one wins). Ten one-time recovery codes
| (kept as SHA-256 hashes) for a lost phone. Mandatory for administrators, optional for everyone else.
*/

const PERIOD = 30
export const ISSUER = 'County Imaging Centre'
const RECOVERY_CODES = 10

export function totpFor(user: Pick<User, 'username'>, base32: string) {
  return new TOTP({
    issuer: ISSUER,
    label: user.username,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD,
    secret: Secret.fromBase32(base32),
  })
}

export function secretOf(user: Pick<User, 'totpSecret'>) {
  return user.totpSecret ? encryption.decrypt<string>(user.totpSecret, 'totp') : null
}

export function encryptSecret(base32: string) {
  return encryption.encrypt(base32, undefined, 'totp')
}

export function secondFactorRequired(user: Pick<User, 'role' | 'totpEnabledAt'>) {
  return isAdministrator(user) || !!user.totpEnabledAt
}

const hashCode = (code: string) =>
  createHash('sha256').update(code.replace(/[\s-]/g, '').toLowerCase()).digest('hex')

@inject()
export class SecondFactor {
  constructor(protected clock: Clock) {}

  /** A new secret, not yet in force: it is when the person proves it with a code (`confirm`). */
  async begin(user: User) {
    const secret = new Secret({ size: 20 }).base32
    user.totpSecret = encryptSecret(secret)
    user.totpEnabledAt = null
    user.totpLastStep = null
    await user.save()
    return { secret, uri: totpFor(user, secret).toString() }
  }

  /** The first code proves the phone holds the secret; the recovery codes are shown once. */
  async confirm(user: User, code: string) {
    if (!user.totpSecret) throw new DomainRefusal('totp_not_started', 'security.totp.not_started')
    if (!(await this.acceptCode(user, code)))
      throw new DomainRefusal('totp_wrong_code', 'security.totp.wrong_code')
    user.totpEnabledAt = this.clock.now()
    await user.save()
    return this.newRecoveryCodes(user)
  }

  async newRecoveryCodes(user: User) {
    const codes = Array.from({ length: RECOVERY_CODES }, () => {
      const raw = randomBytes(5).toString('hex')
      return `${raw.slice(0, 5)}-${raw.slice(5)}`
    })
    const now = this.clock.now().toJSDate()
    await db.from('user_recovery_codes').where('user_id', user.id).delete()
    await db.table('user_recovery_codes').multiInsert(
      codes.map((code) => ({
        user_id: user.id,
        code_hash: hashCode(code),
        used_at: null,
        created_at: now,
      }))
    )
    return codes
  }

  /** At login: a fresh code or an unused recovery code. */
  async verify(user: User, code: string): Promise<'code' | 'recovery' | null> {
    const trimmed = code.replace(/\s/g, '')
    if (/^\d{6}$/.test(trimmed)) return (await this.acceptCode(user, trimmed)) ? 'code' : null
    if (/^[0-9a-f]{5}-?[0-9a-f]{5}$/i.test(trimmed))
      return (await this.useRecoveryCode(user, trimmed)) ? 'recovery' : null
    return null
  }

  /** True once per time step: a code already used (or an older one) is refused. */
  protected async acceptCode(user: User, code: string) {
    const secret = secretOf(user)
    if (!secret || !/^\d{6}$/.test(code)) return false
    const now: DateTime = this.clock.now()
    const delta = totpFor(user, secret).validate({
      token: code,
      timestamp: now.toMillis(),
      window: 1,
    })
    if (delta === null) return false
    const step = Math.floor(now.toMillis() / 1000 / PERIOD) + delta
    const result = await db.rawQuery(
      'UPDATE users SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)',
      [step, user.id, step]
    )
    if (affectedRows(result) !== 1) return false
    user.totpLastStep = step
    return true
  }

  protected async useRecoveryCode(user: User, code: string) {
    const result = await db
      .from('user_recovery_codes')
      .where('user_id', user.id)
      .where('code_hash', hashCode(code))
      .whereNull('used_at')
      .update({ used_at: this.clock.now().toJSDate() })
    return affectedRows(result) === 1
  }

  async remainingRecoveryCodes(user: User) {
    const row = await db
      .from('user_recovery_codes')
      .where('user_id', user.id)
      .whereNull('used_at')
      .count('* as n')
      .first()
    return Number(row?.n ?? 0)
  }
}
