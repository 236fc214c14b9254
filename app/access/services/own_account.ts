import hash from '@adonisjs/core/services/hash'
import i18nManager from '@adonisjs/i18n/services/main'
import User from '#models/user'
import { DomainRefusal } from '#app/platform/domain_refusal'

/** What a person does to their own account: language, password, API tokens for integrations. */
export class OwnAccount {
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
    if (!(await hash.verify(user.password, currentPassword))) throw new DomainRefusal('wrong_password', 'access.account.wrong_password')
    user.password = newPassword
    await user.save()
    return user
  }

  createToken(user: User, name: string, expiresInDays = 180) {
    return User.accessTokens.create(user, ['*'], { name, expiresIn: `${expiresInDays} days` })
  }

  async revokeToken(user: User, tokenId: string) {
    await User.accessTokens.delete(user, tokenId)
    return tokenId
  }
}
