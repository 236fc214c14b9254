import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import { changePasswordValidator, tokenValidator } from '#app/access/validators/access_validators'
import { OwnAccount } from '#app/access/services/own_account'
import { LOCALE_COOKIE } from '#app/platform/middleware/detect_locale_middleware'
import { useCase, done } from '#app/platform/http/use_case'
import { keepThisSession } from '#app/access/services/account_sessions'

const localeValidator = vine.compile(
  vine.object({ locale: vine.string().trim().maxLength(16).optional() })
)

/** The person's own account: language, password, API tokens for integrations. */
@inject()
export default class AccountController {
  constructor(protected account: OwnAccount) {}

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'account.view',
      audit: false,
      run: ({ user }) => this.account.tokens(user),
      page: (tokens) => ctx.view.render('pages/access/account', { tokens }),
    })
  }

  /** Also before login (the login page has the language switch): no audit line for a language choice. */
  switchLocale(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'account.locale',
      audit: false,
      input: localeValidator,
      run: ({ input }) => this.account.chooseLocale(ctx.auth.user, input.locale),
      page: (locale) => {
        if (locale) ctx.response.cookie(LOCALE_COOKIE, locale, { maxAge: '365d', httpOnly: true })
        return ctx.response.redirect().back()
      },
    })
  }

  changePassword(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'account.password_change',
      input: changePasswordValidator,
      run: ({ user, input }) =>
        this.account.changePassword(user, input.currentPassword, input.newPassword),
      audit: { target: (user) => ({ type: 'user', id: user.id }) },
      page: async (user) => {
        await keepThisSession(ctx, user)
        return done(ctx, 'access.account.password_changed')
      },
    })
  }

  createToken(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'account.token_create',
      input: tokenValidator,
      run: ({ user, input }) =>
        this.account.createToken(user, input.name, input.expiresInDays ?? 180),
      audit: { target: (token) => ({ type: 'access_token', id: String(token.identifier) }) },
      page: (token) => {
        // Shown once; only its hash is stored.
        ctx.session.flash('newToken', token.value!.release())
        return done(ctx, 'access.account.token_created', {}, '/account')
      },
    })
  }

  revokeToken(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'account.token_revoke',
      run: ({ user }) => this.account.revokeToken(user, String(ctx.params.id)),
      audit: { target: (id) => ({ type: 'access_token', id }) },
      page: () => done(ctx, 'access.account.token_revoked', {}, '/account'),
    })
  }
}
