import app from '@adonisjs/core/services/app'
import { HttpContext, ExceptionHandler } from '@adonisjs/core/http'
import type { StatusPageRange, StatusPageRenderer } from '@adonisjs/core/types/http'
import { errors as authErrors } from '@adonisjs/auth'
import { errors as bouncerErrors } from '@adonisjs/bouncer'
import { errors as lucidErrors } from '@adonisjs/lucid'
import { errors as vineErrors } from '@vinejs/vine'
import { DomainRefusal } from '#app/platform/domain_refusal'
import i18nManager from '@adonisjs/i18n/services/main'
import { LOCALE_COOKIE } from '#app/platform/middleware/detect_locale_middleware'

/**
 * One place decides how failures look: HTML pages for people, JSON for the
 * API. A record the user may not see answers 404 (never 403) so that its
 * existence is not revealed across clinics.
 */
export default class HttpExceptionHandler extends ExceptionHandler {
  protected debug = !app.inProduction && !app.inTest
  protected renderStatusPages = true

  // In development a 500 shows the stack trace page instead.
  protected statusPages: Record<StatusPageRange, StatusPageRenderer> = {
    '403': (error, { view }) => view.render('pages/errors/forbidden', { error }),
    '404': (error, { view }) => view.render('pages/errors/not_found', { error }),
    ...(this.debug ? {} : { '500..599': (error: any, { view }: HttpContext) => view.render('pages/errors/server_error', { error }) }),
  } as Record<StatusPageRange, StatusPageRenderer>

  protected isApi(ctx: HttpContext) {
    return ctx.request.url().startsWith('/api/') || ctx.request.accepts(['html', 'json']) === 'json'
  }

  async handle(error: any, ctx: HttpContext) {
    // Unmatched routes never ran the locale middleware; error pages still speak the user's language.
    if (!ctx.i18n) {
      const locale = ctx.request.cookie(LOCALE_COOKIE)
      ctx.i18n = i18nManager.locale(i18nManager.getSupportedLocaleFor(locale || '') || i18nManager.defaultLocale)
      ctx.view?.share({ i18n: ctx.i18n, currentUser: null })
    }
    if (error instanceof DomainRefusal) {
      const message = ctx.i18n ? ctx.i18n.t(error.messageKey, error.messageData, error.messageKey) : error.messageKey
      if (this.isApi(ctx)) {
        return ctx.response.status(error.status).send({ errors: [{ code: error.code, message }] })
      }
      if (error.status === 404) {
        return ctx.response.status(404).send(await ctx.view.render('pages/errors/not_found', { error }))
      }
      ctx.session?.flash('error', message)
      return ctx.response.redirect().back()
    }
    if (error instanceof lucidErrors.E_ROW_NOT_FOUND) {
      error.status = 404
    }
    if (error instanceof bouncerErrors.E_AUTHORIZATION_FAILURE && this.isApi(ctx)) {
      return ctx.response.status(403).send({ errors: [{ code: 'forbidden', message: ctx.i18n?.t('common.errors.forbidden') }] })
    }
    if (error instanceof authErrors.E_UNAUTHORIZED_ACCESS && this.isApi(ctx)) {
      return ctx.response.status(401).send({ errors: [{ code: 'unauthenticated', message: ctx.i18n?.t('common.errors.unauthenticated') }] })
    }
    if (error instanceof vineErrors.E_VALIDATION_ERROR && this.isApi(ctx)) {
      return ctx.response.status(422).send({
        errors: error.messages.map((m: any) => ({ code: 'validation', field: m.field, rule: m.rule, message: m.message })),
      })
    }
    if (error?.code === 'E_BAD_CSRF_TOKEN') {
      if (this.isApi(ctx)) {
        return ctx.response.status(403).send({ errors: [{ code: 'csrf', message: ctx.i18n?.t('common.errors.csrf') }] })
      }
      ctx.session?.flash('error', ctx.i18n?.t('common.errors.csrf'))
      return ctx.response.redirect().back()
    }
    if (this.isApi(ctx)) {
      const status = typeof error?.status === 'number' ? error.status : 500
      if (status < 500) return ctx.response.status(status).send({ errors: [{ code: error.code || 'error', message: error.message }] })
      // Logged with its details by report(); the client learns only that it failed (and, in development, why).
      const message = ctx.i18n?.t('common.errors.server_error_text') ?? 'server error'
      return ctx.response.status(status).send({ errors: [{ code: 'server_error', message, ...(this.debug ? { detail: String(error?.message ?? error) } : {}) }] })
    }
    return super.handle(error, ctx)
  }

  /** A domain refusal is an answer, not a fault: it is audited where it happens, not logged as an error. */
  async report(error: unknown, ctx: HttpContext) {
    if (error instanceof DomainRefusal) return
    return super.report(error, ctx)
  }
}
