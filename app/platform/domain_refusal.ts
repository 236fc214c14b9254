import { Exception } from '@adonisjs/core/exceptions'

/**
 * A rule of the domain said no: a blank exam request, a junior signing, another
 * clinic's record. Carries an i18n key so the person sees why, in their language.
 * Services throw it; nothing has been changed when it is thrown.
 */
export class DomainRefusal extends Exception {
  constructor(
    public code: string,
    public messageKey: string,
    public messageData: Record<string, any> = {},
    status = 422
  ) {
    super(messageKey, { status, code })
  }

  static notFound(what = 'record') {
    return new DomainRefusal('not_found', 'common.errors.not_found', { what }, 404)
  }
}
