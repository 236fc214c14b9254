import app from '@adonisjs/core/services/app'
import { HttpContext, ExceptionHandler } from '@adonisjs/core/http'
import { errors as httpErrors } from '@adonisjs/core/http'
import { errors as authErrors } from '@adonisjs/auth'
import { errors as bouncerErrors } from '@adonisjs/bouncer'
import { errors as lucidErrors } from '@adonisjs/lucid'
import { errors as vineErrors } from '@vinejs/vine'
import i18nManager from '@adonisjs/i18n/services/main'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { wantsJson } from '#app/platform/http/wants_json'
import { Forbidden } from '#app/platform/http/use_case'
import { LOCALE_COOKIE } from '#app/platform/middleware/detect_locale_middleware'

/*
| One place decides how a failure looks, for every capability:
|   - the API (and a page's own fetch calls): { errors: [{ code, message, field?, rule? }] } with the status;
|   - pages: the styled 403 / 404 / 500 pages in the person's language, never a stack trace;
|     a refused form comes back with what was typed and the reason on top.
| A record the person may not see answers 404 exactly like a missing one.
| The request pipeline has already audited the outcome; this only answers it.
*/

interface Answer {
  status: number
  code: string
  message: string
  field?: string
  rule?: string
}

const NEVER_KEPT = [
  'password',
  'password_confirmation',
  'currentPassword',
  'newPassword',
  'newPasswordConfirmation',
  '_csrf',
  'totp',
  'code',
]

/** The OperationOutcome issue type (R4 value set issue-type) for a status and our reason code. */
function fhirIssueCode(status: number, code: string) {
  if (status === 401) return 'login'
  if (status === 403) return 'forbidden'
  if (status === 404) return 'not-found'
  if (status === 405) return 'not-supported'
  if (code === 'unknown_parameter') return 'not-supported'
  if (status === 503) return 'transient'
  if (status < 500) return 'invalid'
  return 'exception'
}

export default class HttpExceptionHandler extends ExceptionHandler {
  protected debug = !app.inProduction && !app.inTest
  protected renderStatusPages = false

  /** Unmatched routes never ran the router middleware: the error page still speaks the person's language. */
  protected ensureI18n(ctx: HttpContext) {
    // No session either: the layout's flash messages read as empty.
    if (!ctx.session)
      ctx.view?.share({
        flashMessages: { has: () => false, get: () => undefined, all: () => ({}) },
      })
    if (ctx.i18n) return
    const locale = ctx.request.cookie(LOCALE_COOKIE)
    ctx.i18n = i18nManager.locale(
      i18nManager.getSupportedLocaleFor(locale || '') || i18nManager.defaultLocale
    )
    ctx.view?.share({ i18n: ctx.i18n })
  }

  protected t(ctx: HttpContext, key: string, data: Record<string, unknown> = {}) {
    return ctx.i18n ? ctx.i18n.t(key, data, key) : key
  }

  protected statusOf(error: any): number {
    if (error instanceof lucidErrors.E_ROW_NOT_FOUND) return 404
    if (error instanceof httpErrors.E_ROUTE_NOT_FOUND) return 404
    if (error instanceof bouncerErrors.E_AUTHORIZATION_FAILURE) return 403
    if (error instanceof authErrors.E_UNAUTHORIZED_ACCESS) return 401
    if (error instanceof vineErrors.E_VALIDATION_ERROR) return 422
    if (error?.code === 'E_BAD_CSRF_TOKEN') return 403
    const status = Number(error?.status)
    return Number.isInteger(status) && status >= 400 && status < 600 ? status : 500
  }

  /** What the person is told: a reason for what they can act on, a plain "error" for our faults. */
  protected answersOf(ctx: HttpContext, error: any, status: number): Answer[] {
    if (error instanceof DomainRefusal) {
      return [
        { status, code: error.code, message: this.t(ctx, error.messageKey, error.messageData) },
      ]
    }
    if (error instanceof vineErrors.E_VALIDATION_ERROR) {
      return (error.messages as any[]).map((m) => ({
        status,
        code: 'validation',
        field: m.field,
        rule: m.rule,
        message: m.message,
      }))
    }
    if (error?.code === 'E_BAD_CSRF_TOKEN')
      return [{ status, code: 'csrf', message: this.t(ctx, 'common.errors.csrf') }]
    if (status === 401)
      return [
        { status, code: 'unauthenticated', message: this.t(ctx, 'common.errors.unauthenticated') },
      ]
    if (status === 403)
      return [{ status, code: 'forbidden', message: this.t(ctx, 'common.errors.forbidden') }]
    if (status === 404)
      return [{ status, code: 'not_found', message: this.t(ctx, 'common.errors.not_found') }]
    if (status === 413)
      return [{ status, code: 'too_large', message: this.t(ctx, 'common.errors.too_large') }]
    if (status < 500)
      return [{ status, code: 'bad_request', message: this.t(ctx, 'common.errors.bad_request') }]
    return [
      {
        status,
        code: status === 503 ? 'unavailable' : 'server_error',
        message: this.t(
          ctx,
          status === 503 ? 'common.errors.unavailable' : 'common.errors.server_error_text'
        ),
      },
    ]
  }

