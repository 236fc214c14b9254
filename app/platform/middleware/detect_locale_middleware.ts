import { isMachineRequest } from '#app/platform/http/wants_json'
import { I18n } from '@adonisjs/i18n'
import i18nManager from '@adonisjs/i18n/services/main'
import type { NextFn } from '@adonisjs/core/types/http'
import { type HttpContext, RequestValidator } from '@adonisjs/core/http'

export const LOCALE_COOKIE = 'locale'

/**
 * Simplified Chinese unless the user picked English (cookie) or, for the JSON
 * API, the client asked for it with Accept-Language.
 */
export default class DetectLocaleMiddleware {
  static {
    RequestValidator.messagesProvider = (ctx) => ctx.i18n.createMessagesProvider()
  }

  protected userLanguage(ctx: HttpContext) {
    const chosen = ctx.request.cookie(LOCALE_COOKIE) || ctx.request.input('lang')
    if (chosen && i18nManager.supportedLocales().includes(chosen)) return chosen
    if (isMachineRequest(ctx)) {
      return ctx.request.language(i18nManager.supportedLocales()) || null
    }
    return null
  }

  async handle(ctx: HttpContext, next: NextFn) {
    const language = this.userLanguage(ctx)
    const locale = language ? i18nManager.getSupportedLocaleFor(language) : null
    ctx.i18n = i18nManager.locale(locale || i18nManager.defaultLocale)
    ctx.containerResolver.bindValue(I18n, ctx.i18n)
    if ('view' in ctx) ctx.view.share({ i18n: ctx.i18n })
    return next()
  }
}

declare module '@adonisjs/core/http' {
  export interface HttpContext {
    i18n: I18n
  }
}
