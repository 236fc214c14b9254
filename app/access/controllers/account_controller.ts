import type { HttpContext } from '@adonisjs/core/http'
import hash from '@adonisjs/core/services/hash'
import User from '#models/user'
import { changePasswordValidator, tokenValidator } from '#app/access/validators/access_validators'
import { audit } from '#app/audit/audit_log'
import { LOCALE_COOKIE } from '#app/platform/middleware/detect_locale_middleware'
import i18nManager from '@adonisjs/i18n/services/main'

/** The user's own account: language, password, API tokens for integrations. */
export default class AccountController {
  async show({ view, auth }: HttpContext) {
    const tokens = await User.accessTokens.all(auth.user!)
    return view.render('pages/access/account', { tokens })
  }

  async switchLocale({ request, response, auth }: HttpContext) {
    const locale = request.input('locale')
    if (i18nManager.supportedLocales().includes(locale)) {
      response.cookie(LOCALE_COOKIE, locale, { maxAge: '365d', httpOnly: true })
      if (auth.user) {
        auth.user.locale = locale
        await auth.user.save()
      }
    }
    return response.redirect().back()
  }

  async changePassword(ctx: HttpContext) {
    const { request, response, auth, session, i18n } = ctx
    const data = await request.validateUsing(changePasswordValidator)
    const user = auth.user!
    if (!(await hash.verify(user.password, data.currentPassword))) {
      await audit.fromContext(ctx, { action: 'account.password_change', outcome: 'refused' })
      session.flash('error', i18n.t('access.account.wrong_password'))
      return response.redirect().back()
    }
    user.password = data.newPassword
    await user.save()
    await audit.fromContext(ctx, { action: 'account.password_change' })
    session.flash('success', i18n.t('access.account.password_changed'))
    return response.redirect().back()
  }

  async createToken(ctx: HttpContext) {
    const { request, response, auth, session, i18n } = ctx
    const { name, expiresInDays } = await request.validateUsing(tokenValidator)
    const token = await User.accessTokens.create(auth.user!, ['*'], { name, expiresIn: `${expiresInDays ?? 180} days` })
    await audit.fromContext(ctx, { action: 'account.token_create', targetType: 'access_token', targetId: String(token.identifier) })
    // Shown once; only its hash is stored.
    session.flash('newToken', token.value!.release())
    session.flash('success', i18n.t('access.account.token_created'))
    return response.redirect('/account')
  }

  async revokeToken(ctx: HttpContext) {
    const { params, response, auth, session, i18n } = ctx
    await User.accessTokens.delete(auth.user!, params.id)
    await audit.fromContext(ctx, { action: 'account.token_revoke', targetType: 'access_token', targetId: params.id })
    session.flash('success', i18n.t('access.account.token_revoked'))
    return response.redirect('/account')
  }
}