  async handle(error: any, ctx: HttpContext) {
    this.ensureI18n(ctx)
    const status = this.statusOf(error)
    const answers = this.answersOf(ctx, error, status)

    if (ctx.request.url().startsWith('/fhir/')) {
      // FHIR clients read failures as an OperationOutcome (R4 3.1.0.4), in FHIR's own media type.
      const outcome = {
        resourceType: 'OperationOutcome',
        issue: answers.map((a) => ({
          severity: 'error',
          code: fhirIssueCode(a.status, a.code),
          diagnostics: a.message,
          ...(a.field ? { expression: [a.field] } : {}),
        })),
      }
      return ctx.response
        .status(status)
        .header('Content-Type', 'application/fhir+json; charset=utf-8')
        .send(JSON.stringify(outcome))
    }

    if (wantsJson(ctx)) {
      return ctx.response.status(status).send({
        errors: answers.map(({ status: _s, ...rest }) => rest),
        ...(status >= 500 ? { requestId: ctx.request.id() } : {}),
      })
    }

    // A person's browser.
    if (status === 401) return ctx.response.redirect('/login')
    const isRead = ['GET', 'HEAD'].includes(ctx.request.method())

    // Not theirs to do at all: the 403 page, whatever the method.
    const notAllowed =
      error instanceof Forbidden || error instanceof bouncerErrors.E_AUTHORIZATION_FAILURE

    if (!isRead && status < 500 && status !== 404 && !notAllowed && ctx.session) {
      // A refused form: back to it, with what was typed and why.
      ctx.session.flashExcept(NEVER_KEPT)
      if (error instanceof vineErrors.E_VALIDATION_ERROR) {
        ctx.session.flashValidationErrors(error)
        ctx.session.flash('error', this.t(ctx, 'common.errors.fix_fields'))
      } else {
        ctx.session.flash('error', answers[0].message)
      }
      return ctx.response.redirect().withQs().back()
    }

    if (isRead && error instanceof vineErrors.E_VALIDATION_ERROR && ctx.session) {
      // A filter the page cannot use: the page again without it, and why. A page that needs what was
      // missing (no query to drop) goes back where the person came from instead, never round in a loop.
      ctx.session.flash('error', answers.map((a) => a.message).join(' '))
      if (Object.keys(ctx.request.qs()).length > 0) return ctx.response.redirect(ctx.request.url())
      if (
        ctx.request.header('referer') &&
        ctx.request.header('referer') !== ctx.request.completeUrl(true)
      )
        return ctx.response.redirect().withQs().back()
      return this.renderErrorPage(ctx, 422, error)
    }

    if (isRead && error instanceof DomainRefusal && status !== 404 && !notAllowed && ctx.session) {
      // A page that cannot show what was asked (two plans to compare, not one): back where they came from, and why.
      const referrer = ctx.request.header('referer')
      const here = ctx.request.completeUrl(true)
      if (referrer !== here) {
        ctx.session.flash('error', answers[0].message)
        return ctx.response.redirect().withQs().back()
      }
    }

    return this.renderErrorPage(ctx, status, error)
  }

  protected async renderErrorPage(ctx: HttpContext, status: number, error: any) {
    const page =
      status === 403
        ? 'forbidden'
        : status === 404
          ? 'not_found'
          : status === 413
            ? 'too_large'
            : status >= 500
              ? 'server_error'
              : 'bad_request'
    const state = {
      status,
      requestId: status >= 500 ? ctx.request.id() : null,
      message:
        error instanceof DomainRefusal && status !== 404
          ? this.t(ctx, error.messageKey, error.messageData)
          : null,
    }
    try {
      const html = await ctx.view.render(`pages/errors/${page}`, state)
      return ctx.response.status(status).header('Cache-Control', 'no-store').send(html)
    } catch (renderError) {
      // The error page itself failed: a plain, still translated sentence, never a trace.
      ctx.logger.error({ err: renderError }, 'the error page could not be rendered')
      return ctx.response
        .status(status)
        .header('Content-Type', 'text/html; charset=utf-8')
        .send(
          `<!doctype html><meta charset="utf-8"><p>${this.t(ctx, status >= 500 ? 'common.errors.server_error_text' : 'common.errors.not_found_text')}</p>`
        )
    }
  }

  /** Answers are not faults: only what went wrong on our side is logged as an error. */
  async report(error: any, ctx: HttpContext) {
    if (error instanceof DomainRefusal) return
    if (this.statusOf(error) < 500) return
    return super.report(error, ctx)
  }
}
