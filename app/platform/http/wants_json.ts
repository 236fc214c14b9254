import type { HttpContext } from '@adonisjs/core/http'

/** Machine interfaces under these prefixes always answer JSON (and never get a session or CSRF). */
export const MACHINE_PREFIXES = ['/api/', '/fhir/'] as const

/** A request to one of the machine interfaces (bearer tokens, no session). */
export function isMachineRequest(ctx: Pick<HttpContext, 'request'>) {
  const url = ctx.request.url()
  return MACHINE_PREFIXES.some((prefix) => url.startsWith(prefix))
}

/**
 * The one rule for "page or JSON?": the machine interfaces, and any request
 * that prefers JSON to HTML (the pages' own fetch calls), get JSON; a person's
 * browser gets a page.
 */
export function wantsJson(ctx: Pick<HttpContext, 'request'>) {
  if (isMachineRequest(ctx)) return true
  // DICOMweb clients (the viewer) ask for application/dicom+json or multipart/related: their errors are JSON too.
  if (ctx.request.url().startsWith('/dicomweb/')) return true
  return ctx.request.accepts(['html', 'json']) === 'json'
}
