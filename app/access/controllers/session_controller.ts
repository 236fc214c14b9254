import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import vine from '@vinejs/vine'
import limiter from '@adonisjs/limiter/services/main'
import User from '#models/user'
import type { HttpContext } from '@adonisjs/core/http'
import { loginValidator } from '#app/access/validators/access_validators'
import { LoginService } from '#app/access/services/login_service'
import { SecondFactor, secondFactorRequired } from '#app/access/services/second_factor'
import { endThisSession, startSession } from '#app/access/services/account_sessions'
import { passwordNeedsChange } from '#app/access/services/password_policy'
import { audit } from '#app/platform/audit/audit_log'
import { Clock } from '#app/platform/clock'
import { LOCALE_COOKIE } from '#app/platform/middleware/detect_locale_middleware'
import securityConfig from '#config/security'

const codeValidator = vine.compile(
  vine.object({ code: vine.string().trim().minLength(6).maxLength(16) })
)

/** A password accepted, the second factor still to come: at most this long. */
const PENDING_MS = 5 * 60_000
const PENDING_KEY = 'pending_login'

/**
 * Logging in and out. Every attempt, good or bad, is audited; every refusal
 * reads the same to the person (the audit line has the reason).
 */
@inject()
export default class SessionController {
  constructor(
    protected login: LoginService,
    protected secondFactor: SecondFactor,
    protected clock: Clock
  ) {}

  async create({ view }: HttpContext) {
    // The demo county's logins are shown on the login page, except in production.
    const demo = app.inProduction ? null : (await import('#database/demo/demo_county')).DEMO_LOGINS
    const seeded = demo ? await User.findBy('username', demo.users[0].username) : null
    return view.render('pages/access/login', {
      demoLogins: seeded ? demo!.users : [],
      demoPassword: demo?.password,
    })
  }

  async store(ctx: HttpContext) {
    const { request, response, session, i18n } = ctx
    const { username, password } = await request.validateUsing(loginValidator)
    const result = await this.login.attempt(username, password, request.ip())
    if (!result.ok) {
      await audit.fromContext(ctx, {
        action: 'auth.login_failed',
        outcome: 'denied',
        user: result.user,
        username,
        details: {
          reason: result.reason,
          ...(result.passwordChecked ? { passwordChecked: true } : {}),
        },
      })
      session.flashExcept(['password'])
      session.flash('error', i18n.t('access.login.refused'))
      return response.redirect('/login')
    }
    if (secondFactorRequired(result.user)) {
      session.regenerate()
      session.put(PENDING_KEY, { userId: result.user.id, at: this.clock.now().toMillis() })
      return response.redirect('/login/second-factor')
    }
    return this.complete(ctx, result.user)
  }

  /** The code form, or the set-up of the second factor for an administrator who has none yet. */
  async showSecondFactor(ctx: HttpContext) {
    const user = await this.pendingUser(ctx)
    if (!user) return ctx.response.redirect('/login')
    if (user.totpEnabledAt) return ctx.view.render('pages/access/second_factor', { enrol: null })
    const enrol = await this.secondFactor.begin(user)
    return ctx.view.render('pages/access/second_factor', { enrol })
  }

  async verifySecondFactor(ctx: HttpContext) {
    const { response, session, i18n } = ctx
    const user = await this.pendingUser(ctx)
    if (!user) return response.redirect('/login')
    const { code } = await ctx.request.validateUsing(codeValidator)
    // Six digits are a small space: a few guesses per account per window (ASVS 2.8.7).
    const guesses = await limiter
      .use({
        requests: securityConfig.login.maxFailures,
        duration: `${securityConfig.login.rateWindowMinutes} minutes`,
      })
      .increment(`otp:user:${user.id}`)
    if (!user.totpEnabledAt) {
      try {
        if (guesses.consumed > securityConfig.login.maxFailures) throw new Error('rate_limited')
        const recoveryCodes = await this.secondFactor.confirm(user, code)
        await audit.fromContext(ctx, {
          action: 'auth.second_factor_enrolled',
          user,
          targetType: 'user',
          targetId: user.id,
        })
        await this.complete(ctx, user, false)
        return ctx.view.render('pages/access/recovery_codes', { recoveryCodes })
      } catch {
        await audit.fromContext(ctx, {
          action: 'auth.second_factor_failed',
          outcome: 'denied',
          user,
          details: { reason: 'enrolment' },
        })
        session.flash('error', i18n.t('security.totp.wrong_code'))
        return response.redirect('/login/second-factor')
      }
    }
    const used =
      guesses.consumed > securityConfig.login.maxFailures
        ? null
        : await this.secondFactor.verify(user, code)
    if (!used) {
      await audit.fromContext(ctx, {
        action: 'auth.second_factor_failed',
        outcome: 'denied',
        user,
        details: {
          reason:
            guesses.consumed > securityConfig.login.maxFailures
              ? 'rate_limited'
              : 'wrong_or_used_code',
        },
      })
      session.flash('error', i18n.t('security.totp.wrong_code'))
      return response.redirect('/login/second-factor')
    }
    return this.complete(ctx, user, true, used)
  }

  async destroy(ctx: HttpContext) {
    await audit.fromContext(ctx, { action: 'auth.logout' })
    await endThisSession(ctx)
    return ctx.response.redirect('/login')
  }

  protected async pendingUser(ctx: HttpContext) {
    const pending = ctx.session.get(PENDING_KEY) as { userId: number; at: number } | undefined
    if (!pending || this.clock.now().toMillis() - pending.at > PENDING_MS) {
      ctx.session.forget(PENDING_KEY)
      return null
    }
    return User.find(pending.userId)
  }

  protected async complete(
    ctx: HttpContext,
    user: User,
    redirect = true,
    secondFactor?: 'code' | 'recovery'
  ) {
    const { response, auth, session } = ctx
    session.forget(PENDING_KEY)
    await auth.use('web').login(user)
    await startSession(ctx, user, this.clock.now())
    await audit.fromContext(ctx, {
      action: 'auth.login',
      user,
      details: secondFactor ? { secondFactor } : undefined,
    })
    if (user.locale) response.cookie(LOCALE_COOKIE, user.locale, { maxAge: '365d', httpOnly: true })
    if (!redirect) return
    if (passwordNeedsChange(user, this.clock.now())) {
      session.flash('error', ctx.i18n.t('security.password.change_due'))
      return response.redirect('/account')
    }
    return response.redirect('/')
  }
}
