import type { HttpContext } from '@adonisjs/core/http'
import type { DicomWebAnswer } from '#app/orthanc/orthanc_client'
import type { PublicAddress } from '#app/viewer/services/dicomweb_proxy'

/*
| How a DICOMweb answer reaches the browser, shared by the controller's full
| path and the frame pass (app/viewer/middleware/dicomweb_pass_middleware.ts),
| so both answer the same request with the same headers.
*/

/** The host the browser used, as Orthanc may write it into its URLs (a Host header is not trusted beyond this). */
export function publicAddress(ctx: HttpContext): PublicAddress {
  const host = ctx.request.host() ?? ''
  return {
    host: /^[A-Za-z0-9.\-]{1,253}(:\d{1,5})?$|^\[[0-9a-fA-F:]{2,45}\](:\d{1,5})?$/.test(host)
      ? host
      : 'localhost',
    proto: ctx.request.protocol() === 'https' ? 'https' : 'http',
  }
}

/** Orthanc's answer piped to the browser: only its type and length pass, never its other headers. */
export function pipe(ctx: HttpContext, answer: DicomWebAnswer) {
  ctx.response.status(answer.status)
  if (answer.contentType) ctx.response.header('Content-Type', answer.contentType)
  if (answer.contentLength !== null)
    ctx.response.header('Content-Length', String(answer.contentLength))
  // Patient images: kept by this browser for a while (scrolling back), never by shared caches.
  ctx.response.header('Cache-Control', 'private, max-age=300')
  // A viewer that gives up (closed tab, next study) stops the transfer from Orthanc too.
  ctx.response.response.once('close', () => {
    if (!answer.stream.readableEnded) answer.stream.destroy()
  })
  ctx.response.stream(answer.stream)
}
