import hash from '@adonisjs/core/services/hash'
import i18nManager from '@adonisjs/i18n/services/main'
import User from '#models/user'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { Clock } from '#app/platform/clock'
import { inject } from '@adonisjs/core'
import { checkNewPassword, rememberPassword } from './password_policy.js'
import { endEverySession, tokenRevoked } from './account_sessions.js'

/** What a person does to their own account: language, password, API tokens for integrations. */
@inject()
export class OwnAccount {
  constructor(protected clock: Clock) {}

  tokens(user: User) {
    return User.accessTokens.all(user)
  }

  /** The chosen language, or null when it is not one the UI speaks. */
  async chooseLocale(user: User | undefined, locale: string | undefined) {
    if (!locale || !i18nManager.supportedLocales().includes(locale)) return null
    if (user) {
      user.locale = locale
      await user.save()
    }
    return locale
  }

  async changePassword(user: User, currentPassword: string, newPassword: string) {
    if (!(await hash.verify(user.password, currentPassword)))
      throw new DomainRefusal('wrong_password', 'access.account.wrong_password')
    await checkNewPassword(newPassword, user)
    const now = this.clock.now()
    await rememberPassword(user, now)
    user.password = newPassword
    user.passwordChangedAt = now
    await user.save()
    // ASVS 3.3.3 / MLPS 8.1.4.1: every other session, API token and socket of the account ends;
    // the person's own session goes on (the controller gives it a new id and the new epoch).
    await endEverySession(user, 'password_changed')
    return user
  }

  createToken(user: User, name: string, expiresInDays = 180) {
    return User.accessTokens.create(user, ['*'], { name, expiresIn: `${expiresInDays} days` })
  }

  async revokeToken(user: User, tokenId: string) {
    await User.accessTokens.delete(user, tokenId)
    await tokenRevoked(String(tokenId))
    return tokenId
  }
}
