import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { parseDicomWebPath, type DicomWebTarget } from '#app/viewer/services/dicomweb_path'
import { DicomWebProxy } from '#app/viewer/services/dicomweb_proxy'
import { passFor } from '#app/viewer/services/viewer_pass'
import { pipe, publicAddress } from '#app/viewer/controllers/dicomweb_answer'

const RETRIEVALS = new Set<DicomWebTarget['kind']>([
  'retrieve',
  'metadata',
  'rendered',
  'frames',
  'bulk',
  'wado_uri',
])

/**
 * The short way for a viewer's next frames (app/viewer/services/viewer_pass.ts):
 * a GET retrieval of a study these credentials were allowed to open moments
 * ago (by the full path: session, account, visibility, audit) is streamed
 * from Orthanc without the session, auth and pipeline middleware. Anything
 * else — no pass, a search, a held series, Orthanc answering other than 2xx,
 * Orthanc unreachable — goes on to the full path, which decides and audits
 * as before. Runs as server middleware, before the router's.
 */
export default class DicomWebPassMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const url = ctx.request.url()
    if (!url.startsWith('/dicomweb/') || ctx.request.method() !== 'GET') return next()
    let target: DicomWebTarget | null
    const qs = ctx.request.qs() as Record<string, unknown>
    try {
      target = parseDicomWebPath(url, qs)
    } catch {
      return next()
    }
    if (!target?.study || !RETRIEVALS.has(target.kind)) return next()
    const pass = passFor(ctx, target.study)
    if (!pass) return next()
    let answer
    try {
      const proxy = await app.container.make(DicomWebProxy)
      answer = await proxy.retrieve(
        pass.study,
        target,
        qs,
        ctx.request.header('accept'),
        publicAddress(ctx)
      )
    } catch {
      // A refusal or a failure: the full path asks again, answers and audits it.
      return next()
    }
    // What the router's transport and shield middleware would add to this answer.
    if (ctx.request.protocol() === 'https')
      ctx.response.header('Strict-Transport-Security', 'max-age=15552000; includeSubDomains')
    ctx.response.header('X-Content-Type-Options', 'nosniff')
    pipe(ctx, answer)
  }
}
